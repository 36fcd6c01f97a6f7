import type { Duplex } from 'node:stream';
import { WireError, socketError } from './errors.js';

export interface ReadOptions {
  /** Milliseconds to wait for the whole read; 0 waits forever. */
  timeoutMs?: number;
  /** What we are waiting for, shown in the timeout error ("lockdown reply", "mobilebackup2 message"). */
  waitingFor?: string;
}

/** Above this many buffered bytes the socket is paused, so a fast sender cannot fill our memory. */
const HIGH_WATER_BYTES = 4 * 1024 * 1024;

/**
 * Exact-length reads from a socket, with a timeout and backpressure. Reads are served in order, one at a time;
 * bytes that arrive before anyone asks are buffered (paused past HIGH_WATER_BYTES).
 * `detach()` hands the socket back untouched, e.g. for a TLS upgrade on the same connection: a reader left
 * attached would swallow the TLS handshake bytes.
 */
export class SocketReader {
  private chunks: Buffer[] = [];
  private buffered = 0;
  private pending:
    | { size: number; resolve: (b: Buffer) => void; reject: (e: Error) => void; peek: boolean; timer?: NodeJS.Timeout }
    | undefined;
  private failure: WireError | undefined;
  private detached = false;

  private readonly onData = (chunk: Buffer): void => {
    this.chunks.push(chunk);
    this.buffered += chunk.length;
    if (this.buffered > HIGH_WATER_BYTES) this.socket.pause();
    this.settle();
  };
  private readonly onEnd = (): void => this.fail(new WireError('WIRE_CLOSED', 'the connection was closed by the peer'));
  private readonly onClose = (): void => this.fail(new WireError('WIRE_CLOSED', 'the connection was closed'));
  private readonly onError = (error: Error): void => this.fail(socketError(error, 'reading'));

  constructor(
    readonly socket: Duplex,
    private readonly defaultTimeoutMs = 30_000,
  ) {
    socket.on('data', this.onData);
    socket.on('end', this.onEnd);
    socket.on('close', this.onClose);
    socket.on('error', this.onError);
  }

  /** Bytes received and not yet read. */
  get bufferedBytes(): number {
    return this.buffered;
  }

  /**
   * Up to `maxBytes` of what has arrived, without copying: the front of the oldest received chunk. Waits (like
   * readExactly(1)) only when nothing is buffered. Bulk readers use it so that a 64 KiB block split across two
   * socket reads is passed on as two views instead of being copied into one new buffer.
   */
  async readSome(maxBytes: number, options: ReadOptions = {}): Promise<Buffer> {
    if (this.buffered === 0) await this.read(1, options, true);
    return this.takeFront(maxBytes);
  }

  private takeFront(maxBytes: number): Buffer {
    const first = this.chunks[0];
    if (!first || maxBytes <= 0) return Buffer.alloc(0);
    return this.take(Math.min(maxBytes, first.length));
  }

  readExactly(size: number, options: ReadOptions = {}): Promise<Buffer> {
    return this.read(size, options, false);
  }

  /** Waits until `size` bytes are buffered; then takes them, or with `peek` leaves them (and resolves empty). */
  private read(size: number, options: ReadOptions, peek: boolean): Promise<Buffer> {
    if (this.detached) return Promise.reject(new WireError('WIRE_CLOSED', 'the reader was detached from its socket'));
    if (this.pending)
      return Promise.reject(new WireError('WIRE_BUSY', 'a read is already in progress on this connection'));
    if (!Number.isSafeInteger(size) || size < 0) {
      return Promise.reject(new WireError('WIRE_BAD_FRAME', `cannot read ${size} bytes`));
    }
    if (this.buffered >= size) return Promise.resolve(peek ? Buffer.alloc(0) : this.take(size));
    if (this.failure) return Promise.reject(this.failure);
    return new Promise((resolve, reject) => {
      this.pending = { size, resolve, reject, peek };
      const timeoutMs = options.timeoutMs ?? this.defaultTimeoutMs;
      if (timeoutMs > 0) {
        this.pending.timer = setTimeout(() => {
          this.pending = undefined;
          reject(
            new WireError(
              'WIRE_TIMEOUT',
              `no ${options.waitingFor ?? 'reply'} within ${Math.round(timeoutMs / 1000)} s (got ${this.buffered} of ${size} bytes)`,
              { details: { timeoutMs, waitingFor: options.waitingFor } },
            ),
          );
        }, timeoutMs);
      }
      this.socket.resume();
    });
  }

  /** Stops reading and returns the bytes that arrived but were not read (normally none). */
  detach(): Buffer {
    this.detached = true;
    // A read still waiting would otherwise wait forever: the socket's end and close no longer reach it.
    this.fail(new WireError('WIRE_CLOSED', 'the connection was closed on this side'));
    this.socket.off('data', this.onData);
    this.socket.off('end', this.onEnd);
    this.socket.off('close', this.onClose);
    this.socket.off('error', this.onError);
    // Detaching the last 'data' listener does not pause a flowing stream: pause it so nothing is lost
    // until the next owner attaches.
    this.socket.pause();
    const rest = Buffer.concat(this.chunks);
    this.chunks = [];
    this.buffered = 0;
    return rest;
  }

  private settle(): void {
    const pending = this.pending;
    if (!pending || this.buffered < pending.size) return;
    this.pending = undefined;
    if (pending.timer) clearTimeout(pending.timer);
    pending.resolve(pending.peek ? Buffer.alloc(0) : this.take(pending.size));
  }

  private fail(error: WireError): void {
    if (this.failure) return;
    this.failure = error;
    const pending = this.pending;
    if (!pending) return;
    this.pending = undefined;
    if (pending.timer) clearTimeout(pending.timer);
    pending.reject(
      new WireError(error.code, `${error.message} (got ${this.buffered} of ${pending.size} bytes)`, {
        cause: error.cause,
        details: { ...error.details },
      }),
    );
  }

  private take(size: number): Buffer {
    let out: Buffer;
    const first = this.chunks[0];
    if (first && first.length >= size) {
      out = first.subarray(0, size);
      if (first.length === size) this.chunks.shift();
      else this.chunks[0] = first.subarray(size);
    } else {
      out = Buffer.allocUnsafe(size);
      let filled = 0;
      while (filled < size) {
        const chunk = this.chunks[0]!;
        const n = Math.min(chunk.length, size - filled);
        chunk.copy(out, filled, 0, n);
        filled += n;
        if (n === chunk.length) this.chunks.shift();
        else this.chunks[0] = chunk.subarray(n);
      }
    }
    this.buffered -= size;
    if (this.buffered <= HIGH_WATER_BYTES && !this.detached) this.socket.resume();
    return out;
  }
}
