import type { AfcClient, AfcFileInfo } from '../services/afc/index.js';

export interface MediaFile {
  /** AFC path from the media root, e.g. /DCIM/100APPLE/IMG_0001.JPG. */
  path: string;
  size: number;
  mtimeMs: number;
}

/** GetFileInfo requests kept in flight while a folder is described: a phone answers them back to back. */
const STAT_WINDOW = 32;

function isMissing(error: unknown): boolean {
  return (error as { code?: string }).code === 'AFC_OBJECT_NOT_FOUND';
}

/**
 * Every regular file under `root`, folder by folder, in name order. Entries of a folder are described with up to
 * STAT_WINDOW requests in flight, so a folder of tens of thousands of photos costs a few round trips' latency, not
 * one per file; only one folder's names are held at a time. Symbolic links are not followed (a phone's media
 * partition has none a person made); a missing root is an empty walk.
 */
export async function* walkMedia(afc: AfcClient, root: string): AsyncGenerator<MediaFile> {
  let names: string[];
  try {
    names = (await afc.readDirectory(root)).sort();
  } catch (error) {
    if (isMissing(error)) return;
    throw error;
  }
  const folders: string[] = [];
  for (let start = 0; start < names.length; start += STAT_WINDOW) {
    const batch = names.slice(start, start + STAT_WINDOW).map((name) => `${root === '/' ? '' : root}/${name}`);
    const infos = await Promise.all(
      batch.map((path) =>
        afc.stat(path).catch((error: unknown): AfcFileInfo | undefined => {
          if (isMissing(error)) return undefined; // deleted on the phone while we looked
          throw error;
        }),
      ),
    );
    for (let i = 0; i < batch.length; i++) {
      const info = infos[i];
      if (info === undefined) continue;
      if (info.kind === 'directory') folders.push(batch[i]!);
      else if (info.kind === 'file') yield { path: batch[i]!, size: info.size, mtimeMs: info.mtimeMs };
    }
  }
  for (const folder of folders) yield* walkMedia(afc, folder);
}
