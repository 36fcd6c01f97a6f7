import type { BackupError } from './errors.js';
import type { MbFile } from './mb-file.js';

export type EntryKind = 'file' | 'directory' | 'symlink' | 'unknown';

/** One row of a backup manifest (Manifest.db or Manifest.mbdb), as every reader hands it out. */
export interface BackupFileEntry {
  fileId: string;
  domain: string;
  relativePath: string;
  /** Manifest.db `flags`: 1 file, 2 directory, 4 symlink (derived from the mode for Manifest.mbdb). */
  flags: number;
  kind: EntryKind;
  /** Null when the row's metadata could not be decoded; `problem` then says why, and the row is still listed. */
  metadata: MbFile | null;
  problem?: BackupError;
}

/** A query over a manifest: exact domain, and a glob on the relative path (see `globToRegExp`). */
export interface FileFilter {
  domain?: string;
  match?: string;
}

/** Kind from the manifest flags, falling back to the st_mode type bits when a tool wrote flags 0. */
/** Manifest.db `flags` of each kind of item. */
export const MANIFEST_FLAGS = { file: 1, directory: 2, symlink: 4 } as const;

export function entryKind(flags: number, mode: number | undefined): EntryKind {
  if (flags === MANIFEST_FLAGS.file) return 'file';
  if (flags === MANIFEST_FLAGS.directory) return 'directory';
  if (flags === MANIFEST_FLAGS.symlink) return 'symlink';
  switch ((mode ?? 0) & 0o170000) {
    case 0o100000:
      return 'file';
    case 0o040000:
      return 'directory';
    case 0o120000:
      return 'symlink';
    default:
      return 'unknown';
  }
}

/**
 * Glob on relative paths: `*` any run of characters but `/`, `**` any run including `/`, `?` one character but
 * `/`. A pattern with no `/` is matched against the last path segment, so `*.db` finds `Library/SMS/sms.db`.
 */
export function globToRegExp(glob: string): { regexp: RegExp; basenameOnly: boolean } {
  let source = '';
  for (let i = 0; i < glob.length; i++) {
    const c = glob[i]!;
    if (c === '*' && glob[i + 1] === '*') {
      source += '.*';
      i++;
    } else if (c === '*') source += '[^/]*';
    else if (c === '?') source += '[^/]';
    else source += c.replace(/[.+^${}()|[\]\\]/g, '\\$&');
  }
  return { regexp: new RegExp(`^${source}$`, 's'), basenameOnly: !glob.includes('/') };
}

export function makeMatcher(filter: FileFilter): (entry: { domain: string; relativePath: string }) => boolean {
  const glob = filter.match === undefined ? undefined : globToRegExp(filter.match);
  return (entry) => {
    if (filter.domain !== undefined && entry.domain !== filter.domain) return false;
    if (glob === undefined) return true;
    const subject = glob.basenameOnly
      ? entry.relativePath.slice(entry.relativePath.lastIndexOf('/') + 1)
      : entry.relativePath;
    return glob.regexp.test(subject);
  };
}
