import { execFile, spawnSync } from 'node:child_process';
import { copyFile, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PairRecordStore, openLockdownSession } from '../../src/lockdown/index.js';
import { walkMedia } from '../../src/operations/media-walk.js';
import { AfcClient } from '../../src/services/afc/index.js';
import { UsbmuxClient, parseUsbmuxAddress } from '../../src/usbmux/index.js';
import { startTestEmulator, type TestEmulator } from '../helpers/emulator.js';

/**
 * libimobiledevice's own AFC client (the C library Debian's tools use) reads the virtual iPhone's media tree: every
 * listing, file-info pair, open and read below is libimobiledevice's code. Debian's 1.3.0 tools have no AFC command,
 * so test/interop/native/afc-tree.c, a small driver, is built against libimobiledevice-dev
 * (`node scripts/setup.mjs --test` installs it). It must see the same files, sizes and bytes as our client.
 */
const SOURCE = fileURLToPath(new URL('native/afc-tree.c', import.meta.url));
const FIXTURES = fileURLToPath(new URL('../fixtures/media/', import.meta.url));
const run = promisify(execFile);

const flags = spawnSync('pkg-config', ['--cflags', '--libs', 'libimobiledevice-1.0'], { encoding: 'utf8' });
const canBuild =
  flags.status === 0 &&
  spawnSync('sh', ['-c', 'command -v gcc && command -v idevicepair'], { stdio: 'ignore' }).status === 0;
if (!canBuild)
  console.warn(
    'skipping the libimobiledevice AFC test: needs gcc, pkg-config, libimobiledevice-dev and libimobiledevice-utils (node scripts/setup.mjs --test installs them on Debian)',
  );

/** 64-bit FNV-1a, as afc-tree prints it. */
function fnv1a64(bytes: Buffer): string {
  let hash = 0xcbf29ce484222325n;
  for (const byte of bytes) hash = BigInt.asUintN(64, (hash ^ BigInt(byte)) * 0x100000001b3n);
  return hash.toString(16).padStart(16, '0');
}

let emu: TestEmulator;
let work: string;
let media: string;
let tool: string;

beforeAll(async () => {
  if (!canBuild) return;
  work = await mkdtemp(join(tmpdir(), 'iosr-limd-afc-'));
  tool = join(work, 'afc-tree');
  await run('gcc', ['-O2', '-o', tool, SOURCE, ...flags.stdout.trim().split(/\s+/)], { timeout: 60_000 });
  media = join(work, 'media');
  await mkdir(join(media, 'DCIM/100APPLE'), { recursive: true });
  await mkdir(join(media, 'Recordings'), { recursive: true });
  for (const name of ['IMG_4001.HEIC', 'IMG_4002.JPG', 'IMG_4003.MOV'])
    await copyFile(join(FIXTURES, name), join(media, 'DCIM/100APPLE', name));
  await writeFile(join(media, 'Recordings/empty.m4a'), '');
  await writeFile(join(media, 'Recordings/memo.m4a'), Buffer.alloc(300_000, 7));
  emu = await startTestEmulator({ devices: 1, backup: { media } });
  const paired = await run('idevicepair', ['-u', emu.udids[0]!, 'pair'], { env: emu.env, timeout: 20_000 });
  expect(paired.stdout).toContain('SUCCESS');
}, 120_000);
afterAll(async () => {
  await emu?.stop();
  if (work) await rm(work, { recursive: true, force: true });
});

describe.skipIf(!canBuild)('libimobiledevice’s AFC client against the virtual iPhone', () => {
  it('lists the same tree as our client, with the sizes and bytes of the files served', async () => {
    const { stdout } = await run(tool, [emu.udids[0]!, '/'], { env: emu.env, timeout: 60_000 });
    const lines = stdout.trim().split('\n');
    const [device, ...files] = lines;
    const [, total, free] = device!.split('\t');
    expect(Number(total)).toBeGreaterThan(0);
    expect(Number(free)).toBeGreaterThan(0);

    const listed = files.map((line) => line.split('\t')).sort((a, b) => a[0]!.localeCompare(b[0]!));
    const expected = [
      'DCIM/100APPLE/IMG_4001.HEIC',
      'DCIM/100APPLE/IMG_4002.JPG',
      'DCIM/100APPLE/IMG_4003.MOV',
      'Recordings/empty.m4a',
      'Recordings/memo.m4a',
    ];
    expect(listed.map(([path]) => path)).toEqual(expected.map((path) => `/${path}`));
    for (const [path, size, read, hash] of listed) {
      const bytes = await readFile(join(media, path!));
      expect({ path, size: Number(size), read: Number(read), hash }).toEqual({
        path,
        size: bytes.length,
        read: bytes.length,
        hash: fnv1a64(bytes),
      });
    }

    const usbmux = new UsbmuxClient({ address: parseUsbmuxAddress(emu.emulator.usbmuxdSocketAddress) });
    const [phone] = await usbmux.listDevices();
    const session = await openLockdownSession(usbmux, phone!, { store: new PairRecordStore(join(work, 'records')) });
    const afc = await AfcClient.open(session);
    try {
      const ours: string[] = [];
      for await (const file of walkMedia(afc, '/')) ours.push(file.path);
      expect(ours.sort()).toEqual(listed.map(([path]) => path));
    } finally {
      afc.close();
      await session.close();
    }
  });
});
