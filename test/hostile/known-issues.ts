import type { Finding } from './fuzz-checks.js';

/**
 * Defects the fuzzer finds in files its author could not change (the pipeline, the operations, the exporters),
 * each reported with a reproduction. The fuzzer prints every finding they cover and fails on them only with
 * IOSRESCUE_FUZZ_STRICT=1; delete an entry with its fix, and the fuzzer guards the fix from then on.
 */
export interface KnownIssue {
  id: string;
  /** Where the fix belongs and what it is. */
  fix: string;
  covers(finding: Finding): boolean;
}

const underOutput = (path: string): boolean => path.startsWith('deep/er/out/');
const inBackup = (path: string): boolean => path.startsWith('backup/');

export const KNOWN_ISSUES: readonly KnownIssue[] = [
  {
    id: 'sqlite-corrupt-is-unexpected',
    fix:
      "src/extract/pipeline.ts errorSummary: a SqliteError SQLITE_CORRUPT/SQLITE_NOTADB from an extractor's query (a damaged page found " +
      'after WorkDir.openDatabase\'s first query passed) is UNEXPECTED; map it to EXTRACT_DATABASE_UNREADABLE as isSchemaMismatch does for "no such table"',
    covers: (f) =>
      f.kind === 'unexpected-result' &&
      /^(scan|extraction) of /.test(f.facts.step ?? '') &&
      /^(database disk image is malformed|file is not a database)/.test(f.facts.message ?? ''),
  },
  {
    id: 'extractor-sinks-left-open',
    fix:
      'an extractor that throws after opening its output files (TextSink, RecordFiles) never closes them: one descriptor per file stays ' +
      'open until GC, or for ever (TextSink opens with openSync); the pipeline or OutputFolder should destroy what a failed type left open',
    covers: (f) => f.kind === 'descriptor-leak' && (f.facts.descriptors ?? []).every(underOutput),
  },
  {
    id: 'decrypt-source-left-open',
    fix:
      'src/operations/write-stream-file.ts writeStreamToNewFile: when the output folder or file cannot be made (EEXIST for two rows with ' +
      'one target, ENAMETOOLONG, ENOTDIR) the source stream (an open backup data file) is never destroyed ("Closing file descriptor on ' +
      'garbage collection")',
    covers: (f) => f.kind === 'descriptor-leak' && (f.facts.descriptors ?? []).every(inBackup),
  },
  {
    id: 'decrypt-errno-is-unexpected',
    fix:
      'src/operations/decrypt-backup.ts problemOf: an output path the file system refuses (ENAMETOOLONG for a 4,000-character relativePath, ' +
      "ENOTDIR when one row's path is another's folder) is UNEXPECTED; it is a per-file BackupError (e.g. BACKUP_PATH_UNUSABLE)",
    covers: (f) =>
      f.kind === 'unexpected-result' && f.facts.step === 'decryptBackup' && /^E[A-Z]+: /.test(f.facts.message ?? ''),
  },
];

export function knownIssueOf(finding: Finding): KnownIssue | undefined {
  return KNOWN_ISSUES.find((issue) => issue.covers(finding));
}
