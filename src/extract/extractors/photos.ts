import type Database from 'better-sqlite3';
import type { BackupFileEntry, BackupReader } from '../../backup/index.js';
import { fromAppleSeconds } from '../apple-time.js';
import { csvRow } from '../exporters/csv.js';
import { TextSink } from '../exporters/text-sink.js';
import { defineExtractor, inRange, source } from '../extractor.js';
import { WriteQueue } from '../write-queue.js';
import { copyEntry, readable } from '../copy-entry.js';
import type { AlbumRecord, PhotoRecord } from '../records.js';
import { column, deletedByCoreDataMax, firstTable, tableColumns, textValue } from '../schema.js';
import { isUserAlbum, readAlbumIndex, type AlbumIndex } from './photo-albums.js';
import { photosSection } from '../report/sections/photos.js';
import { unsupportedSchema } from '../unsupported-schema.js';

export const PHOTOS_DB = { domain: 'CameraRollDomain', relativePath: 'Media/PhotoData/Photos.sqlite' } as const;
/** ZASSET from iOS 14, ZGENERICASSET before (iOS 11–13). */
const ASSET_TABLES = ['ZASSET', 'ZGENERICASSET'] as const;
/** Photos writes -180 for "no location". */
const NO_LOCATION = -180;
/** ZKINDSUBTYPE values (iLEAPP's Photos modules list the rest: 1 panorama, 100+ video kinds). */
const LIVE_PHOTO = 2;
const SCREENSHOT = 10;

/** ZUUID is text in current files and 16 raw bytes in iOS 8-era ones: both come out as the UUID's text. */
function uuidValue(value: unknown): string | null {
  if (Buffer.isBuffer(value) && value.length === 16) {
    const hex = value.toString('hex').toUpperCase();
    return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
  }
  return textValue(value);
}

function coordinate(value: unknown): number | null {
  const n = typeof value === 'number' ? value : null;
  return n === null || n === NO_LOCATION || !Number.isFinite(n) ? null : n;
}

/** Every asset by creation date; `albums` filled from the album index when one is given (see readAlbumIndex). */
export function* readPhotos(db: Database.Database, albumIndex: AlbumIndex | null = null): Generator<PhotoRecord> {
  const table = firstTable(db, ASSET_TABLES);
  if (table === undefined) throw unsupportedSchema(db, 'Photos.sqlite', 'ZASSET or ZGENERICASSET table');
  const cols = tableColumns(db, table);
  const extra = tableColumns(db, 'ZADDITIONALASSETATTRIBUTES');
  const wanted = [
    'ZUUID',
    'ZKIND',
    'ZDIRECTORY',
    'ZFILENAME',
    'ZUNIFORMTYPEIDENTIFIER',
    'ZDATECREATED',
    'ZMODIFICATIONDATE',
    'ZLATITUDE',
    'ZLONGITUDE',
    'ZWIDTH',
    'ZHEIGHT',
    'ZFAVORITE',
    'ZHIDDEN',
    'ZTRASHEDSTATE',
    'ZTRASHEDDATE',
    'ZKINDSUBTYPE',
    'ZISDETECTEDSCREENSHOT',
  ];
  // The attributes row is reached from the asset (ZADDITIONALATTRIBUTES) or, in some versions only, back from it
  // (ZASSET).
  const join =
    extra.size === 0
      ? ''
      : cols.has('ZADDITIONALATTRIBUTES')
        ? 'LEFT JOIN ZADDITIONALASSETATTRIBUTES aa ON aa.Z_PK = a.ZADDITIONALATTRIBUTES'
        : extra.has('ZASSET')
          ? 'LEFT JOIN ZADDITIONALASSETATTRIBUTES aa ON aa.ZASSET = a.Z_PK'
          : '';
  const original = join ? column(extra, 'aa', 'ZORIGINALFILENAME') : 'NULL AS "ZORIGINALFILENAME"';
  const sql = `SELECT a.Z_PK AS id, ${wanted.map((w) => column(cols, 'a', w)).join(', ')}, ${original} FROM ${table} a ${join} ORDER BY a.ZDATECREATED, a.Z_PK`;
  for (const r of db.prepare(sql).iterate() as IterableIterator<Record<string, unknown>>) {
    const kind = Number(r.ZKIND);
    const trashed = Number(r.ZTRASHEDSTATE) === 1;
    const subtype = Number(r.ZKINDSUBTYPE);
    const albums = (albumIndex?.byAsset.get(Number(r.id)) ?? [])
      .map((m) => albumIndex!.albums.get(m.album)!)
      .filter((a) => isUserAlbum(a) && !a.trashed && a.title !== null)
      .map((a) => a.title!);
    yield {
      origin: trashed ? 'recently-deleted' : 'live',
      id: Number(r.id),
      uuid: uuidValue(r.ZUUID),
      kind: kind === 0 ? 'photo' : kind === 1 ? 'video' : 'other',
      directory: textValue(r.ZDIRECTORY),
      filename: textValue(r.ZFILENAME),
      originalFilename: textValue(r.ZORIGINALFILENAME) || null,
      uti: textValue(r.ZUNIFORMTYPEIDENTIFIER),
      created: fromAppleSeconds(r.ZDATECREATED)?.toISOString() ?? null,
      modified: fromAppleSeconds(r.ZMODIFICATIONDATE)?.toISOString() ?? null,
      latitude: coordinate(r.ZLATITUDE),
      longitude: coordinate(r.ZLONGITUDE),
      width: r.ZWIDTH === null ? null : Number(r.ZWIDTH),
      height: r.ZHEIGHT === null ? null : Number(r.ZHEIGHT),
      favorite: Number(r.ZFAVORITE) === 1,
      hidden: Number(r.ZHIDDEN) === 1,
      recentlyDeleted: trashed,
      trashedDate: fromAppleSeconds(r.ZTRASHEDDATE)?.toISOString() ?? null,
      file: null,
      livePhoto: kind === 0 && subtype === LIVE_PHOTO,
      livePhotoVideo: null,
      screenshot: subtype === SCREENSHOT || Number(r.ZISDETECTEDSCREENSHOT) === 1,
      albums,
    };
  }
}

