import { AsyncLocalStorage } from 'node:async_hooks';
import { once } from 'node:events';
import { closeSync, createWriteStream, openSync, type WriteStream } from 'node:fs';
import { WRITE_NO_FOLLOW } from '../output-folder.js';
import { settleFileMode, type OutputPermissions } from '../output-mode.js';

/**
 * The sinks one extractor run opened and has not closed. Kept per run (not per process), so a type that fails in one
 * extraction ends only its own files while other extractions in the same process (daemon jobs) write on.
 */
const openSinksOfRun = new AsyncLocalStorage<Set<TextSink>>();

/** A text file written piece by piece with backpressure, so a 100,000-row CSV never sits in memory. */
export class TextSink {
  private readonly stream: WriteStream;
  private readonly openSinks: Set<TextSink> | undefined;
  /** Ended by abandonOpen: the type failed, and what still arrives for this file is dropped. */
  private abandoned = false;

  /** Runs `work` with its own record of open sinks, which `abandonOpen(sinks)` can end if the work fails. */
  static track<T>(work: () => Promise<T>): { sinks: Set<TextSink>; done: Promise<T> } {
    const sinks = new Set<TextSink>();
    return { sinks, done: openSinksOfRun.run(sinks, work) };
  }

  /** Ends every sink still open in `sinks` (descriptors closed, what they hold left as written); how many there were. */
  static abandonOpen(sinks: Set<TextSink>): number {
    const count = sinks.size;
    for (const sink of sinks) {
      sink.abandoned = true;
      // A write still on its way from the failed extractor must not become an unhandled 'error' event.
      sink.stream.on('error', () => undefined);
      sink.stream.destroy();
    }
    sinks.clear();
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
    this.openSinks = openSinksOfRun.getStore();
    this.openSinks?.add(this);
  }

  async write(text: string): Promise<void> {
    if (this.abandoned) return;
    if (!this.stream.write(text)) await once(this.stream, 'drain');
  }

  async close(): Promise<void> {
    this.openSinks?.delete(this);
    if (this.abandoned) return;
    const done = once(this.stream, 'finish');
    this.stream.end();
    await done;
  }
}
