import { toBinaryPlist, type PlistDict } from '../../plist/index.js';
import { patternBytes, type SyntheticItem } from '../../backup/index.js';
import type { TruthRingtone, TruthTrack, TruthVoiceMemo, VoiceMemoLayout } from './audio-truth.js';
import { buildMediaLibraryDb, MEDIA_LIBRARY } from './music-library.js';
import type { SeededRandom } from './seeded-random.js';
import type { SqliteImage } from './sqlite-image.js';
import { tinyAudio } from './tiny-audio.js';
import { buildVoiceMemosDb, VOICE_MEMO_LOCATIONS } from './voice-memos.js';

/** Custom tones synced by iTunes/Finder, and their names (TonesDomain; older backups hold them in MediaDomain). */
export const RINGTONES_FOLDER = 'Media/iTunes_Control/Ringtones';
export const RINGTONES_PLIST = 'Media/iTunes_Control/iTunes/Ringtones.plist';
export const PURCHASED_TONES_FOLDER = 'Media/Purchases';

export interface AudioSpec {
  voiceMemos: number;
  deletedVoiceMemos: number;
  ringtones: number;
  tracks: number;
  layout: VoiceMemoLayout;
  /** The iOS major version whose schemas to write (default NEWEST_IOS). */
  iosVersion?: number;
  window: [Date, Date];
  seed: string;
}

export interface AudioContent {
  items: SyntheticItem[];
  voiceMemos: TruthVoiceMemo[];
  deletedVoiceMemos: TruthVoiceMemo[];
  ringtones: TruthRingtone[];
  tracks: TruthTrack[];
}

// Default names the app gives (place names on iOS 15+, "New Recording n" before), renamed ones, a repeated name
// (two files "Home") and one with a slash, which no file name may hold.
const MEMO_TITLES = [
  'Home',
  'New Recording 2',
  'Lecture 4 – thermodynamics',
  'Song idea (chorus)',
  'Interview 3/4',
  'Home',
  'Rue de Rivoli 12',
  'Meeting notes',
];
const TONE_NAMES = ['Marimba Remix', 'Dog bark', 'Café bells', 'Theme/Intro', 'Alarm — sunrise', 'Ping'];
const LIBRARY = [
  {
    artist: 'Northern Lights Quartet',
    album: 'Tide & Stone',
    genre: 'Jazz',
    titles: ['Harbour at Dawn', 'Slow Current', 'Basalt'],
  },
  {
    artist: 'Mira Okafor',
    album: 'Paper Cities',
    genre: 'Pop',
    titles: ['Paper Cities', 'Neon "Rain"', 'Small Hours'],
  },
  { artist: 'Los Caminos', album: 'Tierra Adentro', genre: 'Latin', titles: ['Camino Real', 'Sin Prisa'] },
];

function stamp(date: Date): string {
  const iso = date.toISOString();
  return `${iso.slice(0, 10).replace(/-/g, '')} ${iso.slice(11, 19).replace(/:/g, '')}`;
}

function letters(random: SeededRandom, n: number): string {
  return Array.from({ length: n }, () => String.fromCharCode(65 + random.int(0, 25))).join('');
}

function pickDoomed(random: SeededRandom, total: number, count: number): Set<number> {
  const doomed = new Set<number>();
  while (doomed.size < Math.min(count, total)) doomed.add(random.int(1, total));
  return doomed;
}

function databaseItems(path: { domain: string; relativePath: string }, image: SqliteImage): SyntheticItem[] {
  const items: SyntheticItem[] = [{ ...path, data: image.main }];
  if (image.wal) items.push({ domain: path.domain, relativePath: `${path.relativePath}-wal`, data: image.wal });
  return items;
}

