import type Database from 'better-sqlite3';
import { fromAppleSeconds } from '../apple-time.js';
import { csvRow } from '../exporters/csv.js';
import { TextSink } from '../exporters/text-sink.js';
import { inRange, type Extractor } from '../extractor.js';
import { ExtractError } from '../errors.js';
import type { PhotoRecord } from '../records.js';
import { column, deletedByCoreDataMax, firstTable, tableColumns } from '../schema.js';

export const PHOTOS_DB = { domain: 'CameraRollDomain', relativePath: 'Media/PhotoData/Photos.sqlite' } as const;
/** ZASSET from iOS 14, ZGENERICASSET before (iOS 11–13). */
const ASSET_TABLES = ['ZASSET', 'ZGENERICASSET'] as const;
/** Photos writes -180 for "no location". */
const NO_LOCATION = -180;

function coordinate(value: unknown): number | null {
  const n = typeof value === 'number' ? value : null;
  return n === null || n === NO_LOCATION || !Number.isFinite(n) ? null : n;
}

export function* readPhotos(db: Database.Database): Generator<PhotoRecord> {
  const table = firstTable(db, ASSET_TABLES);
  if (table === undefined) throw new ExtractError('EXTRACT_SCHEMA_UNSUPPORTED', 'Photos.sqlite has neither ZASSET nor ZGENERICASSET');
  const cols = tableColumns(db, table);
  const extra = tableColumns(db, 'ZADDITIONALASSETATTRIBUTES');
  const wanted = ['ZUUID', 'ZKIND', 'ZDIRECTORY', 'ZFILENAME', 'ZUNIFORMTYPEIDENTIFIER', 'ZDATECREATED', 'ZMODIFICATIONDATE', 'ZLATITUDE', 'ZLONGITUDE', 'ZWIDTH', 'ZHEIGHT', 'ZFAVORITE', 'ZHIDDEN', 'ZTRASHEDSTATE', 'ZTRASHEDDATE'];
  // The attributes row is reached from the asset (ZADDITIONALATTRIBUTES) or, in some versions only, back from it (ZASSET).
  const join = extra.size === 0 ? '' : cols.has('ZADDITIONALATTRIBUTES') ? 'LEFT JOIN ZADDITIONALASSETATTRIBUTES aa ON aa.Z_PK = a.ZADDITIONALATTRIBUTES' : extra.has('ZASSET') ? 'LEFT JOIN ZADDITIONALASSETATTRIBUTES aa ON aa.ZASSET = a.Z_PK' : '';
  const original = join ? column(extra, 'aa', 'ZORIGINALFILENAME') : 'NULL AS "ZORIGINALFILENAME"';
  const sql = `SELECT a.Z_PK AS id, ${wanted.map((w) => column(cols, 'a', w)).join(', ')}, ${original} FROM ${table} a ${join} ORDER BY a.ZDATECREATED, a.Z_PK`;
  for (const r of db.prepare(sql).iterate() as IterableIterator<Record<string, unknown>>) {
    const kind = Number(r.ZKIND);
    const trashed = Number(r.ZTRASHEDSTATE) === 1;
    yield {
      origin: trashed ? 'recently-deleted' : 'live',
      id: Number(r.id),
      uuid: (r.ZUUID as string) ?? null,
      kind: kind === 0 ? 'photo' : kind === 1 ? 'video' : 'other',
      directory: (r.ZDIRECTORY as string) ?? null,
      filename: (r.ZFILENAME as string) ?? null,
      originalFilename: (r.ZORIGINALFILENAME as string) || null,
      uti: (r.ZUNIFORMTYPEIDENTIFIER as string) ?? null,
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
    };
  }
}

/** Output sub-folder: what a person looks for first (Recently Deleted and Hidden apart from the camera roll). */
function albumFolder(photo: PhotoRecord): string {
  return photo.recentlyDeleted ? 'photos/Recently Deleted' : photo.hidden ? 'photos/Hidden' : 'photos/Camera Roll';
}

