import type Database from 'better-sqlite3';
import { fromAppleSeconds } from '../apple-time.js';
import { column, hasTable, quote, tableColumns } from '../schema.js';

/** ZGENERICALBUM.ZKIND of the albums a person made (smart albums, import sessions, folders and shared albums have
 * others). */
export const USER_ALBUM_KIND = 2;

/**
 * The many-to-many table between albums and assets. Core Data names it after the entity numbers, which change in
 * most iOS releases (Z_26ASSETS(Z_26ALBUMS, Z_3ASSETS) in iOS 14, Z_28ASSETS in iOS 16, Z_30/Z_33 later), so it is
 * found by shape: a `Z_<n>ASSETS` table with a `Z_<n>ALBUMS` column and a `Z_<m>ASSETS` column; `Z_FOK_<m>ASSETS`,
 * when present, orders the assets inside an album.
 */
export interface AlbumJoinTable {
  table: string;
  album: string;
  asset: string;
  order: string | null;
}

export function findAlbumJoinTable(db: Database.Database): AlbumJoinTable | undefined {
  const tables = db
    .prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name GLOB 'Z_[0-9]*ASSETS' ORDER BY name")
    .all() as Array<{ name: string }>;
  for (const { name } of tables) {
    const match = /^Z_(\d+)ASSETS$/.exec(name);
    if (match === null) continue;
    const cols = [...tableColumns(db, name)];
    const album = cols.find((c) => c === `Z_${match[1]}ALBUMS`);
    const asset = cols.find((c) => /^Z_\d+ASSETS$/.test(c));
    if (album === undefined || asset === undefined) continue;
    const order = `Z_FOK_${asset.slice(2)}`;
    return { table: name, album, asset, order: cols.includes(order) ? order : null };
  }
  return undefined;
}

export interface PhotoAlbum {
  id: number;
  uuid: string | null;
  kind: number;
  title: string | null;
  trashed: boolean;
  created: string | null;
}

/** What the extractor needs of the albums: every ZGENERICALBUM row, and for each asset its albums in album order. */
export interface AlbumIndex {
  albums: Map<number, PhotoAlbum>;
  /** Asset Z_PK → its user-album memberships ({album id, position inside the album}), by album Z_PK. */
  byAsset: Map<number, Array<{ album: number; position: number }>>;
}

/** Null when the database has no albums table or no join table (the photos are still read). */
export function readAlbumIndex(db: Database.Database): AlbumIndex | null {
  if (!hasTable(db, 'ZGENERICALBUM')) return null;
  const join = findAlbumJoinTable(db);
  if (join === undefined) return null;
  const cols = tableColumns(db, 'ZGENERICALBUM');
  const albums = new Map<number, PhotoAlbum>();
  const rows = db.prepare(
    `SELECT a.Z_PK AS id, ${['ZUUID', 'ZKIND', 'ZTITLE', 'ZTRASHEDSTATE', 'ZCREATIONDATE'].map((c) => column(cols, 'a', c)).join(', ')} FROM ZGENERICALBUM a ORDER BY a.Z_PK`,
  );
  for (const r of rows.iterate() as IterableIterator<Record<string, unknown>>) {
    albums.set(Number(r.id), {
      id: Number(r.id),
      uuid: (r.ZUUID as string | null) ?? null,
      kind: Number(r.ZKIND),
      title: typeof r.ZTITLE === 'string' ? r.ZTITLE : null,
      trashed: Number(r.ZTRASHEDSTATE) === 1,
      created: fromAppleSeconds(r.ZCREATIONDATE)?.toISOString() ?? null,
    });
  }
  const byAsset = new Map<number, Array<{ album: number; position: number }>>();
  const order = join.order === null ? 'NULL' : quote(join.order);
  const members = db.prepare(
    `SELECT ${quote(join.album)} AS album, ${quote(join.asset)} AS asset, ${order} AS position FROM ${quote(join.table)} ORDER BY 1, 3, 2`,
  );
  let n = 0;
  for (const r of members.iterate() as IterableIterator<{ album: number; asset: number; position: number | null }>) {
    // Only user albums: import sessions and smart albums can hold the whole library, and nothing reports them.
    const album = albums.get(r.album);
    if (album === undefined || !isUserAlbum(album)) continue;
    const list = byAsset.get(r.asset) ?? [];
    list.push({ album: r.album, position: r.position ?? n });
    byAsset.set(r.asset, list);
    n++;
  }
  return { albums, byAsset };
}

export function isUserAlbum(album: PhotoAlbum): boolean {
  return album.kind === USER_ALBUM_KIND;
}
