import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { BackupReader, writeSyntheticBackup, type SyntheticItem } from '../../../src/backup/index.js';
import {
  CONTENT_PATHS,
  generateDeviceContent,
  type DeviceContentSpec,
  type DeviceContentTruth,
  type TruthVoiceMemo,
} from '../../../src/emulator/content/index.js';
import {
  runExtraction,
  sanitizeFileName,
  scanBackupContent,
  type ExtractionReport,
  type RingtoneRecord,
  type TrackRecord,
  type VoiceMemoRecord,
} from '../../../src/extract/index.js';
import { corpusPath } from '../../helpers/backup-corpus.js';
import { parseCsv } from '../../helpers/csv.js';
import { FAST_KDF, PASSWORD } from '../../helpers/extract-backups.js';

const root = await mkdtemp(join(tmpdir(), 'iosrescue-audio-test-'));
afterAll(() => rm(root, { recursive: true, force: true }));
let counter = 0;

/** Only the audio's sources, so the other types' content stays small. */
const AUDIO_ONLY: DeviceContentSpec = {
  contacts: 1,
  messages: 1,
  photos: 0,
  calls: 0,
  events: 0,
  visits: 0,
  whatsappMessages: 0,
};

interface Run {
  truth: DeviceContentTruth;
  out: string;
  report: ExtractionReport;
}

async function backupOf(items: SyntheticItem[], encrypted: boolean): Promise<BackupReader> {
  const dir = join(root, `backup-${++counter}`);
  await writeSyntheticBackup(dir, { items, ...(encrypted ? { password: PASSWORD, keybag: FAST_KDF } : {}) });
  return BackupReader.open(dir, encrypted ? { password: PASSWORD } : {});
}

async function extractAudio(
  spec: DeviceContentSpec,
  encrypted: boolean,
  options: { range?: { since?: Date }; edit?: (items: SyntheticItem[]) => void } = {},
): Promise<Run> {
  const content = generateDeviceContent({ ...AUDIO_ONLY, ...spec });
  options.edit?.(content.items);
  const reader = await backupOf(content.items, encrypted);
  const out = join(root, `out-${++counter}`);
  try {
    const report = await runExtraction(reader, { out, tempDir: root, types: ['audio'], range: options.range });
    return { truth: content.truth, out, report };
  } finally {
    await reader.close();
  }
}

async function json<T>(path: string): Promise<T> {
  return JSON.parse(await readFile(path, 'utf8')) as T;
}

async function mtimeOf(run: Run, file: string): Promise<string> {
  return (await stat(join(run.out, file))).mtime.toISOString();
}

/** The name an exported file must have: the sanitised title, maybe " (n)" when taken, then the extension. */
function namePattern(folder: string, title: string, extension: string): RegExp {
  const stem = sanitizeFileName(`${title}${extension}`)
    .slice(0, -extension.length)
    .replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  return new RegExp(`^${folder}/${stem}( \\(\\d+\\))?\\${extension}$`);
}

function expectedMemo(m: TruthVoiceMemo): Omit<VoiceMemoRecord, 'file'> {
  return {
    origin: m.evicted === null ? 'live' : 'recently-deleted',
    id: m.pk,
    uuid: m.uuid,
    title: m.title,
    date: m.date.toISOString(),
    durationSeconds: m.durationSeconds,
    folder: m.folder,
    deletedDate: m.evicted?.toISOString() ?? null,
    storedPath: m.storedPath,
    backupPath: `${m.domain}/${m.relativePath}`,
  };
}

async function checkVoiceMemos(run: Run, expected: TruthVoiceMemo[]): Promise<VoiceMemoRecord[]> {
  const memos = await json<VoiceMemoRecord[]>(join(run.out, 'audio/voice-memos.json'));
  const sorted = [...expected].sort((a, b) => a.date.getTime() - b.date.getTime());
  expect(memos.map(({ file: _, ...rest }) => rest)).toEqual(sorted.map(expectedMemo));
  for (const [i, m] of sorted.entries()) {
    const record = memos[i]!;
    expect(await readFile(join(run.out, record.file!))).toEqual(m.data);
    expect(await mtimeOf(run, record.file!)).toBe(m.date.toISOString());
    expect(record.file).toMatch(
      namePattern(m.evicted === null ? 'audio/Voice Memos' : 'audio/Voice Memos/Recently Deleted', m.title, '.m4a'),
    );
  }
  expect(new Set(memos.map((m) => m.file!.toLowerCase())).size).toBe(memos.length);
  return memos;
}