const CSV_HEADER = ['id', 'file', 'original_filename', 'kind', 'created', 'latitude', 'longitude', 'favorite', 'hidden', 'recently_deleted', 'trashed_date', 'width', 'height', 'device_path', 'uuid'];

export const photosExtractor: Extractor = {
  type: 'photos',

  async scan({ reader, work }) {
    const opened = await work.openDatabase(reader, PHOTOS_DB.domain, PHOTOS_DB.relativePath);
    if (opened === undefined) return null;
    const table = firstTable(opened.db, ASSET_TABLES);
    let media = 0;
    for await (const entry of reader.files({ domain: PHOTOS_DB.domain, match: 'Media/DCIM/**' })) media += entry.kind === 'file' ? (entry.metadata?.size ?? 0) : 0;
    if (table === undefined) return { count: 0, recentlyDeleted: 0, purged: null, firstDate: null, lastDate: null, bytes: opened.bytes + media };
    const trashed = tableColumns(opened.db, table).has('ZTRASHEDSTATE') ? 'sum(ZTRASHEDSTATE = 1)' : '0';
    const row = opened.db.prepare(`SELECT count(*) AS n, ${trashed} AS trashed, min(ZDATECREATED) AS first, max(ZDATECREATED) AS last FROM ${table}`).get() as { n: number; trashed: number | null; first: number | null; last: number | null };
    return {
      count: row.n, recentlyDeleted: row.trashed ?? 0, purged: deletedByCoreDataMax(opened.db, 'Asset', row.n),
      firstDate: fromAppleSeconds(row.first)?.toISOString() ?? null, lastDate: fromAppleSeconds(row.last)?.toISOString() ?? null, bytes: opened.bytes + media,
    };
  },

  async extract({ reader, work, out, range, warn, signal }) {
    const opened = await work.openDatabase(reader, PHOTOS_DB.domain, PHOTOS_DB.relativePath);
    if (opened === undefined) return null;
    const csv = new TextSink(await out.absolute('photos/photos.csv'));
    const json = new TextSink(await out.absolute('photos/photos.json'));
    await csv.write(csvRow(CSV_HEADER));
    await json.write('[');
    let records = 0;
    let files = 0;
    const missing: string[] = [];
    for (const photo of readPhotos(opened.db)) {
      if (!inRange(range, photo.created)) continue;
      signal?.throwIfAborted();
      const devicePath = photo.directory && photo.filename ? `Media/${photo.directory}/${photo.filename}` : null;
      const entry = devicePath === null ? undefined : reader.get(PHOTOS_DB.domain, devicePath);
      if (entry !== undefined && entry.kind === 'file') {
        photo.file = out.uniquePath(albumFolder(photo), photo.originalFilename ?? photo.filename ?? `asset-${photo.id}`);
        // The creation date from Photos.sqlite becomes the file's mtime: the backup's own mtime is when iOS wrote the file.
        await out.writeStream(photo.file, await reader.openFile(entry), photo.created ? new Date(photo.created) : undefined);
        files++;
      } else {
        missing.push(devicePath ?? `asset ${photo.id}`);
      }
      await csv.write(csvRow([photo.id, photo.file, photo.originalFilename, photo.kind, photo.created, photo.latitude, photo.longitude, photo.favorite, photo.hidden, photo.recentlyDeleted, photo.trashedDate, photo.width, photo.height, devicePath, photo.uuid]));
      await json.write(`${records === 0 ? '' : ','}\n  ${JSON.stringify(photo)}`);
      records++;
    }
    await json.write(records === 0 ? ']\n' : '\n]\n');
    await csv.close();
    await json.close();
    if (missing.length > 0) warn(`${missing.length} asset file(s) not in the backup (kept in iCloud only, or not backed up): ${missing.slice(0, 5).join(', ')}${missing.length > 5 ? ', …' : ''}`);
    return { records, files: files + 2 };
  },
};
