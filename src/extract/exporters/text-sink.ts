import { once } from 'node:events';
import { closeSync, createWriteStream, openSync, type WriteStream } from 'node:fs';
import { WRITE_NO_FOLLOW } from '../output-folder.js';
import { settleFileMode, type OutputPermissions } from '../output-mode.js';

/** A text file written piece by piece with backpressure, so a 100,000-row CSV never sits in memory. */
export class TextSink {
  private readonly stream: WriteStream;

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
  }

  async write(text: string): Promise<void> {
    if (!this.stream.write(text)) await once(this.stream, 'drain');
  }

  async close(): Promise<void> {
    const done = once(this.stream, 'finish');
    this.stream.end();
    await done;
  }
}
