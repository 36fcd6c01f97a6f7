import { randomBytes } from 'node:crypto';
import { copyFile, mkdir, mkdtemp, readdir, readFile, rm, stat, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateDeviceContent } from '../../src/emulator/content/index.js';
import { SAMPLE_SEED } from '../../src/emulator/index.js';
import { categoryOf } from '../../src/errors.js';
import { PairRecordStore } from '../../src/lockdown/index.js';
import { silentLogger } from '../../src/logging.js';
import { defaultDeviceAccess, listMedia, pullMedia, type DeviceAccess } from '../../src/operations/index.js';
import { UsbmuxClient, parseUsbmuxAddress } from '../../src/usbmux/index.js';
import { startTestEmulator, type TestEmulator } from '../helpers/emulator.js';

/**
 * `media pull` and `media ls` against the virtual iPhone over real sockets: a folder served with `--media`
 * (real HEIC/JPEG/MOV files from test/fixtures/media plus generated ones) comes back byte for byte with capture
 * dates, a re-run copies nothing, a pull cut by a dropped connection resumes to the same tree, and the built-in
 * phone's Recently Deleted photos (Photos.sqlite ZTRASHEDSTATE 1) land apart.
 */
const FIXTURES = fileURLToPath(new URL('../fixtures/media/', import.meta.url));
/** Capture dates inside the fixtures (test/fixtures/PROVENANCE.md): EXIF DateTimeOriginal, QuickTime mvhd. */
const FIXTURE_DATES: Record<string, string> = {
  'IMG_4001.HEIC': '2017-06-06T17:00:02.000Z',
  'IMG_4002.JPG': '2010-12-31T02:06:26.000Z',
  'IMG_4003.MOV': '2014-12-19T00:39:23.000Z',
};
const SERVED_MTIME = new Date('2023-03-04T05:06:07Z');

let emu: TestEmulator;
let work: string;
let source: string;
let access: DeviceAccess;

async function filesUnder(root: string): Promise<string[]> {
  const entries = await readdir(root, { recursive: true, withFileTypes: true });
  return entries
    .filter((e) => e.isFile())
    .map((e) => relative(root, join(e.parentPath, e.name)))
    .filter((path) => !path.startsWith('.iosrescue'))
    .sort();
}

async function expectSameTree(out: string): Promise<void> {
  const expected = await filesUnder(source);
  expect(await filesUnder(out)).toEqual(expected);
  for (const path of expected) {
    expect((await readFile(join(out, path))).equals(await readFile(join(source, path))), path).toBe(true);
    const name = path.split('/').at(-1)!;
    const date = FIXTURE_DATES[name] ?? SERVED_MTIME.toISOString();
    expect((await stat(join(out, path))).mtime.toISOString(), path).toBe(date);
  }
}

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'iosr-media-'));
  source = join(work, 'phone');
  await mkdir(join(source, 'DCIM/100APPLE'), { recursive: true });
  await mkdir(join(source, 'DCIM/101APPLE'), { recursive: true });
  await mkdir(join(source, 'Recordings'), { recursive: true });
  await mkdir(join(source, 'Downloads/docs'), { recursive: true });
  for (const name of Object.keys(FIXTURE_DATES))
    await copyFile(join(FIXTURES, name), join(source, 'DCIM/100APPLE', name));
  // Sizes around the client's 1 MiB read and one of several MiB, so reads in flight and short last reads are used.
  const sizes = [0, 1, 65_535, 1_048_576, 1_048_577, 3_500_000, 12_345, 200_000];
  for (const [i, size] of sizes.entries())
    await writeFile(join(source, `DCIM/101APPLE/IMG_${5000 + i}.JPG`), randomBytes(size));
  await writeFile(join(source, 'Recordings/20230304 050607.m4a'), randomBytes(40_000));
  await writeFile(join(source, 'Downloads/docs/manual.pdf'), randomBytes(90_000));
  for (const path of await filesUnder(source)) {
    if (!(path.split('/').at(-1)! in FIXTURE_DATES)) await utimes(join(source, path), SERVED_MTIME, SERVED_MTIME);
  }
  emu = await startTestEmulator({ devices: 1, backup: { media: source } });
  const usbmux = new UsbmuxClient({ address: parseUsbmuxAddress(emu.emulator.usbmuxdSocketAddress) });
  access = defaultDeviceAccess(silentLogger, { usbmux, store: new PairRecordStore(join(work, 'records')) });
});
afterAll(async () => {
  await emu?.stop();
  await rm(work, { recursive: true, force: true });
});

