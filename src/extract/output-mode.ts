import { closeSync, constants, fchmodSync, fstatSync, openSync, unlinkSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { randomBytes } from 'node:crypto';
import { join, relative, resolve, sep } from 'node:path';

/**
 * Who may read what extract, decrypt and export-file write. A backup holds messages, contacts and photos; an
 * encrypted one was encrypted so that nobody else reads them, and its extraction deserves the same.
 * - private (default): folders 0700 and files 0600, set exactly, whatever the umask
 * - shared: folders 0777 and files 0666 filtered by the process umask (what `cp` or `mkdir` would do)
 */
export type OutputMode = 'private' | 'shared';
export const OUTPUT_MODES: readonly OutputMode[] = ['private', 'shared'];

export interface OutputPermissions {
  mode: OutputMode;
  dirMode: number;
  fileMode: number;
  /** True when the modes are set exactly after creating (private); false when the umask decides (shared). */
  exact: boolean;
}

/** The modes for `mode`; anything but 'shared' (a typo from a library caller included) is private, the safe side. */
export function outputPermissions(mode: OutputMode = 'private'): OutputPermissions {
  return mode === 'shared'
    ? { mode: 'shared', dirMode: 0o777, fileMode: 0o666, exact: false }
    : { mode: 'private', dirMode: 0o700, fileMode: 0o600, exact: true };
}

/**
 * Gives a descriptor just opened for an output file its exact mode (private): open()'s mode is filtered by the
 * umask and ignored for a file that already existed (left by an interrupted run), so it is not enough on its own.
 */
export function settleFileMode(fd: number, permissions: OutputPermissions): void {
  if (permissions.exact) fchmodSync(fd, permissions.fileMode);
}

/**
 * Creates `path` and its missing parents with the output's folder mode. In private mode every folder this call
 * created is then set to 0700 exactly (mkdir's mode goes through the umask); a folder that already existed keeps
 * its mode. Returns whether anything was created.
 */
export async function makeOutputFolder(path: string, permissions: OutputPermissions): Promise<boolean> {
  const first = await mkdir(path, { recursive: true, mode: permissions.dirMode });
  if (first === undefined) return false;
  if (permissions.exact) {
    let current = resolve(first);
    const below = relative(current, resolve(path))
      .split(sep)
      .filter((s) => s !== '');
    setFolderMode(current, permissions.dirMode);
    for (const segment of below) setFolderMode((current = join(current, segment)), permissions.dirMode);
  }
  return true;
}

/** fchmod through a descriptor opened without following a symlink: a link swapped in is refused, never changed. */
function setFolderMode(path: string, mode: number): void {
  const fd = openSync(path, constants.O_RDONLY | constants.O_DIRECTORY | constants.O_NOFOLLOW);
  try {
    fchmodSync(fd, mode);
  } finally {
    closeSync(fd);
  }
}

/**
 * The mode a new file gets in shared mode (0666 filtered by the umask), learnt by creating a probe file in
 * `folder`. process.umask() cannot be read without setting it for a moment, which would let a file that the
 * thread pool creates meanwhile escape the umask.
 */
export function sharedFileModeIn(folder: string): number {
  const probe = join(folder, `.iosrescue-umask-${randomBytes(6).toString('hex')}`);
  const fd = openSync(probe, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW, 0o666);
  try {
    return fstatSync(fd).mode & 0o777;
  } finally {
    closeSync(fd);
    unlinkSync(probe);
  }
}
