import { createReadStream } from 'node:fs';
import { open, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import { createInterface } from 'node:readline';

/** The pull's memory of what it copied, in the output folder: one JSON line per file, appended as each completes. */
export const MANIFEST_NAME = '.iosrescue-media.jsonl';

export interface ManifestEntry {
  /** AFC path on the phone. */
  path: string;
  size: number;
  mtimeMs: number;
  /** Output path, relative to the output folder. */
  out: string;
}

/**
 * Lines appended after each file's rename, so an interrupted pull remembers every file it finished and none it
 * did not. A damaged line (a crash mid-append) is ignored: that file is simply copied again.
 */
export class MediaManifest {
  private appender: Promise<FileHandle> | undefined;

  private constructor(
    private readonly file: string,
    private readonly entries: Map<string, ManifestEntry>,
  ) {}

  static async open(out: string): Promise<MediaManifest> {
    const file = join(out, MANIFEST_NAME);
    const entries = new Map<string, ManifestEntry>();
    try {
      const lines = createInterface({ input: createReadStream(file), crlfDelay: Number.POSITIVE_INFINITY });
      for await (const line of lines) {
        try {
          const entry = JSON.parse(line) as ManifestEntry;
          if (typeof entry.path === 'string' && typeof entry.out === 'string') entries.set(entry.path, entry);
        } catch {
          // a torn last line
        }
      }
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    }
    return new MediaManifest(file, entries);
  }

  /** True when this file was copied before with the same size and phone mtime to the same place. */
  unchanged(entry: ManifestEntry): boolean {
    const known = this.entries.get(entry.path);
    return (
      known !== undefined && known.size === entry.size && known.mtimeMs === entry.mtimeMs && known.out === entry.out
    );
  }

  async record(entry: ManifestEntry): Promise<void> {
    this.entries.set(entry.path, entry);
    this.appender ??= open(this.file, 'a', 0o600);
    await (await this.appender).write(`${JSON.stringify(entry)}\n`);
  }

  async close(): Promise<void> {
    const appender = this.appender;
    this.appender = undefined;
    await (await appender?.catch(() => undefined))?.close();
  }
}
