import { createWriteStream } from 'node:fs';
import { copyFile, link, mkdir, rename, rm, stat, utimes } from 'node:fs/promises';
import { dirname, join, resolve, sep } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { IosRescueError } from '../errors.js';
import type { AfcClient } from '../services/afc/index.js';
import type { DeviceAccess } from './device-access.js';
import { captureDateOf, EXIF_HEAD_BYTES, exifDate } from './media-dates.js';
import { MediaError } from './media-errors.js';
import { MediaManifest } from './media-manifest.js';
import { readPhotoFacts, readTrackNames } from './media-photos-db.js';
import { ALBUMS_FOLDER, planMedia, type PlannedFile } from './media-plan.js';
import { openMediaConnection } from './media-session.js';
import { isImagePath, isVideoPath, MEDIA_TYPES, type MediaType } from './media-types.js';

export interface MediaPullOptions {
  udid?: string;
  /** The output folder; made when missing. */
  out: string;
  types?: MediaType[];
  /** Only files taken at or after / before this time (ms since 1970), by Photos.sqlite's date or the phone's mtime. */
  sinceMs?: number;
  untilMs?: number;
  /** Also fill Albums/<title>/ with the person's albums (hard links to the copied files where the disk allows). */
  albums?: boolean;
  /** AFC connections copying side by side (default 4), and files in flight on each (default 2). */
  connections?: number;
  concurrency?: number;
  onProgress?: (progress: MediaPullProgress) => void;
  /** Each file as it is copied or found unchanged (the CLI's --json events). */
  onFile?: (event: MediaFileEvent) => void;
}

export interface MediaPullProgress {
  phase: 'listing' | 'copying' | 'done';
  /** Files handled (copied or unchanged) of filesTotal. */
  files: number;
  filesTotal: number;
  bytesDone: number;
  bytesTotal: number;
}

export interface MediaFileEvent {
  path: string;
  out: string;
  type: MediaType;
  bytes: number;
  /** filtered: copied to learn its capture date, which is outside --since/--until, and dropped. */
  action: 'copied' | 'unchanged' | 'filtered';
  /** The date the copy was given (capture date, or the phone's mtime), ISO 8601. */
  date: string;
}

export interface MediaPullProblem {
  path: string;
  code: string;
  message: string;
}

export interface MediaPullResult {
  udid: string;
  out: string;
  copied: number;
  bytes: number;
  unchanged: number;
  /** Left out by --since/--until. */
  filtered: number;
  recentlyDeleted: number;
  byType: Record<MediaType, { files: number; bytes: number }>;
  seconds: number;
  /** Files that could not be copied; the rest of the pull went on. */
  problems: MediaPullProblem[];
}

/** Per-file failures; anything else (connection lost, disk full, interrupted) ends the pull. */
const PER_FILE_CODES = new Set([
  'AFC_OBJECT_NOT_FOUND',
  'AFC_PERM_DENIED',
  'MEDIA_OUTPUT_UNUSABLE',
  'MEDIA_SIZE_CHANGED',
]);
const PROGRESS_INTERVAL_MS = 250;

/**
 * Copies the phone's photos, videos, music, recordings and downloads over AFC into `out` (media-plan.ts says where
 * each goes), each under its own name with its capture date as mtime (Photos.sqlite, else EXIF/QuickTime, else the
 * phone's mtime). Each file is written as `<name>.partial` and renamed when whole, then noted in the manifest: a
 * re-run copies nothing unchanged and an interrupted one picks up where it stopped, never leaving a partial file
 * under a final name. Up to `concurrency` files stream at once, each with several reads in flight.
 */
