import { Readable, type Duplex } from 'node:stream';
import type { LockdownSession } from '../../lockdown/index.js';
import { SocketReader, writeBuffered } from '../../wire/index.js';
import { AfcError } from './errors.js';
import {
  AFC_HEADER_SIZE,
  AFC_SERVICE,
  AfcFileMode,
  AfcOperation,
  AfcStatus,
  afcStatusName,
  cString,
  decodeAfcHeader,
  encodeAfcPacket,
  pairsToRecord,
  splitNul,
  u64,
} from './protocol.js';

/** A listing of tens of thousands of names is a few MB; file data comes in replies of at most `chunkBytes`. */
const MAX_REPLY = 64 * 1024 * 1024;
/** libimobiledevice and pymobiledevice3 read 64 KiB per FileRead; bigger reads cost fewer round trips. */
const DEFAULT_CHUNK = 1024 * 1024;
/** FileRead requests kept in flight per stream: the phone answers the next while we write the last. */
const DEFAULT_IN_FLIGHT = 4;

export interface AfcFileInfo {
  size: number;
  kind: 'file' | 'directory' | 'symlink' | 'other';
  /** Milliseconds since 1970 (AFC sends nanoseconds). */
  mtimeMs: number;
  birthtimeMs: number;
  linkTarget?: string;
}

export interface AfcDeviceInfo {
  model: string;
  totalBytes: number;
  freeBytes: number;
  blockSize: number;
}

export interface AfcReadOptions {
  /** The file's size when known (from getFileInfo): no read is asked for past it. */
  size?: number;
  chunkBytes?: number;
  inFlight?: number;
}

interface PendingReply {
  packetNumber: bigint;
  operation: number;
  /** A DATA reply is handed over as the pieces it arrived in (file data: no copy into one buffer). */
  pieces: boolean;
  resolve: (reply: Buffer | Buffer[]) => void;
  reject: (error: Error) => void;
}

/**
 * One AFC connection. Requests are pipelined: each is written at once and its reply matched in order by packet
 * number (a phone answers one connection's requests in the order they came), so a file can have several FileRead
 * requests in flight while earlier data is being written to disk.
 */
export class AfcClient {
  private readonly reader: SocketReader;
  private packetNumber = 0n;
  private readonly pending: PendingReply[] = [];
  private reading = false;
  private failure: Error | undefined;

  constructor(
    readonly socket: Duplex,
    options: { timeoutMs?: number } = {},
  ) {
    this.reader = new SocketReader(socket, options.timeoutMs ?? 30_000);
  }

  /** Starts com.apple.afc in the lockdown session and connects to it. */
  static async open(
    session: Pick<LockdownSession, 'startService'>,
    options: { timeoutMs?: number } = {},
  ): Promise<AfcClient> {
    const service = await session.startService(AFC_SERVICE);
    return new AfcClient(service.socket, options);
  }

  async getFileInfo(path: string): Promise<Record<string, string>> {
    return pairsToRecord(await this.request(AfcOperation.GET_FILE_INFO, cString(path)));
  }

  /** getFileInfo's pairs as numbers and a kind. */
  async stat(path: string): Promise<AfcFileInfo> {
    return parseFileInfo(await this.getFileInfo(path));
  }

  /** The names in a folder, without `.` and `..`. */
  async readDirectory(path: string): Promise<string[]> {
    return splitNul(await this.request(AfcOperation.READ_DIR, cString(path))).filter(
      (name) => name !== '.' && name !== '..',
    );
  }

  async getDeviceInfo(): Promise<Record<string, string>> {
    return pairsToRecord(await this.request(AfcOperation.GET_DEVICE_INFO, Buffer.alloc(0)));
  }

  /** Model, total and free bytes of the media partition. */
  async deviceInfo(): Promise<AfcDeviceInfo> {
    const info = await this.getDeviceInfo();
    return {
      model: info.Model ?? '',
      totalBytes: Number(info.FSTotalBytes ?? 0),
      freeBytes: Number(info.FSFreeBytes ?? 0),
      blockSize: Number(info.FSBlockSize ?? 0),
    };
  }

  async makeDirectory(path: string): Promise<void> {
    await this.request(AfcOperation.MAKE_DIR, cString(path));
  }

  async removePath(path: string): Promise<void> {
    await this.request(AfcOperation.REMOVE_PATH, cString(path));
  }

  async renamePath(from: string, to: string): Promise<void> {
    await this.request(AfcOperation.RENAME_PATH, cString(from, to));
  }

  /** Returns a non-zero handle (0 means "no handle" to every AFC client). */
  async openFile(path: string, mode: number): Promise<bigint> {
    const reply = await this.request(AfcOperation.FILE_OPEN, Buffer.concat([u64(mode), cString(path)]));
    if (reply.length < 8) throw new AfcError('AFC_BAD_REPLY', 'FileOpen returned no handle');
    const handle = reply.readBigUInt64LE(0);
    if (handle === 0n) throw new AfcError('AFC_BAD_REPLY', 'FileOpen returned handle 0');
    return handle;
  }

