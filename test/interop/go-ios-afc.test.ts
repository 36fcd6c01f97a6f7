import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { copyFile, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PairRecordStore, openLockdownSession, type LockdownSession } from '../../src/lockdown/index.js';
import { walkMedia } from '../../src/operations/media-walk.js';
import { AfcClient } from '../../src/services/afc/index.js';
import { UsbmuxClient, parseUsbmuxAddress } from '../../src/usbmux/index.js';
import { startTestEmulator, type TestEmulator } from '../helpers/emulator.js';

/**
 * go-ios (the npm package's own binary: a client nobody here wrote, which works against real phones) against the
 * virtual iPhone's AFC: it lists the media tree, pulls a file byte for byte and reports the disk space. It reads
 * listings, info and file data only from a reply's payload, so an emulator that answers in the header part shows it
 * empty folders and 0-byte files (issue 17). Our own client walks the same tree.
 */
const GO_ARCH: Record<string, string> = { x64: 'amd64', arm64: 'arm64' };
const binary = fileURLToPath(
  new URL(
    `../../node_modules/go-ios/dist/go-ios-${process.platform}-${GO_ARCH[process.arch]}_${process.platform}_${GO_ARCH[process.arch]}/ios`,
    import.meta.url,
  ),
);
const hasGoIos = (process.platform === 'linux' || process.platform === 'darwin') && existsSync(binary);
if (!hasGoIos)
  console.warn(
    `skipping the go-ios interop tests: ${binary} is missing (npm install puts it there: go-ios is a devDependency)`,
  );

const FIXTURES = fileURLToPath(new URL('../fixtures/media/', import.meta.url));
const run = promisify(execFile);

let emu: TestEmulator;
let work: string;
let media: string;

async function goIos(...args: string[]): Promise<string> {
  const { stdout } = await run(binary, args, {
    timeout: 60_000,
    // go-ios takes usbmuxd's address as a URL; HOME keeps anything it writes out of the real one.
    env: { ...process.env, HOME: work, USBMUXD_SOCKET_ADDRESS: `unix://${emu.socketPath}` },
  });
  return stdout;
}

/** `ios fsync tree` draws `|  ` per level and `|-name` (a trailing / for folders): back to full paths of files. */
function treeFiles(output: string): string[] {
  const stack: string[] = [];
  const files: string[] = [];
  for (const line of output.split('\n')) {
    const match = /^((?:\| {2})*)\|-(.+)$/.exec(line);
    if (!match) continue;
    const depth = match[1]!.length / 3 - 1;
    const name = match[2]!;
    stack.length = Math.max(0, depth);
    if (name.endsWith('/')) stack.push(name.slice(0, -1));
    else files.push(`/${[...stack, name].join('/')}`);
  }
  return files.sort();
}

beforeAll(async () => {
  if (!hasGoIos) return;
  work = await mkdtemp(join(tmpdir(), 'iosr-goios-'));
  media = join(work, 'media');
  await mkdir(join(media, 'DCIM/100APPLE'), { recursive: true });
  await mkdir(join(media, 'Downloads/nested'), { recursive: true });
  for (const name of ['IMG_4001.HEIC', 'IMG_4002.JPG', 'IMG_4003.MOV'])
    await copyFile(join(FIXTURES, name), join(media, 'DCIM/100APPLE', name));
  await writeFile(join(media, 'Downloads/nested/notes.txt'), 'from the phone\n');
  emu = await startTestEmulator({ devices: 1, backup: { media } });
  await goIos('pair');
});
afterAll(async () => {
  await emu?.stop();
  if (work) await rm(work, { recursive: true, force: true });
});

describe.skipIf(!hasGoIos)('go-ios against the virtual iPhone’s AFC', () => {
  it('lists the media tree, the same tree our client walks', async () => {
    const listed = treeFiles(await goIos('fsync', 'tree', '--path=/'));
    expect(listed).toEqual([
      '/DCIM/100APPLE/IMG_4001.HEIC',
      '/DCIM/100APPLE/IMG_4002.JPG',
      '/DCIM/100APPLE/IMG_4003.MOV',
      '/Downloads/nested/notes.txt',
    ]);
    const usbmux = new UsbmuxClient({ address: parseUsbmuxAddress(emu.emulator.usbmuxdSocketAddress) });
    const [device] = await usbmux.listDevices();
    const session: LockdownSession = await openLockdownSession(usbmux, device!, {
      store: new PairRecordStore(join(work, 'records')),
    });
    const afc = await AfcClient.open(session);
    try {
      const ours: string[] = [];
      for await (const file of walkMedia(afc, '/')) ours.push(file.path);
      expect(ours.sort()).toEqual(listed);
    } finally {
      afc.close();
      await session.close();
    }
  });

  it('pulls a file byte for byte', async () => {
    const into = join(work, 'pulled');
    await mkdir(into);
    await goIos('fsync', 'pull', '--srcPath=/DCIM/100APPLE/IMG_4001.HEIC', `--dstPath=${into}`);
    const pulled = await readFile(join(into, 'IMG_4001.HEIC'));
    expect(pulled.length).toBe(1_313_423);
    expect(pulled.equals(await readFile(join(media, 'DCIM/100APPLE/IMG_4001.HEIC')))).toBe(true);
  });

  it('reports the disk space of the media partition', async () => {
    const space = JSON.parse((await goIos('diskspace')).trim()) as { TotalBytes: number; FreeBytes: number };
    expect(space.TotalBytes).toBeGreaterThan(0);
    expect(space.FreeBytes).toBeGreaterThan(0);
    expect(space.FreeBytes).toBeLessThanOrEqual(space.TotalBytes);
  });
});
