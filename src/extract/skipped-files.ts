import type { BackupError, BackupFileEntry } from '../backup/index.js';
import type { DataType } from './extractor.js';

/** One backup file an extractor did not read, as handed to ExtractOptions.onSkip (to be logged, not kept). */
export interface SkippedFile {
  type: DataType;
  domain: string;
  relativePath: string;
  code: string;
  message: string;
}

const EXAMPLES_PER_CODE = 3;

/**
 * Counts the files of one type that could not be read, per code. A hostile backup may hold a million bad entries:
 * each goes to `onSkip` (the log) as it happens, and only the counts and a few examples are kept.
 */
export class SkippedFiles {
  readonly counts: Record<string, number> = {};
  private readonly examples = new Map<string, string[]>();

  constructor(
    private readonly type: DataType,
    private readonly onSkip?: (file: SkippedFile) => void,
  ) {}

  add(entry: BackupFileEntry, reason: BackupError): void {
    this.counts[reason.code] = (this.counts[reason.code] ?? 0) + 1;
    const examples = this.examples.get(reason.code) ?? [];
    if (examples.length < EXAMPLES_PER_CODE) examples.push(`${entry.domain}/${entry.relativePath}`);
    this.examples.set(reason.code, examples);
    this.onSkip?.({
      type: this.type,
      domain: entry.domain,
      relativePath: entry.relativePath,
      code: reason.code,
      message: reason.message,
    });
  }

  get any(): boolean {
    return this.examples.size > 0;
  }

  /** One line per code: how many, and a few of them. */
  warnings(): string[] {
    return [...this.examples].map(([code, examples]) => {
      const n = this.counts[code]!;
      return `${n} file(s) not read [${code}], e.g. ${examples.join(', ')}${n > examples.length ? ', …' : ''}`;
    });
  }
}
