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

export const KNOWN_ISSUES: readonly KnownIssue[] = [];

export function knownIssueOf(finding: Finding): KnownIssue | undefined {
  return KNOWN_ISSUES.find((issue) => issue.covers(finding));
}