function generateVoiceMemos(
  random: SeededRandom,
  spec: AudioSpec,
): { memos: TruthVoiceMemo[]; deleted: TruthVoiceMemo[] } {
  const location = VOICE_MEMO_LOCATIONS[spec.layout];
  const folder = location.relativePath.slice(0, location.relativePath.lastIndexOf('/'));
  const total = spec.voiceMemos + spec.deletedVoiceMemos;
  const doomed = pickDoomed(random, total, spec.deletedVoiceMemos);
  const start = spec.window[0].getTime();
  const step = (spec.window[1].getTime() - start) / Math.max(total, 1);
  const memos: TruthVoiceMemo[] = [];
  const deleted: TruthVoiceMemo[] = [];
  for (let pk = 1; pk <= total; pk++) {
    const base = MEMO_TITLES[(pk - 1) % MEMO_TITLES.length]!;
    const title = pk > MEMO_TITLES.length ? `${base} ${Math.ceil(pk / MEMO_TITLES.length)}` : base;
    const date = new Date(Math.floor(start + step * (pk - 1) + random.next() * step * 0.9));
    const uuid = random.uuid();
    const name = spec.layout === 'legacy' ? `${stamp(date)}.m4a` : `${stamp(date)}-${uuid.slice(0, 8)}.m4a`;
    const memo: TruthVoiceMemo = {
      pk,
      uuid: spec.layout === 'legacy' ? null : uuid,
      title,
      titleIn:
        spec.layout === 'legacy'
          ? 'custom-label'
          : spec.layout === 'media-domain'
            ? 'labels'
            : pk === 2
              ? 'custom-label'
              : 'encrypted-title',
      date,
      durationSeconds: random.int(1_500, 900_000) / 1000,
      folder:
        spec.layout === 'app-group' && (title.startsWith('Lecture') || random.chance(0.2))
          ? title.startsWith('Lecture')
            ? 'Lectures'
            : 'Band'
          : null,
      evicted: null,
      storedPath: spec.layout === 'legacy' ? `/var/mobile/Media/Recordings/${name}` : name,
      domain: location.domain,
      relativePath: `${folder}/${name}`,
      data: tinyAudio(patternBytes(`${spec.seed}:memo:${pk}`, random.int(128, 1024))),
    };
    (doomed.has(pk) ? deleted : memos).push(memo);
  }
  // One memo sits in Recently Deleted (ZEVICTIONDATE set, audio kept), where the schema has the column.
  if (spec.layout !== 'legacy' && memos.length >= 3)
    memos[2]!.evicted = new Date(memos[2]!.date.getTime() + random.int(1, 20) * 86_400_000);
  return { memos, deleted };
}

function generateRingtones(random: SeededRandom, count: number, window: [Date, Date], seed: string): TruthRingtone[] {
  const tones: TruthRingtone[] = [];
  const used = new Set<string>();
  for (let i = 0; i < count; i++) {
    let fileName: string;
    do fileName = `${letters(random, 4)}.m4r`;
    while (used.has(fileName));
    used.add(fileName);
    // The last tone has no Ringtones.plist entry (its file stem is its name); with three or more, one is a purchase.
    const purchased = count >= 3 && i === count - 2;
    const listed = i < count - 1 && !purchased;
    const modified = new Date(
      Math.floor((window[0].getTime() + random.next() * (window[1].getTime() - window[0].getTime())) / 1000) * 1000,
    );
    tones.push({
      fileName,
      domain: 'TonesDomain',
      relativePath: `${purchased ? PURCHASED_TONES_FOLDER : RINGTONES_FOLDER}/${fileName}`,
      name: listed ? TONE_NAMES[i % TONE_NAMES.length]! : null,
      kind: listed ? (i % 3 === 1 ? 'tone' : 'ringtone') : null,
      durationMs: listed ? random.int(3_000, 40_000) : null,
      guid: listed ? Array.from({ length: 16 }, () => '0123456789ABCDEF'[random.int(0, 15)]).join('') : null,
      purchased,
      modified,
      data: tinyAudio(patternBytes(`${seed}:tone:${i}`, random.int(128, 768))),
    });
  }
  return tones;
}

/** Ringtones.plist as iTunes/Finder writes it: {Ringtones: {<file name>: {Name, Total Time (ms), Media Kind, GUID, PID,
 * Protected Content}}}. */
function ringtonesPlist(tones: TruthRingtone[], random: SeededRandom): Buffer {
  const entries: PlistDict = {};
  for (const t of tones) {
    if (t.name === null || t.purchased) continue;
    entries[t.fileName] = {
      Name: t.name,
      'Total Time': t.durationMs!,
      'Media Kind': t.kind!,
      GUID: t.guid!,
      PID: BigInt.asIntN(64, BigInt(random.int(1, 2 ** 31)) << 32n),
      'Protected Content': false,
    };
  }
  return toBinaryPlist({ Ringtones: entries });
}

function random64(random: SeededRandom): bigint {
  return BigInt.asIntN(64, (BigInt(random.int(0, 2 ** 32 - 1)) << 32n) | BigInt(random.int(0, 2 ** 32 - 1)));
}