describe('media pull from a folder served with --media', () => {
  it('copies the tree byte for byte with capture dates (EXIF, QuickTime, else the phone mtime), then copies nothing on a re-run', async () => {
    const out = join(work, 'out');
    const first = await pullMedia(access, { out });
    expect(first.problems).toEqual([]);
    expect(first.copied).toBe((await filesUnder(source)).length);
    expect(first.byType.recordings.files).toBe(1);
    expect(first.byType.downloads.files).toBe(1);
    expect(first.byType.videos.files).toBe(1);
    await expectSameTree(out);

    const again = await pullMedia(access, { out });
    expect(again.copied).toBe(0);
    expect(again.unchanged).toBe(first.copied);
    await expectSameTree(out);
  });

  it('resumes a pull whose connection dropped part-way and ends with the same tree, no partial file left', async () => {
    const out = join(work, 'out-resumed');
    emu.emulator.backup.faults.afcDropAfterBytes = 2_500_000;
    const failure = await pullMedia(access, { out }).catch((error: unknown) => error);
    expect(categoryOf(failure)).toBe('connection-lost');
    // Whatever the cut pull left under a final name is complete; nothing is left as .partial.
    const left = await filesUnder(out);
    expect(left.length).toBeLessThan((await filesUnder(source)).length);
    for (const path of left) {
      expect(path.endsWith('.partial'), path).toBe(false);
      expect((await readFile(join(out, path))).equals(await readFile(join(source, path))), path).toBe(true);
    }
    const resumed = await pullMedia(access, { out });
    expect(resumed.unchanged).toBe(left.length);
    expect(resumed.copied).toBe((await filesUnder(source)).length - left.length);
    await expectSameTree(out);
  });

  it('counts per type without copying, and reports the disk space', async () => {
    const listed = await listMedia(access);
    expect(listed.types.photos.files).toBe(10);
    expect(listed.types.videos).toEqual({ files: 1, bytes: (await stat(join(FIXTURES, 'IMG_4003.MOV'))).size });
    expect(listed.types.recordings).toEqual({ files: 1, bytes: 40_000 });
    expect(listed.device.totalBytes).toBeGreaterThan(0);
  });

  it('takes only the types and dates asked for', async () => {
    const out = join(work, 'out-filtered');
    const result = await pullMedia(access, { out, types: ['recordings', 'downloads'] });
    expect(await filesUnder(out)).toEqual(['Downloads/docs/manual.pdf', 'Recordings/20230304 050607.m4a']);
    expect(result.copied).toBe(2);
    const none = await pullMedia(access, { out: join(work, 'out-none'), sinceMs: Date.parse('2024-01-01') });
    expect(none.copied).toBe(0);
    expect(none.filtered).toBeGreaterThan(0);
  });
});

describe("media pull from the built-in phone's camera roll", () => {
  it('puts Recently Deleted photos apart and dates every photo from Photos.sqlite', async () => {
    emu.emulator.backup.media = undefined;
    const out = join(work, 'out-sample');
    const result = await pullMedia(access, { out, types: ['photos', 'videos'], albums: true });
    expect(result.problems).toEqual([]);
    const { truth } = generateDeviceContent({ seed: SAMPLE_SEED });
    const trashed = truth.photos.filter((p) => p.trashed);
    expect(trashed.length).toBeGreaterThan(0);
    expect(result.recentlyDeleted).toBeGreaterThanOrEqual(trashed.length);
    for (const photo of truth.photos) {
      const where = photo.trashed
        ? join(out, 'Recently Deleted', photo.directory.replace(/^DCIM\//, ''), photo.filename)
        : join(out, photo.directory, photo.filename);
      expect((await readFile(where)).equals(photo.data), where).toBe(true);
      expect((await stat(where)).mtime.toISOString(), where).toBe(photo.created.toISOString());
      if (photo.trashed) await expect(stat(join(out, photo.directory, photo.filename))).rejects.toThrow();
      for (const album of photo.trashed ? [] : photo.albums)
        expect((await stat(join(out, 'Albums', album.replace(/[/\\]/g, '_'), photo.filename))).ino).toBe(
          (await stat(where)).ino,
        );
    }
  });

  it('names synced music from the phone’s MediaLibrary.sqlitedb: Music/<artist>/<album>/<nn title>', async () => {
    emu.emulator.backup.media = undefined;
    const out = join(work, 'out-music');
    const result = await pullMedia(access, { out, types: ['music'] });
    const { truth } = generateDeviceContent({ seed: SAMPLE_SEED });
    const onPhone = truth.tracks.filter((t) => t.data !== null);
    expect(onPhone.length).toBeGreaterThan(0);
    expect(result.copied).toBe(onPhone.length);
    for (const track of onPhone) {
      const extension = track.devicePath.slice(track.devicePath.lastIndexOf('.'));
      const name =
        `${track.trackNumber > 0 ? `${String(track.trackNumber).padStart(2, '0')} ` : ''}${track.title}${extension}`.replace(
          /[/\\:*?"<>|]/g,
          '_',
        );
      const where = join(out, 'Music', track.artist, track.album, name);
      expect((await readFile(where)).equals(track.data!), where).toBe(true);
    }
  });

  it('keeps a Live Photo’s video with its photo, and puts an edited render beside its original', async () => {
    emu.emulator.backup.media = undefined;
    const { truth } = generateDeviceContent({ seed: SAMPLE_SEED });
    const edited = truth.photos.find((p) => !p.trashed && p.kind === 'photo')!;
    const stem = edited.filename.replace(/\.[^.]+$/, '');
    const render = Buffer.from('an edited rendering');
    // The phone keeps an edit's full-size render under PhotoData/Mutations/<directory>/<stem>/Adjustments.
    await pullMedia(access, { out: join(work, 'out-prime'), types: ['recordings'] }); // fills the phone's media
    const mutations = join(
      emu.emulator.devices[0]!.dir,
      'Media/PhotoData/Mutations',
      edited.directory,
      stem,
      'Adjustments',
    );
    await mkdir(mutations, { recursive: true });
    await writeFile(join(mutations, 'FullSizeRender.jpg'), render);
    const out = join(work, 'out-live');
    const result = await pullMedia(access, { out, types: ['photos'] });
    expect(result.byType.videos.files).toBe(0);
    expect(await readFile(join(out, edited.directory, `${stem} (edited).jpg`))).toEqual(render);
    const live = truth.photos.filter((p) => p.livePhotoVideo !== null);
    expect(live.length).toBeGreaterThan(0);
    for (const photo of live) {
      const folder = photo.trashed
        ? join(out, 'Recently Deleted', photo.directory.replace(/^DCIM\//, ''))
        : join(out, photo.directory);
      const video = join(folder, `${photo.filename.replace(/\.[^.]+$/, '')}.MOV`);
      expect((await readFile(video)).equals(photo.livePhotoVideo!), video).toBe(true);
    }
  });
});