export async function pullMedia(access: DeviceAccess, options: MediaPullOptions): Promise<MediaPullResult> {
  const started = Date.now();
  const out = resolve(options.out);
  await mkdir(out, { recursive: true, mode: 0o700 }).catch((error: NodeJS.ErrnoException) => {
    throw new MediaError(
      'MEDIA_OUTPUT_UNUSABLE',
      `cannot make the output folder ${out}: ${error.code ?? error.message}`,
      {
        cause: error,
      },
    );
  });
  const manifest = await MediaManifest.open(out);
  const connection = await openMediaConnection(access, options.udid);
  const clients = [connection.afc];
  const stopOnAbort = (): void => {
    for (const client of clients) client.close();
  };
  access.signal?.addEventListener('abort', stopOnAbort, { once: true });
  if (access.signal?.aborted) stopOnAbort();
  try {
    const { afc } = connection;
    const types = options.types ?? [...MEDIA_TYPES];
    const progress: MediaPullProgress = { phase: 'listing', files: 0, filesTotal: 0, bytesDone: 0, bytesTotal: 0 };
    options.onProgress?.({ ...progress });
    const facts =
      types.includes('photos') || types.includes('videos') ? await readPhotoFacts(afc, access.logger) : undefined;
    const all = await planMedia(
      afc,
      types,
      facts,
      types.includes('music') ? await readTrackNames(afc, access.logger) : undefined,
    );
    const inRange = (dateMs: number): boolean =>
      (options.sinceMs === undefined || dateMs >= options.sinceMs) &&
      (options.untilMs === undefined || dateMs < options.untilMs);
    const dated = options.sinceMs !== undefined || options.untilMs !== undefined ? inRange : undefined;
    // A date Photos.sqlite knows decides now; one that only the file itself holds (EXIF, QuickTime) is read from
    // the copy, which is dropped when out of range.
    const planned = all.filter((file) => file.createdMs === undefined || inRange(file.createdMs));
    progress.phase = 'copying';
    progress.filesTotal = planned.length;
    progress.bytesTotal = planned.reduce((sum, file) => sum + file.size, 0);
    const result: MediaPullResult = {
      udid: connection.udid,
      out,
      copied: 0,
      bytes: 0,
      unchanged: 0,
      filtered: all.length - planned.length,
      recentlyDeleted: planned.filter((file) => file.trashed).length,
      byType: Object.fromEntries(
        MEDIA_TYPES.map((type) => [type, { files: 0, bytes: 0 }]),
      ) as MediaPullResult['byType'],
      seconds: 0,
      problems: [],
    };
    let lastReport = 0;
    const report = (force = false): void => {
      const now = Date.now();
      if (!force && now - lastReport < PROGRESS_INTERVAL_MS) return;
      lastReport = now;
      options.onProgress?.({ ...progress });
    };
    report(true);

    let next = 0;
    let fatal: unknown;
    const madeFolders = new Set<string>();
    const worker = async (client: AfcClient): Promise<void> => {
      while (fatal === undefined && next < planned.length) {
        const file = planned[next++]!;
        try {
          const event = await pullOne(client, out, file, manifest, dated, madeFolders, (bytes) => {
            progress.bytesDone += bytes;
            report();
          });
          if (event.action === 'filtered') {
            result.filtered += 1;
            progress.files += 1;
            continue;
          }
          if (event.action === 'copied') {
            result.copied += 1;
            result.bytes += file.size;
          } else {
            result.unchanged += 1;
            progress.bytesDone += file.size;
          }
          result.byType[file.type].files += 1;
          result.byType[file.type].bytes += file.size;
          if (options.albums) await linkIntoAlbums(out, file);
          options.onFile?.(event);
        } catch (error) {
          const code = error instanceof IosRescueError ? error.code : (error as NodeJS.ErrnoException).code;
          if (code === 'ENOSPC')
            fatal ??= new MediaError('MEDIA_NO_SPACE', `the disk holding ${out} is full`, { cause: error });
          else if (code !== undefined && PER_FILE_CODES.has(code))
            result.problems.push({ path: file.path, code, message: (error as Error).message });
          else fatal ??= error;
        }
        progress.files += 1;
        report();
      }
    };
    // Each AFC connection is answered in order, one request at a time: copying over several side by side keeps
    // the phone's disk and the host's busy while one connection waits.
    const connections = Math.max(1, Math.min(options.connections ?? 4, planned.length));
    while (clients.length < connections) clients.push(await connection.openAfc());
    const perConnection = Math.max(1, options.concurrency ?? 2);
    await Promise.all(clients.flatMap((client) => Array.from({ length: perConnection }, () => worker(client))));
    if (fatal !== undefined) throw access.signal?.aborted ? access.signal.reason : fatal;
    progress.phase = 'done';
    report(true);
    result.seconds = (Date.now() - started) / 1000;
    return result;
  } finally {
    access.signal?.removeEventListener('abort', stopOnAbort);
    await connection.close();
    await manifest.close();
  }
}

