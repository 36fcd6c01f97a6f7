import { execFile } from 'node:child_process';
import { open, opendir, statfs } from 'node:fs/promises';
import { join } from 'node:path';

/**
 * Makes a directory's entries (files created, renamed or removed in it) durable: a rename is only safe to build on
 * once both directories it touched are synced. Filesystems that cannot fsync a directory (some network and FAT
 * mounts answer EINVAL/EPERM/ENOTSUP) are accepted as they are: there is nothing more a program can do there.
 */
export async function fsyncDirectory(path: string): Promise<void> {
  let handle;
  try {
    handle = await open(path, 'r');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return;
    throw error;
  }
  try {
    await handle.sync();
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code !== 'EINVAL' && code !== 'EPERM' && code !== 'ENOTSUP' && code !== 'EISDIR' && code !== 'EBADF')
      throw error;
  } finally {
    await handle.close();
  }
}

/** Bytes an unprivileged process may still write on the filesystem holding `path` (statvfs f_bavail × f_bsize, as
 * idevicebackup2 answers). */
export async function freeDiskSpace(path: string): Promise<number> {
  const stats = await statfs(path);
  return Number(stats.bavail) * Number(stats.bsize);
}

/**
 * Flushes everything written to the filesystem that holds `path` in one go: `sync --file-system` (syncfs(2)) on
 * Linux, `sync` on macOS. One call lets the kernel write a million small files in its own order, where a
 * datasync per file costs a journal commit each (a backup of 20,000 files took 50% longer that way here).
 * Returns false where no such command exists or it failed; the caller then syncs file by file.
 */
export function syncFileSystem(path: string, platform: NodeJS.Platform = process.platform): Promise<boolean> {
  const args = platform === 'linux' ? ['--file-system', path] : platform === 'darwin' ? [] : undefined;
  if (args === undefined) return Promise.resolve(false);
  return new Promise((done) => execFile('sync', args, { timeout: 30 * 60_000 }, (error) => done(error === null)));
}

/** Absolute paths of every regular file under `root`, one directory at a time (nothing kept per file). */
export async function* regularFilesUnder(root: string): AsyncGenerator<string> {
  const pending = [root];
  while (pending.length > 0) {
    const dir = pending.pop()!;
    for await (const entry of await opendir(dir)) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) pending.push(path);
      else if (entry.isFile()) yield path;
    }
  }
}

/** datasync of every regular file under `root` (the fallback of syncFileSystem). */
export async function syncFilesUnder(root: string): Promise<void> {
  for await (const path of regularFilesUnder(root)) {
    const handle = await open(path, 'r');
    try {
      await handle.datasync();
    } finally {
      await handle.close();
    }
  }
}
