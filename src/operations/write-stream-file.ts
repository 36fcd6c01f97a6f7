import { constants, rmSync } from 'node:fs';
import { open, rename, rm } from 'node:fs/promises';
import { randomBytes } from 'node:crypto';
import { basename, dirname, join } from 'node:path';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { BackupError } from '../backup/index.js';
import {
  makeOutputFolder,
  outputPermissions,
  settleFileMode,
  writeAll,
  type OutputPermissions,
} from '../extract/index.js';

/** Exclusive: a symlink or anything else already at the name is refused (EEXIST), never followed or replaced. */
const CREATE_NEW = constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW;

export interface WriteNewFileOptions {
  signal?: AbortSignal;
  /** Modes of the file and of the folders created for it (default: private, owner-only). */
  permissions?: OutputPermissions;
}

/**
 * What the file system says of a path it cannot hold (a name too long, a file where a folder must be, a name it cannot
 * encode): a property of that one path, often from a backup's own names, not a failure of the whole run.
 */
export const UNUSABLE_PATH = new Set(['ENAMETOOLONG', 'ENOTDIR', 'EISDIR', 'ELOOP', 'EILSEQ', 'EINVAL']);

/**
 * Streams `source` into a new file (owner-only unless told otherwise), creating its folder. Anything already at
 * `path` is refused. ENOSPC becomes BACKUP_NO_SPACE; the source's own typed errors pass through.
 */
export async function writeStreamToNewFile(
  source: Readable,
  path: string,
  options: WriteNewFileOptions = {},
): Promise<number> {
  const permissions = options.permissions ?? outputPermissions();
  let bytes = 0;
  let sourceError: unknown;
  // A source that fails part-way (a truncated backup file) still leaves every byte it delivered on disk: its error
  // ends the copy cleanly and is rethrown once the file is complete, instead of destroying the pending writes.
  async function* drain(): AsyncGenerator<Buffer> {
    try {
      for await (const chunk of source) {
        bytes += (chunk as Buffer).length;
        yield chunk as Buffer;
      }
    } catch (error) {
      if (options.signal?.aborted) throw error;
      sourceError = error;
    }
  }
  // pipeline's signal ends the pipeline, not a read the source is waiting on: stop the source too.
  // Once the pipeline has stopped listening, the source's 'error' (the abort reason) must not go unhandled.
  const ignoreLateErrors = (): void => void source.on('error', () => undefined);
  const stopSource = (): void => {
    ignoreLateErrors();
    source.destroy(options.signal?.reason as Error);
  };
  options.signal?.addEventListener('abort', stopSource, { once: true });
  if (options.signal?.aborted) stopSource();
  try {
    await makeOutputFolder(dirname(path), permissions);
    const handle = await open(path, CREATE_NEW, permissions.fileMode);
    try {
      settleFileMode(handle.fd, permissions);
      await pipeline(
        drain,
        async (chunks: AsyncIterable<Buffer>) => {
          for await (const chunk of chunks) await writeAll(handle, chunk);
        },
        { signal: options.signal },
      );
    } finally {
      await handle.close();
    }
  } catch (error) {
    // A source never read (the folder or the file could not be made) still holds an open backup file: close it.
    ignoreLateErrors();
    source.destroy();
    if (UNUSABLE_PATH.has((error as NodeJS.ErrnoException).code ?? '')) {
      throw new BackupError('BACKUP_OUTPUT_UNUSABLE', `cannot write ${path}: ${(error as Error).message}`, {
        cause: error,
        details: { path, errno: (error as NodeJS.ErrnoException).code },
      });
    }
    if ((error as NodeJS.ErrnoException).code === 'ENOSPC') {
      throw new BackupError('BACKUP_NO_SPACE', `no space left while writing ${path}`, { cause: error });
    }
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') {
      throw new BackupError('BACKUP_OUTPUT_EXISTS', `${path} already exists; not overwriting it`, {
        cause: error,
        details: { path },
      });
    }
    throw error;
  } finally {
    options.signal?.removeEventListener('abort', stopSource);
  }
  if (sourceError !== undefined) throw sourceError;
  return bytes;
}

/**
 * Streams `source` to `path` through a temporary file beside it, renamed into place once complete, so `path`
 * never holds half a file. The temporary name is new for every run (`.<name>.<random>.partial`): a file left by a
 * run that was killed outright blocks nothing. It is removed when the copy fails or is aborted (Ctrl-C), and when
 * the process exits first (a second Ctrl-C exits at once).
 */
export async function writeStreamThroughPartial(
  source: Readable,
  path: string,
  options: WriteNewFileOptions = {},
): Promise<number> {
  // A name already near the 255-byte limit would not fit once prefixed and suffixed; the temporary name needs no more.
  const stem = Array.from(basename(path)).slice(0, 64).join('');
  const partial = join(dirname(path), `.${stem}.${randomBytes(6).toString('hex')}.partial`);
  const removeAtExit = (): void => rmSync(partial, { force: true });
  process.on('exit', removeAtExit);
  try {
    const bytes = await writeStreamToNewFile(source, partial, options);
    await rename(partial, path);
    return bytes;
  } catch (error) {
    // EEXIST: the random name was taken by a file that is not ours to remove.
    if (!(error instanceof BackupError && error.code === 'BACKUP_OUTPUT_EXISTS')) await rm(partial, { force: true });
    throw error;
  } finally {
    process.off('exit', removeAtExit);
  }
}
