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

export const KNOWN_ISSUES: readonly KnownIssue[] = [
  {
    // Reproduction: IOSRESCUE_FUZZ_MUTATIONS=sqlite-pages IOSRESCUE_FUZZ_SEED=c1 IOSRESCUE_FUZZ_ITERATION=14.
    id: 'workdir-database-left-open',
    fix:
      'src/extract/work-dir.ts openDatabase: when the first query fails (malformed schema: EXTRACT_DATABASE_UNREADABLE) the ' +
      'connection just opened is never closed; the database, its -wal and -shm stay open after the work folder is removed',
    covers: (f) =>
      f.kind === 'descriptor-leak' && (f.facts.descriptors ?? []).every((d) => d.startsWith('tmp/iosrescue-extract-')),
  },
  {
    // Reproduction: IOSRESCUE_FUZZ_MUTATIONS=row-path,row-duplicate,mbdb-record IOSRESCUE_FUZZ_SEED=p1
    // IOSRESCUE_FUZZ_ITERATION=17.
    id: 'decrypt-tree-folder-errno-is-unexpected',
    fix:
      "src/operations/decrypt-backup.ts: in the tree layout a directory row's folder is made with makeOutputFolder directly, so " +
      'a path the file system refuses (ENAMETOOLONG for a 6,000-character relativePath) is an UNEXPECTED problem; files go ' +
      'through writeStreamToNewFile, which already makes it BACKUP_OUTPUT_UNUSABLE',
    covers: (f) =>
      f.kind === 'unexpected-result' &&
      f.facts.step === 'decryptBackup' &&
      /^E[A-Z]+: [^,]+, mkdir /.test(f.facts.message ?? ''),
  },
];

export function knownIssueOf(finding: Finding): KnownIssue | undefined {
  return KNOWN_ISSUES.find((issue) => issue.covers(finding));
}