/** Output sub-folder: what a person looks for first (Recently Deleted and Hidden apart from the camera roll). */
function albumFolder(photo: PhotoRecord): string {
  return photo.recentlyDeleted ? 'photos/Recently Deleted' : photo.hidden ? 'photos/Hidden' : 'photos/Camera Roll';
}

const CSV_HEADER = [
  'id',
  'file',
  'original_filename',
  'kind',
  'created',
  'latitude',
  'longitude',
  'favorite',
  'hidden',
  'recently_deleted',
  'trashed_date',
  'width',
  'height',
  'device_path',
  'uuid',
  'live_photo',
  'live_photo_video',
  'screenshot',
  'albums',
];

/** The Live Photo's video: the photo's file name with .MOV, in the same DCIM folder. */
function livePhotoVideoEntry(reader: BackupReader, photo: PhotoRecord): BackupFileEntry | undefined {
  if (photo.directory === null || photo.filename === null) return undefined;
  const stem = photo.filename.replace(/\.[^.]+$/, '');
  for (const extension of ['.MOV', '.mov']) {
    const entry = reader.get(PHOTOS_DB.domain, `Media/${photo.directory}/${stem}${extension}`);
    if (entry?.kind === 'file') return entry;
  }
  return undefined;
}

/**
 * photos/albums.json: each user album (ZKIND 2; deleted ones marked recently-deleted) with the exported files it
 * holds, in album order. Files are not copied once per album: an asset in three albums would be written four times.
 */
function albumRecords(
  index: AlbumIndex | null,
  members: Map<number, Array<{ position: number; uuid: string | null; file: string | null }>>,
): AlbumRecord[] {
  if (index === null) return [];
  return [...index.albums.values()].filter(isUserAlbum).map((a) => ({
    origin: a.trashed ? 'recently-deleted' : 'live',
    id: a.id,
    uuid: a.uuid,
    title: a.title,
    created: a.created,
    assets: (members.get(a.id) ?? []).sort((x, y) => x.position - y.position).map(({ uuid, file }) => ({ uuid, file })),
  }));
}