describe.each([{ encrypted: false }, { encrypted: true }])('audio (encrypted: $encrypted)', ({ encrypted }) => {
  it('exports voice memos named after their titles (mtime = recording date), Recently Deleted apart, purged ones absent; ringtones named from Ringtones.plist; the music list with the few files the backup holds', async () => {
    const run = await extractAudio(
      { seed: `audio-a-${encrypted}`, voiceMemos: 12, ringtones: 6, tracks: 9, deletedFraction: 0.2 },
      encrypted,
    );
    const t = run.truth;
    const records = t.voiceMemos.length + t.ringtones.length + t.tracks.length;
    const missingTracks = t.tracks.filter((x) => x.data === null).length;
    expect(run.report.types).toEqual([
      {
        type: 'audio',
        status: 'ok',
        records,
        files: 6 + t.voiceMemos.length + t.ringtones.length + 2,
        warnings: [
          `${missingTracks} of ${t.tracks.length} music library item(s) have no file in this backup: bought, synced and Apple Music tracks are downloaded again rather than backed up; audio/music.json lists them all`,
        ],
      },
    ]);

    // Voice memos: every field, the audio's bytes, the mtime, the folder; two "Home" memos get two files.
    expect(
      t.voiceMemos.some((m) => m.evicted !== null) &&
        t.voiceMemos.some((m) => m.titleIn === 'custom-label') &&
        t.voiceMemos.some((m) => m.folder !== null),
    ).toBe(true);
    expect(t.deletedVoiceMemos.length).toBeGreaterThan(0);
    const memos = await checkVoiceMemos(run, t.voiceMemos);
    const homes = t.voiceMemos.filter((m) => m.title === 'Home' && m.evicted === null);
    expect(homes.length).toBeGreaterThan(1);
    expect(memos.filter((m) => m.title === 'Home' && m.origin === 'live').map((m) => m.file)).toEqual(
      homes.map((_, i) => `audio/Voice Memos/Home${i === 0 ? '' : ` (${i + 1})`}.m4a`),
    );
    const purged = new Set(t.deletedVoiceMemos.map((m) => m.uuid));
    expect(memos.filter((m) => purged.has(m.uuid))).toEqual([]);
    const memoRows = parseCsv(await readFile(join(run.out, 'audio/voice-memos.csv'), 'utf8'));
    expect(memoRows[0]).toEqual([
      'id',
      'title',
      'date',
      'duration_seconds',
      'folder',
      'origin',
      'deleted_date',
      'file',
      'backup_path',
      'uuid',
      'date_unclear',
    ]);
    expect(memoRows.slice(1).map((r) => [Number(r[0]), r[1], r[5], r[7]])).toEqual(
      memos.map((m) => [m.id, m.title, m.origin, m.file]),
    );

    // Ringtones: the plist's name and details; a tone without an entry and a purchased one are named after their files.
    const tones = await json<RingtoneRecord[]>(join(run.out, 'audio/ringtones.json'));
    const byFile = new Map(tones.map((r) => [r.fileName, r]));
    expect(tones).toHaveLength(t.ringtones.length);
    expect(
      t.ringtones.some((r) => r.purchased) &&
        t.ringtones.some((r) => r.name === null && !r.purchased) &&
        t.ringtones.some((r) => r.name?.includes('/')),
    ).toBe(true);
    for (const truth of t.ringtones) {
      const r = byFile.get(truth.fileName)!;
      const name = truth.name ?? truth.fileName.replace(/\.m4r$/, '');
      expect({ ...r, file: undefined }).toEqual({
        origin: 'live',
        name,
        fileName: truth.fileName,
        kind: truth.kind,
        durationSeconds: truth.durationMs === null ? null : truth.durationMs / 1000,
        guid: truth.guid,
        protectedContent: truth.name === null ? null : false,
        purchased: truth.purchased,
        modified: truth.modified.toISOString(),
        backupPath: `${truth.domain}/${truth.relativePath}`,
        file: undefined,
      });
      expect(r.file).toMatch(namePattern('audio/Ringtones', name, '.m4r'));
      expect(await readFile(join(run.out, r.file!))).toEqual(truth.data);
      expect(await mtimeOf(run, r.file!)).toBe(truth.modified.toISOString());
    }

    // Music: the whole library list (64-bit ids kept exact), files only for the tracks the backup holds.
    const tracks = await json<TrackRecord[]>(join(run.out, 'audio/music.json'));
    const byId = new Map(tracks.map((x) => [x.id, x]));
    expect(tracks).toHaveLength(t.tracks.length);
    expect(t.tracks.some((x) => Math.abs(Number(x.id)) > Number.MAX_SAFE_INTEGER)).toBe(true);
    expect(t.tracks.some((x) => x.mediaKind === 4)).toBe(true);
    for (const truth of t.tracks) {
      const x = byId.get(truth.id)!;
      expect({ ...x, file: undefined }).toEqual({
        origin: 'live',
        id: truth.id,
        title: truth.title,
        artist: truth.artist,
        album: truth.album,
        albumArtist: truth.albumArtist,
        genre: truth.genre,
        trackNumber: truth.trackNumber || null,
        discNumber: truth.discNumber || null,
        year: truth.year,
        durationSeconds: truth.durationSeconds,
        mediaKind: truth.mediaKind === 4 ? 'podcast' : 'music',
        mediaKindCode: truth.mediaKind,
        fileSize: truth.fileSize,
        playCount: truth.playCount,
        dateAdded: truth.dateAdded.toISOString(),
        devicePath: truth.devicePath,
        file: undefined,
      });
      if (truth.data === null) {
        expect(x.file).toBeNull();
        continue;
      }
      const extension = truth.devicePath.slice(truth.devicePath.lastIndexOf('.'));
      expect(x.file).toMatch(namePattern('audio/Music', `${truth.artist} - ${truth.title}`, extension));
      expect(await readFile(join(run.out, x.file!))).toEqual(truth.data);
      expect(await mtimeOf(run, x.file!)).toBe(truth.dateAdded.toISOString());
    }
    const trackRows = parseCsv(await readFile(join(run.out, 'audio/music.csv'), 'utf8'));
    expect(
      trackRows
        .slice(1)
        .map((r) => r[0])
        .sort(),
    ).toEqual(t.tracks.map((x) => x.id).sort());
  });
});

