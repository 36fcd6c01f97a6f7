import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { Readable, pipeline } from 'node:stream';
import { IosRescueError } from '../errors.js';
import { toBinaryPlist, type PlistDict } from '../plist/index.js';
import {
  BackupError,
  BackupReader,
  DigestCheck,
  PathEscapeError,
  dataFileRelativePath,
  safeJoin,
  unsafePathReason,
  type BackupFileEntry,
  type OpenBackupOptions,
} from '../backup/index.js';
import { makeOutputFolder, outputPermissions, type OutputMode, type OutputPermissions } from '../extract/index.js';
import { UNUSABLE_PATH, writeStreamToNewFile } from './write-stream-file.js';

export interface DecryptBackupOptions extends OpenBackupOptions {
  backup: string;
  /** Output folder: created if missing, must be empty. */
  out: string;
  /**
   * 'backup' (default): a plain backup any tool reads (plists, plain Manifest.db, `<id[0:2]>/<id>` data files).
   * 'tree': the files under `<out>/<domain>/<relativePath>`, for people rather than tools.
   */
  layout?: 'backup' | 'tree';
  /** private (default): owner-only folders and files whatever the umask; shared: the umask decides. */
  outputMode?: OutputMode;
  signal?: AbortSignal;
  onFile?: (progress: { done: number; bytes: number; entry: BackupFileEntry }) => void;
  /** Each entry that could not be read in full, as it happens (log it): the result keeps only counts and a few. */
  onProblem?: (problem: DecryptProblem) => void;
}

export interface DecryptProblem {
  fileId: string;
  domain: string;
  relativePath: string;
  code: string;
  message: string;
}

export interface DecryptBackupResult {
  out: string;
  files: number;
  bytes: number;
  /**
   * The first PROBLEM_EXAMPLES entries that could not be read in full (the rest was still written). A hostile backup
   * may have a million bad rows: every one goes to `onProblem` and is counted, never kept.
   */
  problems: DecryptProblem[];
  /** How many entries could not be read in full, in all and by code. */
  problemCount: number;
  problemCounts: Record<string, number>;
  wasEncrypted: boolean;
}

export const PROBLEM_EXAMPLES = 100;

function problemOf(entry: BackupFileEntry, error: unknown): DecryptProblem {
  // A folder the file system refuses (a name too long, a file where a folder must be) is that one entry's problem.
  const errno = (error as NodeJS.ErrnoException | undefined)?.code;
  const code =
    error instanceof IosRescueError
      ? error.code
      : typeof errno === 'string' && UNUSABLE_PATH.has(errno)
        ? 'BACKUP_OUTPUT_UNUSABLE'
        : 'UNEXPECTED';
  return {
    fileId: entry.fileId,
    domain: entry.domain,
    relativePath: entry.relativePath,
    code,
    message: (error as Error).message,
  };
}

async function prepareOutput(out: string, permissions: OutputPermissions): Promise<void> {
  // An existing (empty) folder keeps its mode: it is the user's.
  await makeOutputFolder(out, permissions);
  if ((await readdir(out)).length > 0) {
    throw new BackupError('BACKUP_OUTPUT_EXISTS', `${out} is not empty; decrypt writes into an empty or new folder`, {
      details: { path: out },
    });
  }
}

/** Where an entry goes in the output: by file ID (validated hex) or by domain and path (safeJoin). */
async function targetPath(
  out: string,
  entry: BackupFileEntry,
  layout: 'backup' | 'tree',
  flat = false,
): Promise<string> {
  // Manifest.mbdb backups keep their data files flat, and tools reading them look there.
  if (layout === 'backup') return safeJoin(out, dataFileRelativePath(entry.fileId, flat ? 'flat' : 'hashed'));
  const domainProblem =
    unsafePathReason(entry.domain) ?? (/[\\/]/.test(entry.domain) ? 'a domain is one path segment' : null);
  if (domainProblem !== null) throw new PathEscapeError(entry.domain, `unusable as a folder name: ${domainProblem}`);
  // The path is checked on its own too: "/etc/x" is absolute even though "HomeDomain//etc/x" would not be.
  const pathProblem = unsafePathReason(entry.relativePath);
  if (pathProblem !== null) throw new PathEscapeError(entry.relativePath, pathProblem);
  return safeJoin(out, `${entry.domain}/${entry.relativePath}`);
}

/**
 * Writes a decrypted copy of a backup. Per-file failures (missing data, truncated or undecryptable files, paths
 * that would leave the output folder, damaged metadata) are counted (and the first few kept) in `problems` and the rest
 * is still
 * written; a truncated file keeps the bytes that could be read. Failures of the whole run (wrong password, no
 * space, a manifest that cannot be read at all) throw.
 */
