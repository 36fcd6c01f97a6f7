import { mkdir, mkdtemp, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PairRecordStore, openLockdownSession, type LockdownSession } from '../../src/lockdown/index.js';
import { AfcClient, AfcFileMode } from '../../src/services/afc/index.js';
import { UsbmuxClient, parseUsbmuxAddress } from '../../src/usbmux/index.js';
import { startTestEmulator, type TestEmulator } from '../helpers/emulator.js';

/**
 * The virtual iPhone's AFC (com.apple.afc over `<phone dir>/Media`) with our AFC client over the real usbmuxd
 * socket and a TLS lockdown session: file reads and writes, listings, info, folders, renames, removals, and paths
 * that try to leave the media folder.
 */
let emu: TestEmulator;
let storeDir: string;
let session: LockdownSession;
let afc: AfcClient;
let media: string;

beforeAll(async () => {
  emu = await startTestEmulator({ devices: 1 });
  storeDir = await mkdtemp(join(tmpdir(), 'iosr-afc-'));
  const usbmux = new UsbmuxClient({ address: parseUsbmuxAddress(emu.emulator.usbmuxdSocketAddress) });
  const [target] = await usbmux.listDevices();
  session = await openLockdownSession(usbmux, target!, { store: new PairRecordStore(storeDir) });
  afc = await AfcClient.open(session);
  media = join(emu.emulator.devices[0]!.dir, 'Media');
  await mkdir(join(media, 'DCIM/100APPLE'), { recursive: true });
  await writeFile(join(media, 'DCIM/100APPLE/TEST_0001.JPG'), Buffer.alloc(200_000, 7));
});
afterAll(async () => {
  afc?.close();
  await session?.close();
  await emu.stop();
  await rm(storeDir, { recursive: true, force: true });
});

describe("the virtual iPhone's AFC", () => {
  it('lists folders, describes files and the device, and streams a file back byte for byte', async () => {
    // The phone lists "." and ".." too; the client leaves them out. The folder also holds the sample phone's photos.
    const names = await afc.readDirectory('/DCIM/100APPLE');
    expect(names).toContain('TEST_0001.JPG');
    expect(names).not.toContain('.');
    expect(await afc.getFileInfo('/DCIM/100APPLE/TEST_0001.JPG')).toMatchObject({
      st_size: '200000',
      st_ifmt: 'S_IFREG',
    });
    expect(await afc.getFileInfo('/DCIM')).toMatchObject({ st_ifmt: 'S_IFDIR' });
    expect(Number((await afc.getDeviceInfo()).FSTotalBytes)).toBeGreaterThan(0);
    const chunks: Buffer[] = [];
    for await (const chunk of afc.readFileStream('/DCIM/100APPLE/TEST_0001.JPG')) chunks.push(chunk as Buffer);
    expect(Buffer.concat(chunks)).toEqual(Buffer.alloc(200_000, 7));
  });

  it('writes, renames and removes files and folders on the phone', async () => {
    await afc.makeDirectory('/Downloads/new');
    const handle = await afc.openFile('/Downloads/new/a.txt', AfcFileMode.WR);
    await afc.write(handle, Buffer.from('hello phone'));
    await afc.closeFile(handle);
    expect(await readFile(join(media, 'Downloads/new/a.txt'), 'utf8')).toBe('hello phone');
    await afc.renamePath('/Downloads/new/a.txt', '/Downloads/b.txt');
    expect(await readFile(join(media, 'Downloads/b.txt'), 'utf8')).toBe('hello phone');
    await afc.removePath('/Downloads/b.txt');
    await afc.removePath('/Downloads/new');
    expect(await afc.readDirectory('/Downloads')).toEqual([]);
  });

  it('refuses to remove a folder that is not empty without REMOVE_PATH_AND_CONTENTS', async () => {
    await afc.makeDirectory('/Full/inner');
    await expect(afc.removePath('/Full')).rejects.toHaveProperty('code');
    expect(await afc.readDirectory('/Full')).toEqual(['inner']);
  });

  it('answers a missing file and a path leaving the media folder with OBJECT_NOT_FOUND, and writes nothing outside', async () => {
    await expect(afc.getFileInfo('/nope.txt')).rejects.toMatchObject({ code: 'AFC_OBJECT_NOT_FOUND' });
    await expect(afc.getFileInfo('/../../state.plist')).rejects.toMatchObject({ code: 'AFC_OBJECT_NOT_FOUND' });
    await expect(afc.openFile('/../escaped.txt', AfcFileMode.WR)).rejects.toMatchObject({
      code: 'AFC_OBJECT_NOT_FOUND',
    });
    await expect(readFile(join(emu.emulator.devices[0]!.dir, 'escaped.txt'))).rejects.toMatchObject({ code: 'ENOENT' });
  });

  it('refuses a symbolic link out of the media folder, and serves one that stays inside', async () => {
    await writeFile(join(emu.emulator.devices[0]!.dir, 'secret.txt'), 'not media');
    await symlink(join(emu.emulator.devices[0]!.dir, 'secret.txt'), join(media, 'Downloads/out-link'));
    await symlink(join(media, 'DCIM/100APPLE/TEST_0001.JPG'), join(media, 'Downloads/in-link'));
    await expect(afc.openFile('/Downloads/out-link', AfcFileMode.RDONLY)).rejects.toMatchObject({
      code: 'AFC_OBJECT_NOT_FOUND',
    });
    expect(await afc.stat('/Downloads/out-link')).toMatchObject({ kind: 'symlink' });
    const handle = await afc.openFile('/Downloads/in-link', AfcFileMode.RDONLY);
    expect((await afc.read(handle, 10)).length).toBe(10);
    await afc.closeFile(handle);
  });

  it('lists a folder of 20,000 entries in one reply', async () => {
    const big = join(media, 'DCIM/999APPLE');
    await mkdir(big, { recursive: true });
    for (let start = 0; start < 20_000; start += 1000)
      await Promise.all(
        Array.from({ length: 1000 }, (_, i) =>
          writeFile(join(big, `IMG_${String(start + i).padStart(5, '0')}.JPG`), ''),
        ),
      );
    const names = await afc.readDirectory('/DCIM/999APPLE');
    expect(names).toHaveLength(20_000);
    expect(new Set(names).size).toBe(20_000);
    expect(names).toContain('IMG_19999.JPG');
  });
});
