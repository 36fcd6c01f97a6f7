import { createWriteStream } from 'node:fs';
import { mkdir, rename, rm, stat, utimes } from 'node:fs/promises';
import { dirname, join, resolve, sep } from 'node:path';
import { pipeline } from 'node:stream/promises';
import type { PhoneContent, PhoneItem } from '../backup/phone-content.js';

/**
 * The backup domains whose `Media/...` paths are the media partition AFC serves (`/var/mobile/Media`): the camera
 * roll (DCIM, PhotoData) and the media domain (iTunes_Control, Recordings, Downloads…). A backup of the same phone
 * holds the same files under these domains.
 */
const MEDIA_DOMAINS: ReadonlySet<string> = new Set(['CameraRollDomain', 'MediaDomain']);
const MEDIA_PREFIX = 'Media/';

/** Folders every phone's media partition has, even empty. */
export const STANDARD_MEDIA_FOLDERS = [
  'DCIM',
  'PhotoData',
  'iTunes_Control/Music',
  'iTunes_Control/iTunes',
  'Recordings',
  'Downloads',
  'Books',
] as const;

/** The AFC path (relative to the media root) of a content item, or undefined when it is not media. */
export function mediaPathOf(item: Pick<PhoneItem, 'domain' | 'relativePath'>): string | undefined {
  if (!MEDIA_DOMAINS.has(item.domain) || !item.relativePath.startsWith(MEDIA_PREFIX)) return undefined;
  const relative = item.relativePath.slice(MEDIA_PREFIX.length);
  return relative === '' ? undefined : relative;
}

export interface PopulateResult {
  files: number;
  bytes: number;
  /** Files already there with the same size and time, left alone. */
  unchanged: number;
}

/**
 * Writes the media files of a phone's content into `root`, with their recorded modification times, streaming one
 * file at a time (a 2 GB camera roll costs no more memory than one photo). A file already present with the same
 * size and time is left alone, so a restarted emulator does not copy its media again. Paths that would leave the
 * root are skipped: content is input too.
 */
export async function populateMedia(root: string, content: PhoneContent): Promise<PopulateResult> {
  const result: PopulateResult = { files: 0, bytes: 0, unchanged: 0 };
  const base = resolve(root);
  for (const folder of STANDARD_MEDIA_FOLDERS) await mkdir(join(base, folder), { recursive: true });
  for await (const item of content.items()) {
    const relative = mediaPathOf(item);
    if (relative === undefined) continue;
    const target = resolve(base, relative);
    if (!target.startsWith(base + sep)) continue;
    if (item.kind === 'directory') {
      await mkdir(target, { recursive: true });
      continue;
    }
    if (item.kind !== 'file') continue;
    const seconds = item.metadata.lastModified ?? item.metadata.birth ?? Math.floor(Date.now() / 1000);
    const existing = await stat(target).catch(() => undefined);
    if (existing?.isFile() && existing.size === item.metadata.size && Math.floor(existing.mtimeMs / 1000) === seconds) {
      result.unchanged += 1;
      continue;
    }
    await mkdir(dirname(target), { recursive: true });
    const partial = `${target}.populating`;
    try {
      await pipeline(await content.open(item), createWriteStream(partial));
      await utimes(partial, seconds, seconds);
      await rename(partial, target);
    } catch (error) {
      await rm(partial, { force: true });
      throw error;
    }
    result.files += 1;
    result.bytes += item.metadata.size;
  }
  return result;
}
