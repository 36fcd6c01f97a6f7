import { createWriteStream } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { BackupError } from '../backup/index.js';

/**
 * Streams `source` into a new owner-only file. `wx` refuses to replace anything already there (a symlink planted
 * at the target included). ENOSPC becomes BACKUP_NO_SPACE; the source's own typed errors pass through.
 */
export async function writeStreamToNewFile(source: Readable, path: string, signal?: AbortSignal): Promise<number> {
  await mkdir(dirname(path), { recursive: true, mode: 0o700 });
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
      sourceError = error;
    }
  }
  try {
    await pipeline(drain, createWriteStream(path, { flags: 'wx', mode: 0o600 }), { signal });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOSPC') {
      throw new BackupError('BACKUP_NO_SPACE', `no space left while writing ${path}`, { cause: error });
    }
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') {
      throw new BackupError('BACKUP_OUTPUT_EXISTS', `${path} already exists; not overwriting it`, { cause: error, details: { path } });
    }
    throw error;
  }
  if (sourceError !== undefined) throw sourceError;
  return bytes;
}
