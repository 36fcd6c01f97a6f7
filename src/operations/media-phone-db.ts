import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import type { Logger } from '../logging.js';
import type { AfcClient } from '../services/afc/index.js';
import { writeStreamToNewFile } from './write-stream-file.js';

/**
 * Runs `read` on a copy of a database on the phone (with its -wal and -shm, so the newest rows count), fetched over
 * AFC into a temp folder that is removed before this returns. Undefined when the phone has no such database or it
 * cannot be read (logged): the media verbs then do without what it would have told them.
 */
export async function withPhoneDatabase<T>(
  afc: AfcClient,
  path: string,
  logger: Logger,
  read: (db: Database.Database) => T,
): Promise<T | undefined> {
  const dir = await mkdtemp(join(tmpdir(), 'iosrescue-phone-db-'));
  try {
    for (const suffix of ['', '-wal', '-shm']) {
      const info = await afc.stat(`${path}${suffix}`).catch(() => undefined);
      if (info === undefined) {
        if (suffix === '') return undefined;
        continue;
      }
      await writeStreamToNewFile(afc.readFileStream(`${path}${suffix}`, { size: info.size }), join(dir, `db${suffix}`));
    }
    const db = new Database(join(dir, 'db'), { fileMustExist: true });
    try {
      return read(db);
    } finally {
      db.close();
    }
  } catch (error) {
    logger.warn({ path, reason: (error as Error).message }, 'a database on the phone cannot be read');
    return undefined;
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
