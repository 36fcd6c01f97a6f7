import { copyFile, mkdir, readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { toBinaryPlist, type PlistDict } from '../plist/index.js';
import {
  BackupError,
  BackupReader,
  PathEscapeError,
  dataFileRelativePath,
  safeJoin,
  unsafePathReason,
  type BackupFileEntry,
  type OpenBackupOptions,
} from '../backup/index.js';
import { writeStreamToNewFile } from './write-stream-file.js';

export interface DecryptBackupOptions extends OpenBackupOptions {
  backup: string;
  /** Output folder: created if missing, must be empty. */
  out: string;
  /**
   * 'backup' (default): a plain backup any tool reads (plists, plain Manifest.db, `<id[0:2]>/<id>` data files).
   * 'tree': the files under `<out>/<domain>/<relativePath>`, for people rather than tools.
   */
  layout?: 'backup' | 'tree';
  signal?: AbortSignal;
  onFile?: (progress: { done: number; bytes: number; entry: BackupFileEntry }) => void;
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
  /** Everything that could not be read in full; the rest was still written. */
  problems: DecryptProblem[];
  wasEncrypted: boolean;
}

function problemOf(entry: BackupFileEntry, error: unknown): DecryptProblem {
  const code = error instanceof BackupError ? error.code : 'UNEXPECTED';
  return { fileId: entry.fileId, domain: entry.domain, relativePath: entry.relativePath, code, message: (error as Error).message };
}

async function prepareOutput(out: string): Promise<void> {
  await mkdir(out, { recursive: true, mode: 0o700 });
  if ((await readdir(out)).length > 0) {
    throw new BackupError('BACKUP_OUTPUT_EXISTS', `${out} is not empty; decrypt writes into an empty or new folder`, { details: { path: out } });
  }
}

/** Where an entry goes in the output: by file ID (validated hex) or by domain and path (safeJoin). */
async function targetPath(out: string, entry: BackupFileEntry, layout: 'backup' | 'tree', flat = false): Promise<string> {
  // Manifest.mbdb backups keep their data files flat, and tools reading them look there.
  if (layout === 'backup') return safeJoin(out, dataFileRelativePath(entry.fileId, flat ? 'flat' : 'hashed'));
  const domainProblem = unsafePathReason(entry.domain) ?? (/[\\/]/.test(entry.domain) ? 'a domain is one path segment' : null);
  if (domainProblem !== null) throw new PathEscapeError(entry.domain, `unusable as a folder name: ${domainProblem}`);
  // The path is checked on its own too: "/etc/x" is absolute even though "HomeDomain//etc/x" would not be.
  const pathProblem = unsafePathReason(entry.relativePath);
  if (pathProblem !== null) throw new PathEscapeError(entry.relativePath, pathProblem);
  return safeJoin(out, `${entry.domain}/${entry.relativePath}`);
}

/**
 * Writes a decrypted copy of a backup. Per-file failures (missing data, truncated or undecryptable files, paths
 * that would leave the output folder, damaged metadata) are collected in `problems` and the rest is still
 * written; a truncated file keeps the bytes that could be read. Failures of the whole run (wrong password, no
 * space, a manifest that cannot be read at all) throw.
 */
export async function decryptBackup(options: DecryptBackupOptions): Promise<DecryptBackupResult> {
  const layout = options.layout ?? 'backup';
  await prepareOutput(options.out);
  const reader = await BackupReader.open(options.backup, options);
  const result: DecryptBackupResult = { out: options.out, files: 0, bytes: 0, problems: [], wasEncrypted: reader.isEncrypted };
  try {
    try {
      for await (const entry of reader.files()) {
        options.signal?.throwIfAborted();
        if (entry.problem) {
          result.problems.push(problemOf(entry, entry.problem));
          continue;
        }
        if (entry.kind !== 'file') {
          if (layout === 'tree' && entry.kind === 'directory' && entry.relativePath !== '') {
            await targetPath(options.out, entry, layout).then((dir) => mkdir(dir, { recursive: true, mode: 0o700 })).catch((error: unknown) => {
              result.problems.push(problemOf(entry, error));
            });
          }
          continue;
        }
        try {
          const path = await targetPath(options.out, entry, layout, reader.manifestKind === 'mbdb');
          result.bytes += await writeStreamToNewFile(await reader.openFile(entry), path, options.signal);
          result.files++;
        } catch (error) {
          if (error instanceof BackupError && error.code === 'BACKUP_NO_SPACE') throw error;
          if (options.signal?.aborted) throw error;
          result.problems.push(problemOf(entry, error));
        }
        options.onFile?.({ done: result.files, bytes: result.bytes, entry });
      }
    } catch (error) {
      // A manifest damaged part-way: everything before the damage has been written; say where it stopped.
      if (!(error instanceof BackupError) || error.code !== 'BACKUP_CORRUPT_MANIFEST') throw error;
      result.problems.push({ fileId: '', domain: '', relativePath: '', code: error.code, message: error.message });
    }
    if (layout === 'backup') await writePlainBackupFiles(reader, options.out);
    return result;
  } finally {
    await reader.close();
  }
}

/** The manifest and plists of the plain copy: Manifest.plist says IsEncrypted false and drops the ManifestKey. */
async function writePlainBackupFiles(reader: BackupReader, out: string): Promise<void> {
  if (reader.manifestKind === 'db') await copyFile(reader.manifestDbPath!, join(out, 'Manifest.db'));
  else await copyFile(join(reader.dir, 'Manifest.mbdb'), join(out, 'Manifest.mbdb'));
  for (const name of ['Info.plist', 'Status.plist']) {
    await copyFile(join(reader.dir, name), join(out, name)).catch((error: NodeJS.ErrnoException) => {
      if (error.code !== 'ENOENT') throw error;
    });
  }
  if (reader.manifestPlist) {
    const raw: PlistDict = { ...reader.manifestPlist.raw, IsEncrypted: false };
    delete raw.ManifestKey;
    await writeFile(join(out, 'Manifest.plist'), toBinaryPlist(raw), { mode: 0o600 });
  }
}
