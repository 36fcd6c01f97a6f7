import { statfs } from 'node:fs/promises';
import { BackupError } from './errors.js';

/** ENOSPC (the filesystem is full) and EDQUOT (the user's quota is): both mean "free space, then try again". */
const NO_SPACE = new Set(['ENOSPC', 'EDQUOT']);

/** The errno code when `error`, or an error it was caused by, is a full disk or quota; undefined otherwise. */
export function noSpaceErrno(error: unknown): string | undefined {
  for (let at = error, depth = 0; at instanceof Error && depth < 8; at = at.cause, depth++) {
    const code = (at as NodeJS.ErrnoException).code;
    if (code !== undefined && NO_SPACE.has(code)) return code;
  }
  return undefined;
}

/** 1536 → "1.5 KiB": sizes in the message a person reads (the exact numbers are in details). */
export function formatBytes(bytes: number): string {
  const units = ['bytes', 'KiB', 'MiB', 'GiB', 'TiB'];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit += 1;
  }
  return unit === 0 ? `${bytes} bytes` : `${value.toFixed(1)} ${units[unit]}`;
}

export interface NoSpaceContext {
  /** What was being written when the disk filled up ("a file from the phone (<UDID>/ab/ab12…)", "the commit"). */
  writing: string;
  /** Bytes the write needed room for, when known: what the phone announced for the batch of files it was sending. */
  neededBytes?: number;
}

/**
 * BACKUP_NO_SPACE (exit 9) for a write that failed with ENOSPC/EDQUOT: names the folder, what was being written,
 * what is still needed where known and what is free now (statfs, as the phone is told). details: folder, errno,
 * writing, neededBytes, freeBytes, freeInodes.
 */
export async function noSpaceError(folder: string, cause: unknown, context: NoSpaceContext): Promise<BackupError> {
  const errno = noSpaceErrno(cause) ?? 'ENOSPC';
  const stats = await statfs(folder).catch(() => undefined);
  // bavail × bsize, as the phone is told (BackupWriter.freeDiskSpace).
  const freeBytes = stats === undefined ? undefined : Number(stats.bavail) * Number(stats.bsize);
  // A filesystem can also run out of inodes with bytes to spare (ENOSPC all the same); some report no inode counts.
  const noInodes = stats !== undefined && Number(stats.files) > 0 && Number(stats.ffree) === 0;
  const free =
    freeBytes === undefined
      ? 'free space unknown'
      : `${formatBytes(freeBytes)} free${noInodes ? ' but no free inodes (the filesystem can hold no more files)' : ''}`;
  const needed =
    context.neededBytes !== undefined && context.neededBytes > 0
      ? `the phone's batch of files needed ${formatBytes(context.neededBytes)}`
      : 'how much the phone still had to send is unknown';
  const disk = errno === 'EDQUOT' ? 'your disk quota is used up' : 'the disk is full';
  return new BackupError(
    'BACKUP_NO_SPACE',
    `not enough disk space in ${folder}: ${disk} (${errno} while writing ${context.writing}); ${needed}, ${free}. Free space there or choose another folder with --out; the previous backup is kept`,
    {
      cause,
      details: {
        folder,
        errno,
        writing: context.writing,
        neededBytes: context.neededBytes,
        freeBytes,
        freeInodes: stats === undefined ? undefined : Number(stats.ffree),
      },
    },
  );
}
