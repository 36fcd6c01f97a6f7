import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { AlbumRecord } from '../../extract/index.js';
import type { BrowseIndex } from './browse-index.js';
import type { BrowseItem } from './browse-items.js';

/** A Photos album as the console lists it; `id` is `a<Z_PK>`, the same however often the index is rebuilt. */
export interface BrowseAlbum {
  id: string;
  title: string;
  count: number;
  recentlyDeleted?: boolean;
  record: AlbumRecord;
}

/** The user albums of photos/albums.json (the extraction's own list), in its order; none when Photos was not read. */
export async function albumsOf(index: BrowseIndex): Promise<BrowseAlbum[]> {
  let records: AlbumRecord[];
  try {
    records = JSON.parse(await readFile(join(index.recordsFolder, 'photos', 'albums.json'), 'utf8')) as AlbumRecord[];
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw error;
  }
  return records.map((record) => ({
    id: `a${record.id}`,
    title: record.title ?? `Album ${record.id}`,
    count: record.assets.length,
    ...(record.origin === 'recently-deleted' ? { recentlyDeleted: true } : {}),
    record,
  }));
}

/** The photo items (records with their file and Live Photo video) of the albums named, matched by asset UUID or file. */
export async function albumPhotos(index: BrowseIndex, albumIds: string[]): Promise<BrowseItem[]> {
  const wanted = new Set(albumIds);
  const uuids = new Set<string>();
  const files = new Set<string>();
  for (const album of await albumsOf(index)) {
    if (!wanted.has(album.id)) continue;
    for (const asset of album.record.assets) {
      if (asset.uuid !== null) uuids.add(asset.uuid);
      else if (asset.file !== null) files.add(asset.file);
    }
  }
  if (uuids.size === 0 && files.size === 0) return [];
  return (await index.itemsOf('photos')).filter((item) => {
    const { uuid, file } = item.record as { uuid?: string | null; file?: string | null };
    return (typeof uuid === 'string' && uuids.has(uuid)) || (typeof file === 'string' && files.has(file));
  });
}
