import type { FileHandle } from 'node:fs/promises';
import { rename, unlink } from 'node:fs/promises';
import { Writable } from 'node:stream';

export interface StagedFileOptions {
  /** datasync before the rename, so a file is never installed with contents still only in the page cache. */
  sync: boolean;
  /** Called once the file is in place (its parent directory now needs a sync before the commit). */
  onInstalled(target: string): void;
  /** Called once whatever the outcome: the writer counts open files. */
  onSettled(): void;
}

/**
 * A file being received: bytes go to a private temporary file and only a successful end renames it over the
 * target. The target may be a hard link into the previous complete backup; renaming replaces the staging
 * directory's entry and leaves that inode, and so the previous backup, untouched. Destroyed (with or without an
 * error) before the end, the temporary file is deleted and the target keeps whatever it had.
 */
export class StagedFile extends Writable {
  private handleClosed = false;
  private installed = false;

  constructor(
    private readonly handle: FileHandle,
    readonly tempPath: string,
    readonly target: string,
    private readonly options: StagedFileOptions,
  ) {
    super({ highWaterMark: 256 * 1024 });
  }

  override _write(chunk: Buffer, _encoding: BufferEncoding, callback: (error?: Error | null) => void): void {
    writeAll(this.handle, chunk).then(() => callback(), callback);
  }

  override _writev(chunks: Array<{ chunk: Buffer }>, callback: (error?: Error | null) => void): void {
    writeAll(this.handle, Buffer.concat(chunks.map((c) => c.chunk))).then(() => callback(), callback);
  }

  override _final(callback: (error?: Error | null) => void): void {
    (async () => {
      if (this.options.sync) await this.handle.datasync();
      this.handleClosed = true;
      await this.handle.close();
      await rename(this.tempPath, this.target);
      this.installed = true;
      this.options.onInstalled(this.target);
      this.options.onSettled();
    })().then(() => callback(), callback);
  }

  override _destroy(error: Error | null, callback: (error?: Error | null) => void): void {
    if (this.installed) {
      callback(error);
      return;
    }
    (async () => {
      if (!this.handleClosed) {
        this.handleClosed = true;
        await this.handle.close().catch(() => undefined);
      }
      await unlink(this.tempPath).catch(() => undefined);
      this.options.onSettled();
    })().then(() => callback(error), () => callback(error));
  }
}

/** fs write may take fewer bytes than offered; loop until the chunk is all on disk. */
async function writeAll(handle: FileHandle, data: Buffer): Promise<void> {
  let offset = 0;
  while (offset < data.length) {
    const { bytesWritten } = await handle.write(data, offset, data.length - offset);
    offset += bytesWritten;
  }
}