describe('audio scan', () => {
  it("counts memos, ringtones and library items, the memos' Recently Deleted, purged rows and dates, with SQL and the manifest only", async () => {
    const content = generateDeviceContent({
      ...AUDIO_ONLY,
      seed: 'audio-scan',
      voiceMemos: 10,
      ringtones: 4,
      tracks: 7,
      deletedFraction: 0.3,
    });
    const reader = await backupOf(content.items, false);
    try {
      const [scan] = await scanBackupContent(reader, { types: ['audio'], tempDir: root });
      const t = content.truth;
      const dates = t.voiceMemos.map((m) => m.date.getTime());
      expect(scan).toEqual({
        type: 'audio',
        present: true,
        count: t.voiceMemos.length + t.ringtones.length + t.tracks.length,
        recentlyDeleted: t.voiceMemos.filter((m) => m.evicted !== null).length,
        purged: t.deletedVoiceMemos.length,
        firstDate: new Date(Math.min(...dates)).toISOString(),
        lastDate: new Date(Math.max(...dates)).toISOString(),
        bytes: scan!.bytes,
        warnings: [],
      });
      expect(t.deletedVoiceMemos.length).toBe(3);
      const audioBytes = [
        ...t.voiceMemos.map((m) => m.data),
        ...t.ringtones.map((r) => r.data),
        ...t.tracks.flatMap((x) => (x.data ? [x.data] : [])),
      ].reduce((n, b) => n + b.length, 0);
      expect(scan!.bytes).toBeGreaterThan(audioBytes);
    } finally {
      await reader.close();
    }
  });
});