export async function decryptBackup(options: DecryptBackupOptions): Promise<DecryptBackupResult> {
  const layout = options.layout ?? 'backup';
  const permissions = outputPermissions(options.outputMode);
  await prepareOutput(options.out, permissions);
  const reader = await BackupReader.open(options.backup, options);
  const result: DecryptBackupResult = {
    out: options.out,
    files: 0,
    bytes: 0,
    problems: [],
    problemCount: 0,
    problemCounts: {},
    wasEncrypted: reader.isEncrypted,
  };
  const report = (problem: DecryptProblem): void => {
    result.problemCount++;
    result.problemCounts[problem.code] = (result.problemCounts[problem.code] ?? 0) + 1;
    if (result.problems.length < PROBLEM_EXAMPLES) result.problems.push(problem);
    options.onProblem?.(problem);
  };
  try {
    try {
      for await (const entry of reader.files()) {
        options.signal?.throwIfAborted();
        if (entry.problem) {
          report(problemOf(entry, entry.problem));
          continue;
        }
        if (entry.kind !== 'file') {
          if (layout === 'tree' && entry.kind === 'directory' && entry.relativePath !== '') {
            await targetPath(options.out, entry, layout)
              .then((dir) => makeOutputFolder(dir, permissions))
              .catch((error: unknown) => {
                report(problemOf(entry, error));
              });
          }
          continue;
        }
        try {
          const path = await targetPath(options.out, entry, layout, reader.manifestKind === 'mbdb');
          const stream = await reader.openFile(entry);
          // A plain mbdb backup's records carry each file's SHA-1: a mismatch is reported, the bytes still written.
          const check = DigestCheck.for(entry, reader);
          // pipeline: a failure on either side destroys both, so the data file is never left open.
          const source = check === undefined ? stream : pipeline(stream, check, () => {});
          result.bytes += await writeStreamToNewFile(source, path, {
            signal: options.signal,
            permissions,
          });
          result.files++;
          if (check?.mismatch !== undefined) report(problemOf(entry, check.mismatch));
        } catch (error) {
          if (error instanceof BackupError && error.code === 'BACKUP_NO_SPACE') throw error;
          if (options.signal?.aborted) throw error;
          report(problemOf(entry, error));
        }
        options.onFile?.({ done: result.files, bytes: result.bytes, entry });
      }
    } catch (error) {
      // A manifest damaged part-way: everything before the damage has been written; say where it stopped.
      if (!(error instanceof BackupError) || error.code !== 'BACKUP_CORRUPT_MANIFEST') throw error;
      report({ fileId: '', domain: '', relativePath: '', code: error.code, message: error.message });
    }
    if (layout === 'backup') await writePlainBackupFiles(reader, options.out, permissions, report);
    return result;
  } finally {
    await reader.close();
  }
}

/**
 * The manifest and plists of the plain copy: Manifest.plist says IsEncrypted false and drops the ManifestKey.
 * They are streamed into new files rather than copied by the kernel, which would give them the source's mode.
 */
async function writePlainBackupFiles(
  reader: BackupReader,
  out: string,
  permissions: OutputPermissions,
  report: (problem: DecryptProblem) => void,
): Promise<void> {
  const copy = async (
    name: 'Manifest.db' | 'Manifest.mbdb' | 'Info.plist' | 'Status.plist',
    optional = false,
  ): Promise<void> => {
    // Through the backup's safe open: Info.plist may be a link to a secret or a FIFO as well as any data file.
    const stream = await reader.openFolderFile(name).catch((error: unknown) => {
      // Info.plist and Status.plist are descriptions: a link or FIFO in their place is reported, the copy still made.
      if (!optional || !(error instanceof BackupError)) throw error;
      report({ fileId: '', domain: '', relativePath: name, code: error.code, message: error.message });
      return null;
    });
    if (stream === null) return;
    if (stream === undefined) {
      if (optional) return;
      throw new BackupError('BACKUP_MISSING_DATA', `${name} is not in ${reader.dir}`, { details: { name } });
    }
    try {
      await writeStreamToNewFile(stream, join(out, name), { permissions });
    } finally {
      // Closes the file when the copy failed before reading it all (a stream read to its end has closed it).
      stream.destroy();
    }
  };
  await copy(reader.manifestKind === 'db' ? 'Manifest.db' : 'Manifest.mbdb');
  for (const name of ['Info.plist', 'Status.plist'] as const) await copy(name, true);
  if (reader.manifestPlist) {
    const raw: PlistDict = { ...reader.manifestPlist.raw, IsEncrypted: false };
    delete raw.ManifestKey;
    await writeStreamToNewFile(Readable.from([toBinaryPlist(raw)]), join(out, 'Manifest.plist'), { permissions });
  }
}
