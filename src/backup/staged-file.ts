import {
  close,
  closeSync,
  fdatasync,
  fdatasyncSync,
  open,
  openSync,
  rename,
  renameSync,
  unlink,
  write,
  writev,
  writevSync,
} from 'node:fs';
import { Writable } from 'node:stream';
import { promisify } from 'node:util';

const openFd = promisify(open);
const closeFd = promisify(close);
const datasyncFd = promisify(fdatasync);
const renameFile = promisify(rename);
const unlinkFile = promisify(unlink);

export interface StagedFileOptions {
  /** datasync before the rename, so a file is never installed with contents still only in the page cache. */
  sync: boolean;
  /**
   * datasync a file too big for the gather buffer when it ends, on a disk thread while reading goes on: its data
   * reaches the disk during the transfer instead of all at once in the commit's filesystem sync (a 1 GiB backup's
   * final sync took 1.2 s here; a machine with plenty of RAM starts no writeback of its own before then).
   */
  syncLargeEarly?: boolean;
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
 *
 * Plain file descriptors, not FileHandle: a million-file backup opens a million of these, and the promise API's
 * per-call cost showed in profiles. Bytes are gathered up to 1 MiB; a file that ends before that is written with
 * synchronous calls in one go (finishSmallFile), a bigger one through libuv's disk threads while reading goes on.
 */
/** Small chunks are gathered up to this size before a write: one disk call per MiB instead of one per 64 KiB block. */
const GATHER_BYTES = 1024 * 1024;

export class StagedFile extends Writable {
  private fd = -1;
  private installed = false;
  private gathered: Buffer[] = [];
  private gatheredBytes = 0;

  constructor(
    readonly tempPath: string,
    readonly target: string,
    private readonly options: StagedFileOptions,
  ) {
    super({ highWaterMark: 256 * 1024 });
  }

  override _write(chunk: Buffer, _encoding: BufferEncoding, callback: (error?: Error | null) => void): void {
    this.gather([chunk], callback);
  }

  override _writev(chunks: Array<{ chunk: Buffer }>, callback: (error?: Error | null) => void): void {
    this.gather(
      chunks.map((c) => c.chunk),
      callback,
    );
  }

  /** Keeps chunks (the caller hands them over and does not reuse them) until a MiB is ready, then writes them at once.
   * */
  private gather(chunks: Buffer[], callback: (error?: Error | null) => void): void {
    for (const chunk of chunks) {
      this.gathered.push(chunk);
      this.gatheredBytes += chunk.length;
    }
    if (this.gatheredBytes < GATHER_BYTES) return callback();
    this.flushGathered(callback);
  }

  private flushGathered(callback: (error?: Error | null) => void): void {
    const buffers = this.gathered;
    this.gathered = [];
    this.gatheredBytes = 0;
    if (this.fd >= 0) return writeFully(this.fd, buffers, callback);
    openFd(this.tempPath, 'wx', 0o600).then((fd) => {
      if (this.destroyed) {
        // Destroyed while the disk was creating the file: _destroy found nothing to remove, so remove it here.
        closeFd(fd)
          .catch(() => undefined)
          .then(() => unlinkFile(this.tempPath))
          .catch(() => undefined)
          .then(
            () => callback(new Error('the file was abandoned while it was being created')),
            () => undefined,
          );
        return;
      }
      this.fd = fd;
      writeFully(fd, buffers, callback);
    }, callback);
  }

  override _final(callback: (error?: Error | null) => void): void {
    if (this.fd < 0) {
      this.finishSmallFile(callback);
      return;
    }
    (async () => {
      await new Promise<void>((resolve, reject) => this.flushGathered((error) => (error ? reject(error) : resolve())));
      if (this.options.sync || this.options.syncLargeEarly) await datasyncFd(this.fd);
      const fd = this.fd;
      this.fd = -1;
      await closeFd(fd);
      await renameFile(this.tempPath, this.target);
      this.installed = true;
      this.options.onInstalled(this.target);
      this.options.onSettled();
    })().then(() => callback(), callback);
  }

  /**
   * A file that fits in the gather buffer (most files of a phone) is written in one go with synchronous calls:
   * four system calls on this thread cost less than four hand-offs to libuv's disk threads and back, which is what
   * let a C host outrun us on backups of many small files.
   */
  private finishSmallFile(callback: (error?: Error | null) => void): void {
    let fd = -1;
    try {
      fd = openSync(this.tempPath, 'wx', 0o600);
      let pending = this.gathered;
      this.gathered = [];
      this.gatheredBytes = 0;
      while (pending.length > 0) pending = notYetWritten(pending, writevSync(fd, pending));
      if (this.options.sync) fdatasyncSync(fd);
      closeSync(fd);
      fd = -1;
      renameSync(this.tempPath, this.target);
    } catch (error) {
      if (fd >= 0) {
        try {
          closeSync(fd);
        } catch {
          // Already failing; the unlink in _destroy cleans up.
        }
      }
      callback(error as Error);
      return;
    }
    this.installed = true;
    this.options.onInstalled(this.target);
    this.options.onSettled();
    callback();
  }

  override _destroy(error: Error | null, callback: (error?: Error | null) => void): void {
    if (this.installed) {
      callback(error);
      return;
    }
    (async () => {
      if (this.fd >= 0) {
        const fd = this.fd;
        this.fd = -1;
        await closeFd(fd).catch(() => undefined);
      }
      await unlinkFile(this.tempPath).catch(() => undefined);
      this.options.onSettled();
    })().then(
      () => callback(error),
      () => callback(error),
    );
  }
}

/** What is left of `buffers` once writev took `written` bytes of them: the rest of a part-written one, and those after.
 * */
function notYetWritten(buffers: Buffer[], written: number): Buffer[] {
  const rest: Buffer[] = [];
  for (const buffer of buffers) {
    if (written >= buffer.length) written -= buffer.length;
    else {
      rest.push(written > 0 ? buffer.subarray(written) : buffer);
      written = 0;
    }
  }
  return rest;
}

/** writev may take fewer bytes than offered; go on from where it stopped until every buffer is on disk. */
function writeFully(fd: number, buffers: Buffer[], callback: (error?: Error | null) => void): void {
  const step = (list: Buffer[]): void => {
    if (list.length === 0) return callback();
    const done = (error: Error | null, written: number): void => {
      if (error) return callback(error);
      step(notYetWritten(list, written));
    };
    if (list.length === 1) write(fd, list[0]!, 0, list[0]!.length, null, done);
    else writev(fd, list, null, done);
  };
  step(buffers);
}
