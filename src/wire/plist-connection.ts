import type { Duplex } from 'node:stream';
import type { PlistValue } from '../plist/index.js';
import { encodePlistFrame, readPlistFrame, type FrameReadOptions, type PlistFormat } from './plist-frame.js';
import { SocketReader } from './socket-reader.js';
import { WireError, socketError } from './errors.js';

/**
 * A connection that speaks length-prefixed plists (lockdownd and the plist services). It owns its socket;
 * `detachSocket()` gives the raw socket back (to upgrade it to TLS) and the connection must then be rebuilt
 * on the new socket with `new PlistConnection(tlsSocket)`.
 */
export class PlistConnection {
  readonly reader: SocketReader;

  constructor(
    readonly socket: Duplex,
    private readonly options: { format?: PlistFormat; timeoutMs?: number; maxFrameBytes?: number } = {},
  ) {
    this.reader = new SocketReader(socket, options.timeoutMs ?? 30_000);
  }

  send(value: PlistValue, format: PlistFormat = this.options.format ?? 'xml'): Promise<void> {
    return writeAll(this.socket, encodePlistFrame(value, format));
  }

  receive(options: FrameReadOptions = {}): Promise<PlistValue> {
    return readPlistFrame(this.reader, { maxBytes: this.options.maxFrameBytes, ...options });
  }

  detachSocket(): Duplex {
    const rest = this.reader.detach();
    if (rest.length > 0) {
      throw new WireError('WIRE_BAD_FRAME', `the peer sent ${rest.length} unexpected bytes before the TLS upgrade`);
    }
    return this.socket;
  }

  close(): void {
    this.reader.detach();
    this.socket.end();
    this.socket.destroy();
  }
}

/** Said in words: the usual cause is a phone unplugged or usbmuxd gone, not something the user did here. */
const CLOSED_FOR_WRITING =
  'cannot write: the connection to the phone or to usbmuxd is already closed (it was lost or ended)';

/**
 * Queues `data` and waits only when the socket's buffer is full (for 'drain'), not for each write to reach the
 * kernel: bulk senders (file streams) pay one event-loop turn per buffer-full instead of one per block.
 */
export async function writeBuffered(socket: Duplex, data: Buffer): Promise<void> {
  if (socket.destroyed || socket.writableEnded) throw new WireError('WIRE_CLOSED', CLOSED_FOR_WRITING);
  if (socket.write(data)) return;
  await new Promise<void>((resolve, reject) => {
    const done = (error?: Error): void => {
      socket.off('drain', onDrain);
      socket.off('close', onClose);
      if (error) reject(error);
      else resolve();
    };
    const onDrain = (): void => done();
    const onClose = (): void =>
      done(new WireError('WIRE_CLOSED', 'the connection to the phone or to usbmuxd closed while sending'));
    socket.on('drain', onDrain);
    socket.on('close', onClose);
  });
}

/** Writes and resolves once the bytes are handed to the OS (or rejects when the socket fails). */
export function writeAll(socket: Duplex, data: Buffer): Promise<void> {
  return new Promise((resolve, reject) => {
    if (socket.destroyed || socket.writableEnded) {
      reject(new WireError('WIRE_CLOSED', CLOSED_FOR_WRITING));
      return;
    }
    socket.write(data, (error) => {
      if (error) reject(socketError(error, 'writing'));
      else resolve();
    });
  });
}
