import { Readable, type Duplex } from 'node:stream';
import type { LockdownSession } from '../../lockdown/index.js';
import { SocketReader, writeAll } from '../../wire/index.js';
import { AfcError } from './errors.js';
import {
  AFC_HEADER_SIZE,
  AFC_SERVICE,
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

const MAX_REPLY = 64 * 1024 * 1024;
/** idevicebackup2 reads files 64 KiB at a time. */
const READ_CHUNK = 64 * 1024;

/** One AFC connection; requests are serial (each reply must carry its request's packet number). */
export class AfcClient {
  private readonly reader: SocketReader;
  private packetNumber = 0n;
  private queue: Promise<unknown> = Promise.resolve();

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

  async readDirectory(path: string): Promise<string[]> {
    return splitNul(await this.request(AfcOperation.READ_DIR, cString(path))).filter(
      (name) => name !== '.' && name !== '..',
    );
  }

  async getDeviceInfo(): Promise<Record<string, string>> {
    return pairsToRecord(await this.request(AfcOperation.GET_DEVICE_INFO, Buffer.alloc(0)));
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

  async read(handle: bigint, length: number): Promise<Buffer> {
    return this.request(AfcOperation.FILE_READ, u64(handle, length));
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

  /** A file's bytes as a stream, read in 64 KiB requests; the handle is closed at the end or on error. */
  readFileStream(path: string): Readable {
    let handle: bigint | undefined;
    const next = async (): Promise<Buffer | null> => {
      handle ??= await this.openFile(path, 1);
      const chunk = await this.read(handle, READ_CHUNK);
      if (chunk.length > 0) return chunk;
      await this.closeFile(handle);
      handle = undefined;
      return null;
    };
    const stream: Readable = new Readable({
      read: () => {
        next().then(
          (chunk) => {
            if (!stream.destroyed) stream.push(chunk);
          },
          (error: Error) => stream.destroy(error),
        );
      },
      destroy: (error, callback) => {
        const open = handle;
        handle = undefined;
        if (open === undefined) return callback(error);
        this.closeFile(open).then(
          () => callback(error),
          () => callback(error),
        );
      },
    });
    return stream;
  }

  close(): void {
    this.reader.detach();
    this.socket.destroy();
  }

  private request(operation: number, headerData: Buffer, payload: Buffer = Buffer.alloc(0)): Promise<Buffer> {
    const run = this.queue.then(() => this.exchange(operation, headerData, payload));
    this.queue = run.catch(() => undefined);
    return run;
  }

  private async exchange(operation: number, headerData: Buffer, payload: Buffer): Promise<Buffer> {
    this.packetNumber += 1n;
    const packetNumber = this.packetNumber;
    await writeAll(this.socket, encodeAfcPacket({ packetNumber, operation, headerData, payload }));
    const header = decodeAfcHeader(
      await this.reader.readExactly(AFC_HEADER_SIZE, { waitingFor: 'an AFC reply' }),
      MAX_REPLY,
    );
    const body = await this.reader.readExactly(header.entireLength - AFC_HEADER_SIZE);
    if (header.packetNumber !== packetNumber)
      throw new AfcError('AFC_BAD_REPLY', `AFC reply ${header.packetNumber} to request ${packetNumber}`);
    if (header.operation === AfcOperation.STATUS) {
      if (body.length < 8) throw new AfcError('AFC_BAD_REPLY', 'an AFC status without its code');
      const status = Number(body.readBigUInt64LE(0));
      if (status !== AfcStatus.SUCCESS) {
        throw new AfcError(
          `AFC_${afcStatusName(status)}`,
          `AFC ${operationName(operation)} failed: ${afcStatusName(status)}`,
          { details: { status } },
        );
      }
      return Buffer.alloc(0);
    }
    if (
      header.operation === AfcOperation.DATA ||
      header.operation === AfcOperation.FILE_OPEN_RES ||
      header.operation === AfcOperation.FILE_TELL_RES
    ) {
      return body;
    }
    throw new AfcError('AFC_BAD_REPLY', `unexpected AFC reply operation 0x${header.operation.toString(16)}`);
  }
}

function operationName(operation: number): string {
  return Object.entries(AfcOperation).find(([, code]) => code === operation)?.[0] ?? `0x${operation.toString(16)}`;
}