export const photosExtractor = defineExtractor({
  type: 'photos',
  label: 'Photos',
  saves: 'photos',
  sources: [source(PHOTOS_DB, '11+'), { domain: PHOTOS_DB.domain, path: 'Media/DCIM/**', ios: 'any' }],
  outputs: [
    'Camera Roll/<original name>',
    'Hidden/<original name>',
    'Recently Deleted/<original name>',
    'photos.json',
    'photos.csv',
    'albums.json',
  ],
  records: ['PhotoRecord', 'AlbumRecord'],
  section: photosSection,

  async scan({ reader, work }) {
    const opened = await work.openDatabase(reader, PHOTOS_DB.domain, PHOTOS_DB.relativePath);
    if (opened === undefined) return null;
    const table = firstTable(opened.db, ASSET_TABLES);
    let media = 0;
    for await (const entry of reader.files({ domain: PHOTOS_DB.domain, match: 'Media/DCIM/**' }))
      media += entry.kind === 'file' ? (entry.metadata?.size ?? 0) : 0;
    if (table === undefined)
      return {
        count: 0,
        recentlyDeleted: 0,
        purged: null,
        firstDate: null,
        lastDate: null,
        bytes: opened.bytes + media,
      };
    const trashed = tableColumns(opened.db, table).has('ZTRASHEDSTATE') ? 'sum(ZTRASHEDSTATE = 1)' : '0';
    const row = opened.db
      .prepare(
        `SELECT count(*) AS n, ${trashed} AS trashed, min(ZDATECREATED) AS first, max(ZDATECREATED) AS last FROM ${table}`,
      )
      .get() as { n: number; trashed: number | null; first: number | null; last: number | null };
    return {
      count: row.n,
      recentlyDeleted: row.trashed ?? 0,
      purged: deletedByCoreDataMax(opened.db, 'Asset', row.n),
      firstDate: fromAppleSeconds(row.first)?.toISOString() ?? null,
      lastDate: fromAppleSeconds(row.last)?.toISOString() ?? null,
      bytes: opened.bytes + media,
    };
  },

  /**
   * photos/<Camera Roll|Hidden|Recently Deleted>/<original name> (Live Photo videos beside their photo, same mtime),
   * photos.json and photos.csv (every asset), albums.json (user album → exported files).
   */
  async extract(context) {
    const { reader, work, out, range, warn, signal } = context;
    const opened = await work.openDatabase(reader, PHOTOS_DB.domain, PHOTOS_DB.relativePath);
    if (opened === undefined) return null;
    const albumIndex = readAlbumIndex(opened.db);
    const members = new Map<number, Array<{ position: number; uuid: string | null; file: string | null }>>();
    const csv = new TextSink(await out.absolute('photos/photos.csv'));
    const json = new TextSink(await out.absolute('photos/photos.json'));
    await csv.write(csvRow(CSV_HEADER));
    await json.write('[');
    let records = 0;
    let files = 0;
    const missing: string[] = [];
    const copies = new WriteQueue();
    try {
      for (const photo of readPhotos(opened.db, albumIndex)) {
        if (!inRange(range, photo.created)) continue;
        signal?.throwIfAborted();
        const devicePath = photo.directory && photo.filename ? `Media/${photo.directory}/${photo.filename}` : null;
        const entry = devicePath === null ? undefined : reader.get(PHOTOS_DB.domain, devicePath);
        // The creation date from Photos.sqlite becomes the file's mtime: the backup's own mtime is when iOS wrote the
        // file.
        const mtime = photo.created ? new Date(photo.created) : undefined;
        if (entry !== undefined && entry.kind === 'file') {
          if (readable(context, entry)) {
            const file = out.uniquePath(
              albumFolder(photo),
              photo.originalFilename ?? photo.filename ?? `asset-${photo.id}`,
            );
            photo.file = file;
            await copies.add(async () => {
              await copyEntry(reader, out, entry, file, mtime);
            });
            files++;
          }
        } else {
          missing.push(devicePath ?? `asset ${photo.id}`);
        }
        if (photo.livePhoto) {
          const video = livePhotoVideoEntry(reader, photo);
          if (video === undefined) missing.push(`${devicePath ?? `asset ${photo.id}`} (its Live Photo video)`);
          else if (readable(context, video)) {
            const stem = (photo.file ?? photo.originalFilename ?? photo.filename ?? `asset-${photo.id}`)
              .replace(/^.*\//, '')
              .replace(/\.[^.]+$/, '');
            const file = out.uniquePath(
              albumFolder(photo),
              `${stem}${video.relativePath.slice(video.relativePath.lastIndexOf('.'))}`,
            );
            photo.livePhotoVideo = file;
            await copies.add(async () => {
              await copyEntry(reader, out, video, file, mtime);
            });
            files++;
          }
        }
        for (const m of albumIndex?.byAsset.get(photo.id) ?? []) {
          const list = members.get(m.album) ?? [];
          list.push({ position: m.position, uuid: photo.uuid, file: photo.file });
          members.set(m.album, list);
        }
        await csv.write(
          csvRow([
            photo.id,
            photo.file,
            photo.originalFilename,
            photo.kind,
            photo.created,
            photo.latitude,
            photo.longitude,
            photo.favorite,
            photo.hidden,
            photo.recentlyDeleted,
            photo.trashedDate,
            photo.width,
            photo.height,
            devicePath,
            photo.uuid,
            photo.livePhoto,
            photo.livePhotoVideo,
            photo.screenshot,
            photo.albums.join('; '),
          ]),
        );
        await json.write(`${records === 0 ? '' : ','}\n  ${JSON.stringify(photo)}`);
        records++;
      }
      await copies.drain();
    } finally {
      // On an error or Ctrl-C, the copies already started finish (or fail) before the extractor returns.
      await copies.drain().catch(() => undefined);
    }
    await json.write(records === 0 ? ']\n' : '\n]\n');
    await csv.close();
    await json.close();
    await out.writeFile('photos/albums.json', `${JSON.stringify(albumRecords(albumIndex, members), null, 2)}\n`);
    if (missing.length > 0)
      warn(
        `${missing.length} asset file(s) not in the backup (kept in iCloud only, or not backed up): ${missing.slice(0, 5).join(', ')}${missing.length > 5 ? ', …' : ''}`,
      );
    return { records, files: files + 3 };
  },
});