/** The output path for a phone path, or a per-file error when a name from the phone cannot be one safely. */
function outputPath(out: string, relative: string): string {
  const parts = relative.split('/');
  if (parts.some((part) => part === '' || part === '.' || part === '..' || part.includes('\0')))
    throw new MediaError(
      'MEDIA_OUTPUT_UNUSABLE',
      `the phone named a file ${JSON.stringify(relative)}: not a safe name`,
    );
  const target = join(out, ...parts);
  if (!target.startsWith(out + sep))
    throw new MediaError('MEDIA_OUTPUT_UNUSABLE', `${relative} leaves the output folder`);
  return target;
}

async function pullOne(
  afc: AfcClient,
  out: string,
  file: PlannedFile,
  manifest: MediaManifest,
  inRange: ((dateMs: number) => boolean) | undefined,
  madeFolders: Set<string>,
  onBytes: (bytes: number) => void,
): Promise<MediaFileEvent> {
  const target = outputPath(out, file.out);
  const entry = { path: file.path, size: file.size, mtimeMs: file.mtimeMs, out: file.out };
  const base = { path: file.path, out: file.out, type: file.type, bytes: file.size };
  if (manifest.unchanged(entry)) {
    const existing = await stat(target).catch(() => undefined);
    if (existing?.isFile() && existing.size === file.size)
      return { ...base, action: 'unchanged', date: existing.mtime.toISOString() };
  }
  const folder = dirname(target);
  if (!madeFolders.has(folder)) {
    await mkdir(folder, { recursive: true, mode: 0o700 });
    madeFolders.add(folder);
  }
  const partial = `${target}.partial`;
  try {
    const source = afc.readFileStream(file.path, { size: file.size });
    // An image's EXIF is in its first bytes: keep them as they pass, so the date needs no second read of the copy.
    const head: Buffer[] = [];
    let headBytes = 0;
    source.on('data', (chunk: Buffer) => {
      onBytes(chunk.length);
      if (headBytes < EXIF_HEAD_BYTES && file.createdMs === undefined && isImagePath(file.path)) {
        head.push(chunk);
        headBytes += chunk.length;
      }
    });
    await pipeline(source, createWriteStream(partial, { mode: 0o600 }));
    const written = (await stat(partial)).size;
    if (written !== file.size)
      throw new MediaError(
        'MEDIA_SIZE_CHANGED',
        `${file.path}: the phone listed ${file.size} bytes and sent ${written}`,
      );
    const fromFile =
      file.createdMs !== undefined
        ? undefined
        : head.length > 0
          ? exifDate((head.length === 1 ? head[0]! : Buffer.concat(head)).subarray(0, EXIF_HEAD_BYTES))
          : isVideoPath(file.path)
            ? await captureDateOf(partial)
            : undefined;
    const dateMs = file.createdMs ?? fromFile?.getTime() ?? file.mtimeMs;
    if (inRange !== undefined && !inRange(dateMs)) {
      await rm(partial, { force: true });
      return { ...base, action: 'filtered', date: new Date(dateMs).toISOString() };
    }
    await utimes(partial, dateMs / 1000, dateMs / 1000);
    await rename(partial, target);
    await manifest.record(entry);
    return { ...base, action: 'copied', date: new Date(dateMs).toISOString() };
  } catch (error) {
    await rm(partial, { force: true });
    throw error;
  }
}

/** Albums/<title>/<name>: a hard link to the copy (no extra space), or a copy where links are not possible. */
async function linkIntoAlbums(out: string, file: PlannedFile): Promise<void> {
  const target = outputPath(out, file.out);
  const name = file.out.split('/').at(-1)!;
  for (const title of file.albums) {
    const folder =
      title
        .replace(/[/\\\0]/g, '_')
        .replace(/^\.+/, '_')
        .trim() || '_';
    const inAlbum = outputPath(out, `${ALBUMS_FOLDER}/${folder}/${name}`);
    if (await stat(inAlbum).catch(() => undefined)) continue;
    await mkdir(dirname(inAlbum), { recursive: true, mode: 0o700 });
    await link(target, inAlbum).catch(async () => {
      await copyFile(target, inAlbum);
      const { mtime } = await stat(target);
      await utimes(inAlbum, mtime, mtime);
    });
  }
}
