import { open, statfs } from 'node:fs/promises';

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
    if (code !== 'EINVAL' && code !== 'EPERM' && code !== 'ENOTSUP' && code !== 'EISDIR' && code !== 'EBADF') throw error;
  } finally {
    await handle.close();
  }
}

/** Bytes an unprivileged process may still write on the filesystem holding `path` (statvfs f_bavail × f_bsize, as idevicebackup2 answers). */
export async function freeDiskSpace(path: string): Promise<number> {
  const stats = await statfs(path);
  return Number(stats.bavail) * Number(stats.bsize);
}