describe('voice memos of older iOS versions', () => {
  it.each([
    { layout: 'media-domain' as const, encrypted: true },
    { layout: 'legacy' as const, encrypted: false },
  ])('come out of the $layout layout (encrypted: $encrypted)', async ({ layout, encrypted }) => {
    const run = await extractAudio(
      { seed: `audio-${layout}`, voiceMemoLayout: layout, voiceMemos: 8, ringtones: 0, tracks: 0 },
      encrypted,
    );
    expect(run.report.types[0]).toMatchObject({ status: 'ok', records: run.truth.voiceMemos.length, warnings: [] });
    expect(
      run.truth.voiceMemos.every((m) => m.domain === 'MediaDomain' && m.relativePath.startsWith('Media/Recordings/')),
    ).toBe(true);
    const memos = await checkVoiceMemos(run, run.truth.voiceMemos);
    if (layout === 'legacy') {
      // Recordings.db: no ZUNIQUEID, no Recently Deleted, ZPATH a full device path matched by its file name.
      expect(
        memos.every(
          (m) => m.uuid === null && m.origin === 'live' && m.storedPath!.startsWith('/var/mobile/Media/Recordings/'),
        ),
      ).toBe(true);
    } else expect(memos.some((m) => m.origin === 'recently-deleted')).toBe(true);
  });
});

describe('audio sources on their own', () => {
  it('reports a backup without any of them as missing', async () => {
    const run = await extractAudio({ seed: 'audio-none', omit: ['audio'] }, false);
    expect(run.report.types).toEqual([{ type: 'audio', status: 'missing', records: 0, files: 0, warnings: [] }]);
  });

  it('still exports voice memos and ringtones when MediaLibrary.sqlitedb is unreadable, and filters voice memos (only) by date', async () => {
    const since = new Date('2024-01-01T00:00:00Z');
    const run = await extractAudio({ seed: 'audio-broken', voiceMemos: 10, ringtones: 3, tracks: 5 }, false, {
      range: { since },
      edit: (items) => {
        const library = items.find(
          (i) =>
            i.domain === CONTENT_PATHS.mediaLibrary.domain &&
            i.relativePath === CONTENT_PATHS.mediaLibrary.relativePath,
        )!;
        library.data = Buffer.from('not a database, as a damaged backup leaves it');
      },
    });
    const inRange = run.truth.voiceMemos.filter((m) => m.date >= since);
    expect(inRange.length).toBeGreaterThan(0);
    expect(inRange.length).toBeLessThan(run.truth.voiceMemos.length);
    const result = run.report.types[0]!;
    expect(result).toMatchObject({ status: 'ok', records: inRange.length + run.truth.ringtones.length });
    expect(result.warnings).toHaveLength(1);
    expect(result.warnings[0]).toMatch(
      /^music library: MediaDomain\/Media\/iTunes_Control\/iTunes\/MediaLibrary\.sqlitedb is not a readable SQLite database.*\[EXTRACT_DATABASE_UNREADABLE\]$/,
    );
    await checkVoiceMemos(run, inRange);
    expect(await json<TrackRecord[]>(join(run.out, 'audio/music.json'))).toEqual([]);
  });
});

const mvt = corpusPath('mvt-ios14-backup');

describe.skipIf(mvt === undefined)('real iOS 14.3 backup (MVT test artifacts)', () => {
  it('looks for voice memos where iOS 14 keeps them: its manifest lists MediaDomain Media/Recordings/CloudRecordings.db and Recordings.db, without their data', async () => {
    const reader = await BackupReader.open(mvt!);
    try {
      const report = await runExtraction(reader, { out: join(root, 'mvt-out'), tempDir: root, types: ['audio'] });
      expect(report.types).toEqual([
        {
          type: 'audio',
          status: 'missing',
          records: 0,
          files: 0,
          warnings: [
            'MediaDomain/Media/Recordings/CloudRecordings.db is listed in the backup but its data is not there',
            'MediaDomain/Media/Recordings/Recordings.db is listed in the backup but its data is not there',
          ],
        },
      ]);
      const [scan] = await scanBackupContent(reader, { types: ['audio'], tempDir: root });
      expect(scan).toMatchObject({ type: 'audio', present: false, count: 0 });
    } finally {
      await reader.close();
    }
  });
});
