import { lstat, mkdir, open, readFile, rename, rm, rmdir, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import { BackupError } from './errors.js';
import { fsyncDirectory } from './fs-durability.js';

/**
 * Where a backup in progress lives. Everything but the finished backup sits in one hidden folder beside it, so
 * backup discovery (which looks one level down) never mistakes a half-made copy for a backup, and every rename of
 * the commit stays on one filesystem (rename(2) is atomic only there).
 *
 *   <out>/<UDID>/                          the complete backup (the previous one, until a commit replaces it)
 *   <out>/.iosrescue-work/<UDID>.staging/  the backup being made
 *   <out>/.iosrescue-work/<UDID>.ready/    staging, complete and synced, about to be installed
 *   <out>/.iosrescue-work/<UDID>.old/      the previous backup, set aside while the new one is installed
 *   <out>/.iosrescue-work/<UDID>.tmp/      files being received (renamed into staging when complete)
 *   <out>/.iosrescue-work/<UDID>.lock      pid of the process making this device's backup
 */
export const WORK_FOLDER = '.iosrescue-work';

export interface StagingPaths {
  out: string;
  work: string;
  current: string;
  staging: string;
  ready: string;
  old: string;
  tmp: string;
  lock: string;
}

export function stagingPaths(out: string, udid: string): StagingPaths {
  const work = join(out, WORK_FOLDER);
  return {
    out,
    work,
    current: join(out, udid),
    staging: join(work, `${udid}.staging`),
    ready: join(work, `${udid}.ready`),
    old: join(work, `${udid}.old`),
    tmp: join(work, `${udid}.tmp`),
    lock: join(work, `${udid}.lock`),
  };
}

/** The commit's steps, in order; a hook after each lets tests stop the process dead there. */
export type CommitStep = 'staged' | 'ready' | 'previous-set-aside' | 'installed' | 'done';

async function exists(path: string): Promise<boolean> {
  try {
    await lstat(path);
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return false;
    throw error;
  }
}

/**
 * Installs the staging folder as the device's backup:
 *   staging → ready (the new backup is now complete and durable; from here recovery rolls forward),
 *   current → old, ready → current, delete old.
 * Each rename is followed by a sync of both directories it touched. At every instant one complete backup is at
 * `current`, at `ready` or at `old`, and `recoverStaging` knows which from the names that exist.
 */
export async function commitStaging(paths: StagingPaths, onStep: (step: CommitStep) => Promise<void>): Promise<void> {
  await onStep('staged');
  await rename(paths.staging, paths.ready);
  await fsyncDirectory(paths.work);
  await onStep('ready');
  if (await exists(paths.current)) {
    await rename(paths.current, paths.old);
    await fsyncDirectory(paths.out);
    await fsyncDirectory(paths.work);
  }
  await onStep('previous-set-aside');
  await rename(paths.ready, paths.current);
  await fsyncDirectory(paths.out);
  await fsyncDirectory(paths.work);
  await onStep('installed');
  await rm(paths.old, { recursive: true, force: true });
  await rm(paths.tmp, { recursive: true, force: true });
  await onStep('done');
}

export interface RecoveryReport {
  /** What was found and done, for the log. */
  actions: string[];
}

/**
 * Brings the folder back to "one complete backup at `current`, nothing else" from whatever point an earlier run
 * stopped at (crash, kill -9, power loss). `ready` exists only once a backup was complete and synced, so it rolls
 * forward; `old` is the previous backup and only goes once `current` exists again; a leftover staging folder is an
 * unfinished backup and is dropped (the phone re-sends what the previous backup's manifest lacks). Idempotent: a
 * crash during recovery is recovered the same way.
 */
export async function recoverStaging(paths: StagingPaths): Promise<RecoveryReport> {
  const actions: string[] = [];
  if (await exists(paths.ready)) {
    if (await exists(paths.current)) {
      if (await exists(paths.old)) {
        await rm(paths.old, { recursive: true, force: true });
        actions.push('removed a stale set-aside backup');
      }
      await rename(paths.current, paths.old);
      await fsyncDirectory(paths.out);
    }
    await rename(paths.ready, paths.current);
    await fsyncDirectory(paths.out);
    await fsyncDirectory(paths.work);
    actions.push('installed a backup that was complete when the previous run stopped');
  }
  if (await exists(paths.old)) {
    if (await exists(paths.current)) {
      await rm(paths.old, { recursive: true, force: true });
      actions.push('removed the replaced backup');
    } else {
      await rename(paths.old, paths.current);
      await fsyncDirectory(paths.out);
      actions.push('put the previous backup back in place');
    }
  }
  if (await exists(paths.staging)) {
    await rm(paths.staging, { recursive: true, force: true });
    actions.push('dropped an unfinished backup');
  }
  await rm(paths.tmp, { recursive: true, force: true });
  return { actions };
}

/** Lock files held by this process (a pid check alone cannot tell our own stale lock from a live one). */
const heldHere = new Set<string>();

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * One backup per device and folder at a time: an exclusive lock file holding our pid. A lock whose process is gone
 * (kill -9, crash) is taken over; a live one is BACKUP_BUSY.
 */
export async function acquireLock(paths: StagingPaths): Promise<{ release(): Promise<void> }> {
  for (let attempt = 0; attempt < 4; attempt++) {
    await mkdir(paths.work, { recursive: true, mode: 0o700 });
    try {
      const handle = await open(paths.lock, 'wx', 0o600);
      await handle.writeFile(`${process.pid}\n`);
      await handle.close();
      heldHere.add(paths.lock);
      let released = false;
      return {
        async release() {
          if (released) return;
          released = true;
          heldHere.delete(paths.lock);
          await unlink(paths.lock).catch(() => undefined);
        },
      };
    } catch (error) {
      // Another run (another phone, same folder) removed the work folder, empty, between our mkdir and open.
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') continue;
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
    const pid = Number.parseInt(await readFile(paths.lock, 'utf8').catch(() => ''), 10);
    const live =
      Number.isSafeInteger(pid) && pid > 0 && (pid === process.pid ? heldHere.has(paths.lock) : processAlive(pid));
    if (live) {
      throw new BackupError(
        'BACKUP_BUSY',
        `another backup of this phone into ${paths.out} is running (process ${pid}): wait for it to finish`,
        {
          details: { pid, lock: paths.lock },
        },
      );
    }
    await unlink(paths.lock).catch(() => undefined);
  }
  throw new BackupError('BACKUP_BUSY', `could not take the backup lock ${paths.lock}`, {
    details: { lock: paths.lock },
  });
}

/**
 * Removes the work folder once nothing is in it (after a backup, whatever its outcome), so the backup folder holds
 * only backups. rmdir(2) removes an empty folder and nothing else, and never follows a symlink (ENOTDIR): another
 * run's lock or an interrupted commit keeps the folder. Best effort: a folder left behind is only untidy.
 */
export async function removeWorkFolderIfEmpty(paths: StagingPaths): Promise<void> {
  await rmdir(paths.work).catch(() => undefined);
}
