import { once } from 'node:events';
import { createWriteStream, openSync, type WriteStream } from 'node:fs';
import { WRITE_NO_FOLLOW } from '../output-folder.js';

/** A text file written piece by piece with backpressure, so a 100,000-row CSV never sits in memory. */
export class TextSink {
  private readonly stream: WriteStream;

  constructor(path: string) {
    this.stream = createWriteStream(path, { encoding: 'utf8', fd: openSync(path, WRITE_NO_FOLLOW) });
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
