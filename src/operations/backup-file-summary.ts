import type { BackupFileEntry } from '../backup/index.js';

/** One manifest entry as the CLI and the daemon show it (JSON-friendly: dates as ISO strings). */
export interface BackupFileSummary {
  fileId: string;
  domain: string;
  relativePath: string;
  kind: BackupFileEntry['kind'];
  size?: number;
  mode?: string;
  modified?: string;
  protectionClass?: number;
  target?: string;
  problem?: { code: string; message: string };
}

const iso = (seconds: number | undefined): string | undefined =>
  seconds === undefined ? undefined : new Date(seconds * 1000).toISOString();

export function summarizeEntry(entry: BackupFileEntry): BackupFileSummary {
  const m = entry.metadata;
  return {
    fileId: entry.fileId,
    domain: entry.domain,
    relativePath: entry.relativePath,
    kind: entry.kind,
    size: m?.size,
    mode: m === null ? undefined : `0${m.mode.toString(8)}`,
    modified: iso(m?.lastModified),
    protectionClass: m?.protectionClass,
    target: m?.target,
    problem: entry.problem && { code: entry.problem.code, message: entry.problem.message },
  };
}
