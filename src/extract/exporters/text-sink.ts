import { once } from 'node:events';
import { closeSync, createWriteStream, openSync, type WriteStream } from 'node:fs';
import { WRITE_NO_FOLLOW } from '../output-folder.js';
import { settleFileMode, type OutputPermissions } from '../output-mode.js';

/** A text file written piece by piece with backpressure, so a 100,000-row CSV never sits in memory. */
export class TextSink {
  /** Sinks not yet closed: an extractor that fails part-way leaves its own open, and the pipeline ends them. */
  private static readonly open = new Set<TextSink>();
  private readonly stream: WriteStream;
  /** Ended by abandonOpen: the type failed, and what still arrives for this file is dropped. */
  private abandoned = false;

  /** Ends every sink still open (their descriptors closed, what they hold left as written); how many there were. */
  static abandonOpen(): number {
    const count = TextSink.open.size;
    for (const sink of TextSink.open) {
      sink.abandoned = true;
      // A write still on its way from the failed extractor must not become an unhandled 'error' event.
      sink.stream.on('error', () => undefined);
      sink.stream.destroy();
    }
    TextSink.open.clear();
    return count;
  }

  /**
   * `permissions`: the mode to give the file. Without them, the file is expected to come from
   * OutputFolder.absolute (already created with the output's mode, which is kept); a new one gets 0600 at most.
   */
  constructor(path: string, permissions?: OutputPermissions) {
    const fd = openSync(path, WRITE_NO_FOLLOW, permissions?.fileMode ?? 0o600);
    try {
      if (permissions) settleFileMode(fd, permissions);
    } catch (error) {
      closeSync(fd);
      throw error;
    }
    this.stream = createWriteStream(path, { encoding: 'utf8', fd });
    TextSink.open.add(this);
  }

  async write(text: string): Promise<void> {
    if (this.abandoned) return;
    if (!this.stream.write(text)) await once(this.stream, 'drain');
  }

  async close(): Promise<void> {
    TextSink.open.delete(this);
    if (this.abandoned) return;
    const done = once(this.stream, 'finish');
    this.stream.end();
    await done;
  }
}