  read(handle: bigint, length: number): Promise<Buffer> {
    return this.request(AfcOperation.FILE_READ, u64(handle, length));
  }

  /** FileRead whose data comes back as the pieces the socket delivered (empty at end of file). */
  readPieces(handle: bigint, length: number): Promise<Buffer[]> {
    return this.send(AfcOperation.FILE_READ, u64(handle, length), Buffer.alloc(0), true) as Promise<Buffer[]>;
  }

  async write(handle: bigint, data: Buffer): Promise<void> {
    await this.request(AfcOperation.FILE_WRITE, u64(handle), data);
  }

  async closeFile(handle: bigint): Promise<void> {
    await this.request(AfcOperation.FILE_CLOSE, u64(handle));
  }

  async lock(handle: bigint, operation: number): Promise<void> {
    await this.request(AfcOperation.FILE_LOCK, u64(handle, operation));
  }

  /**
   * A file's bytes as a stream with up to `inFlight` FileRead requests outstanding. Ends at an empty reply (end of
   * file) or, when `size` is given, once that many bytes came. The handle is closed at the end or on error.
   */
  readFileStream(path: string, options: AfcReadOptions = {}): Readable {
    const chunk = options.chunkBytes ?? DEFAULT_CHUNK;
    const window = Math.max(1, options.inFlight ?? DEFAULT_IN_FLIGHT);
    let handle: bigint | undefined;
    let opening: Promise<bigint> | undefined;
    let asked = 0;
    let received = 0;
    let ended = false;
    const inFlight: Array<Promise<Buffer[]>> = [];
    const fill = (open: bigint): void => {
      while (inFlight.length < window && (options.size === undefined || asked < options.size)) {
        const length = options.size === undefined ? chunk : Math.min(chunk, options.size - asked);
        asked += length;
        const reply = this.readPieces(open, length);
        reply.catch(() => undefined); // consumed in order below; a failure is reported there
        inFlight.push(reply);
      }
      // The phone answered short reads and `size` is all asked for: ask on until it says end of file.
      if (inFlight.length === 0) {
        asked += chunk;
        const reply = this.readPieces(open, chunk);
        reply.catch(() => undefined);
        inFlight.push(reply);
      }
    };
    const finish = async (): Promise<null> => {
      ended = true;
      const open = handle;
      handle = undefined;
      // Replies still outstanding come before the close's, and are dropped.
      inFlight.length = 0;
      // The stream ends without waiting for the close's reply: the phone answers in order, so anything asked on
      // this connection later is answered after the close. A failed close is logged by nobody and costs nothing.
      if (open !== undefined) this.closeFile(open).catch(() => undefined);
      return null;
    };
    const next = async (): Promise<Buffer[] | null> => {
      if (ended) return null;
      opening ??= this.openFile(path, AfcFileMode.RDONLY);
      handle ??= await opening;
      if (options.size !== undefined && received >= options.size) return finish();
      fill(handle);
      const pieces = await inFlight.shift()!;
      if (pieces.length === 0) return finish();
      for (const piece of pieces) received += piece.length;
      return pieces;
    };
    const stream: Readable = new Readable({
      highWaterMark: chunk,
      read: () => {
        next().then(
          (data) => {
            if (stream.destroyed) return;
            if (data === null) stream.push(null);
            else for (const piece of data) stream.push(piece);
          },
          (error: Error) => stream.destroy(error),
        );
      },
      destroy: (error, callback) => {
        ended = true;
        inFlight.length = 0;
        const open = handle;
        handle = undefined;
        if (open === undefined || this.failure) return callback(error);
        this.closeFile(open).then(
          () => callback(error),
          () => callback(error),
        );
      },
    });
    return stream;
  }

  close(): void {
    this.fail(new AfcError('AFC_CLOSED', 'the AFC connection was closed on this side'));
    this.reader.detach();
    this.socket.destroy();
  }

  private request(operation: number, headerData: Buffer, payload: Buffer = Buffer.alloc(0)): Promise<Buffer> {
    return this.send(operation, headerData, payload, false) as Promise<Buffer>;
  }

  private send(operation: number, headerData: Buffer, payload: Buffer, pieces: boolean): Promise<Buffer | Buffer[]> {
    if (this.failure) return Promise.reject(this.failure);
    this.packetNumber += 1n;
    const packetNumber = this.packetNumber;
    const reply = new Promise<Buffer | Buffer[]>((resolve, reject) =>
      this.pending.push({ packetNumber, operation, pieces, resolve, reject }),
    );
    writeBuffered(this.socket, encodeAfcPacket({ packetNumber, operation, headerData, payload })).catch(
      (error: Error) => this.fail(error),
    );
    void this.readReplies();
    return reply;
  }