function generateTracks(random: SeededRandom, count: number, window: [Date, Date], seed: string): TruthTrack[] {
  const tracks: TruthTrack[] = [];
  const songs = LIBRARY.flatMap((a) => a.titles.map((title, i) => ({ ...a, title, trackNumber: i + 1 })));
  const kept = new Set<number>();
  // Music is normally re-downloaded rather than backed up: two files are in the backup, the rest are not.
  while (kept.size < Math.min(2, count)) kept.add(random.int(0, count - 1));
  for (let i = 0; i < count; i++) {
    const song = songs[i % songs.length]!;
    const podcast = i === count - 1 && count >= 4;
    const extension = random.chance(0.5) ? 'm4a' : 'mp3';
    const data = kept.has(i) ? tinyAudio(patternBytes(`${seed}:track:${i}`, random.int(256, 2048))) : null;
    tracks.push({
      id: random64(random).toString(),
      title: podcast ? 'Episode 12: Tides' : i >= songs.length ? `${song.title} (Live)` : song.title,
      artist: podcast ? 'Coastal Science Hour' : song.artist,
      album: podcast ? 'Coastal Science Hour' : song.album,
      albumArtist: podcast ? 'Coastal Science Hour' : song.artist,
      genre: podcast ? 'Podcast' : song.genre,
      trackNumber: podcast ? 0 : song.trackNumber,
      discNumber: podcast ? 0 : 1,
      year: 2015 + random.int(0, 8),
      durationSeconds: random.int(60_000, 420_000) / 1000,
      mediaKind: podcast ? 4 : 1,
      fileSize: data?.length ?? random.int(2_000_000, 9_000_000),
      playCount: random.int(0, 40),
      dateAdded: new Date(
        Math.floor((window[0].getTime() + random.next() * (window[1].getTime() - window[0].getTime())) / 1000) * 1000,
      ),
      devicePath: `iTunes_Control/Music/F${String(random.int(0, 49)).padStart(2, '0')}/${letters(random, 4)}.${extension}`,
      data,
    });
  }
  return tracks;
}

/**
 * Voice memos (with their audio, one in Recently Deleted, some purged), custom ringtones (Ringtones.plist names
 * them) and a music library of which only two files are in the backup: backup items plus truth.
 */
export function generateAudio(random: SeededRandom, spec: AudioSpec): AudioContent {
  const items: SyntheticItem[] = [];
  const directories = new Map<string, Set<string>>();
  const addDirectories = (domain: string, relativePath: string): void => {
    const set = directories.get(domain) ?? new Set<string>();
    directories.set(domain, set);
    const parts = relativePath.split('/');
    for (let i = 1; i < parts.length; i++) set.add(parts.slice(0, i).join('/'));
  };

  const { memos, deleted } = generateVoiceMemos(random, spec);
  const location = VOICE_MEMO_LOCATIONS[spec.layout];
  const folders = [...new Set(memos.map((m) => m.folder).filter((f): f is string => f !== null))].sort();
  addDirectories(location.domain, location.relativePath);
  items.push(...databaseItems(location, buildVoiceMemosDb(spec.layout, memos, deleted, folders)));
  for (const m of memos)
    items.push({
      domain: m.domain,
      relativePath: m.relativePath,
      data: m.data,
      mtime: Math.floor(m.date.getTime() / 1000),
    });

  const ringtones = generateRingtones(random, spec.ringtones, spec.window, spec.seed);
  if (ringtones.length > 0) {
    addDirectories('TonesDomain', RINGTONES_PLIST);
    items.push({ domain: 'TonesDomain', relativePath: RINGTONES_PLIST, data: ringtonesPlist(ringtones, random) });
    for (const t of ringtones) {
      addDirectories(t.domain, t.relativePath);
      items.push({ domain: t.domain, relativePath: t.relativePath, data: t.data, mtime: t.modified.getTime() / 1000 });
    }
  }

  const tracks = generateTracks(random, spec.tracks, spec.window, spec.seed);
  addDirectories(MEDIA_LIBRARY.domain, MEDIA_LIBRARY.relativePath);
  items.push(
    ...databaseItems(
      MEDIA_LIBRARY,
      buildMediaLibraryDb(tracks, () => random64(random)),
    ),
  );
  for (const t of tracks) {
    if (t.data === null) continue;
    addDirectories(MEDIA_LIBRARY.domain, `Media/${t.devicePath}`);
    items.push({ domain: MEDIA_LIBRARY.domain, relativePath: `Media/${t.devicePath}`, data: t.data });
  }

  const folderItems: SyntheticItem[] = [...directories].flatMap(([domain, paths]) =>
    [...paths].sort().map((relativePath) => ({ domain, relativePath, kind: 'directory' as const })),
  );
  return { items: [...folderItems, ...items], voiceMemos: memos, deletedVoiceMemos: deleted, ringtones, tracks };
}