  /** Reads replies while any request waits for one; they come back in request order. */
  private async readReplies(): Promise<void> {
    if (this.reading) return;
    this.reading = true;
    try {
      while (this.pending.length > 0 && !this.failure) {
        const header = decodeAfcHeader(
          await this.reader.readExactly(AFC_HEADER_SIZE, { waitingFor: 'an AFC reply' }),
          MAX_REPLY,
        );
        const waiting = this.pending[0];
        if (waiting === undefined) throw new AfcError('AFC_BAD_REPLY', 'an AFC reply nobody asked for');
        if (header.packetNumber !== waiting.packetNumber)
          throw new AfcError('AFC_BAD_REPLY', `AFC reply ${header.packetNumber} to request ${waiting.packetNumber}`);
        const headerData = await this.reader.readExactly(header.thisLength - AFC_HEADER_SIZE);
        const payloadLength = header.entireLength - header.thisLength;
        if (waiting.pieces && header.operation === AfcOperation.DATA && headerData.length === 0) {
          const pieces: Buffer[] = [];
          for (let left = payloadLength; left > 0; ) {
            const piece = await this.reader.readSome(left);
            pieces.push(piece);
            left -= piece.length;
          }
          this.pending.shift();
          waiting.resolve(pieces);
          continue;
        }
        const payload = await this.reader.readExactly(payloadLength);
        this.pending.shift();
        try {
          const body = replyBody(waiting.operation, header.operation, headerData, payload);
          // Data sent in the header part (not a phone's layout, accepted anyway) is one piece.
          waiting.resolve(waiting.pieces ? (body.length > 0 ? [body] : []) : body);
        } catch (error) {
          waiting.reject(error as Error);
        }
      }
    } catch (error) {
      this.fail(error as Error);
    } finally {
      this.reading = false;
    }
  }

  /** Every waiting request fails with the same error, and so does every later one: the connection is unusable. */
  private fail(error: Error): void {
    this.failure ??= error;
    for (const waiting of this.pending.splice(0)) waiting.reject(this.failure);
  }
}

/**
 * A reply's bytes. A phone puts a STATUS code and a FileOpen handle in the header part and bulk data in the
 * payload; an answer with the data in the header part is accepted too (native-notes/protocols/afc.md).
 */
function replyBody(requested: number, operation: number, headerData: Buffer, payload: Buffer): Buffer {
  const body =
    headerData.length === 0 ? payload : payload.length === 0 ? headerData : Buffer.concat([headerData, payload]);
  if (operation === AfcOperation.STATUS) {
    if (body.length < 8) throw new AfcError('AFC_BAD_REPLY', 'an AFC status without its code');
    const status = Number(body.readBigUInt64LE(0));
    if (status !== AfcStatus.SUCCESS) {
      throw new AfcError(
        `AFC_${afcStatusName(status)}`,
        `AFC ${operationName(requested)} failed: ${afcStatusName(status)}`,
        { details: { status } },
      );
    }
    return Buffer.alloc(0);
  }
  if (
    operation === AfcOperation.DATA ||
    operation === AfcOperation.FILE_OPEN_RES ||
    operation === AfcOperation.FILE_TELL_RES
  ) {
    return body;
  }
  throw new AfcError('AFC_BAD_REPLY', `unexpected AFC reply operation 0x${operation.toString(16)}`);
}

const KINDS: Record<string, AfcFileInfo['kind']> = { S_IFREG: 'file', S_IFDIR: 'directory', S_IFLNK: 'symlink' };

export function parseFileInfo(info: Record<string, string>): AfcFileInfo {
  const nanosToMs = (text: string | undefined): number => {
    if (!text) return 0;
    if (!/^\d{1,25}$/.test(text))
      throw new AfcError('AFC_BAD_REPLY', `a file time the phone sent is not a number: ${text}`);
    return Number(BigInt(text) / 1_000_000n);
  };
  const parsed: AfcFileInfo = {
    size: Number(info.st_size ?? 0),
    kind: KINDS[info.st_ifmt ?? ''] ?? 'other',
    mtimeMs: nanosToMs(info.st_mtime),
    birthtimeMs: nanosToMs(info.st_birthtime ?? info.st_mtime),
  };
  if (info.LinkTarget !== undefined) parsed.linkTarget = info.LinkTarget;
  if (!Number.isSafeInteger(parsed.size) || parsed.size < 0)
    throw new AfcError('AFC_BAD_REPLY', `a file size the phone sent is not a size: ${info.st_size}`);
  return parsed;
}

function operationName(operation: number): string {
  return Object.entries(AfcOperation).find(([, code]) => code === operation)?.[0] ?? `0x${operation.toString(16)}`;
}
