import { constants } from 'node:fs';
import {
  lstat,
  mkdir,
  open,
  readdir,
  readlink,
  rename,
  rm,
  rmdir,
  stat,
  statfs,
  unlink,
  type FileHandle,
} from 'node:fs/promises';
import type { Duplex } from 'node:stream';
import {
  AFC_HEADER_SIZE,
  AfcFileMode,
  AfcLock,
  AfcOperation,
  AfcStatus,
  decodeAfcHeader,
  encodeAfcPacket,
  u64,
} from '../../services/afc/protocol.js';
import { SocketReader, writeAll } from '../../wire/index.js';
import type { ServiceContext } from '../service-ports.js';
import type { AfcVolume } from './afc-volume.js';

/** Hosts write in 64 KiB–1 MiB pieces; a bigger packet is refused before its body is read. */
const MAX_PACKET = 8 * 1024 * 1024;
const MAX_READ = 4 * 1024 * 1024;

interface OpenFile {
  handle: FileHandle;
  path: string;
  position: number;
  lockOwner: object;
}

class AfcReplyError extends Error {
  constructor(readonly status: number) {
    super(`AFC status ${status}`);
  }
}

function statusForErrno(error: unknown): number {
  switch ((error as NodeJS.ErrnoException).code) {
    case 'ENOENT':
      return AfcStatus.OBJECT_NOT_FOUND;
    case 'EISDIR':
      return AfcStatus.OBJECT_IS_DIR;
    case 'EEXIST':
      return AfcStatus.OBJECT_EXISTS;
    case 'EACCES':
    case 'EPERM':
      return AfcStatus.PERM_DENIED;
    case 'ENOSPC':
      return AfcStatus.NO_SPACE_LEFT;
    case 'ENOTEMPTY':
      return AfcStatus.UNKNOWN;
    default:
      return AfcStatus.IO_ERROR;
  }
}

const OPEN_FLAGS: Record<number, number> = {
  [AfcFileMode.RDONLY]: constants.O_RDONLY,
  [AfcFileMode.RW]: constants.O_RDWR | constants.O_CREAT,
  [AfcFileMode.WRONLY]: constants.O_WRONLY | constants.O_CREAT | constants.O_TRUNC,
  [AfcFileMode.WR]: constants.O_RDWR | constants.O_CREAT | constants.O_TRUNC,
  [AfcFileMode.APPEND]: constants.O_WRONLY | constants.O_CREAT | constants.O_APPEND,
  [AfcFileMode.RDAPPEND]: constants.O_RDWR | constants.O_CREAT | constants.O_APPEND,
};

function pairs(record: Record<string, string | number | bigint>): Buffer {
  return Buffer.concat(Object.entries(record).map(([key, value]) => Buffer.from(`${key}\0${String(value)}\0`, 'utf8')));
}

function nulString(data: Buffer, from = 0): string {
  const end = data.indexOf(0, from);
  return data.toString('utf8', from, end < 0 ? data.length : end);
}

/**
 * AFC, device side (native-notes/protocols/afc.md "Operations", "Reply rules") over the phone's media folder:
 * directory listing, file info, device info, open/read/write/close, mkdir, remove, rename and the advisory FileLock
 * the backup sync lock uses. Every reply echoes the request's packet number; a path that leaves the media folder is
 * OBJECT_NOT_FOUND; an unknown operation is OP_NOT_SUPPORTED.
 */
export function serveAfc(socket: Duplex, context: ServiceContext, volume: AfcVolume): void {
  const reader = new SocketReader(socket, 0);
  const files = new Map<bigint, OpenFile>();
  let nextHandle = 1n;

  const reply = (packetNumber: bigint, operation: number, data: Buffer): Promise<void> =>
    writeAll(socket, encodeAfcPacket({ packetNumber, operation, headerData: data, payload: Buffer.alloc(0) }));
  const status = (packetNumber: bigint, code: number): Promise<void> =>
    reply(packetNumber, AfcOperation.STATUS, u64(code));
  const pathOf = (afcPath: string): string => {
    const full = volume.resolve(afcPath);
    if (full === undefined) throw new AfcReplyError(AfcStatus.OBJECT_NOT_FOUND);
    return full;
  };
  const fileOf = (data: Buffer): OpenFile => {
    const file = data.length >= 8 ? files.get(data.readBigUInt64LE(0)) : undefined;
    if (!file) throw new AfcReplyError(AfcStatus.INVALID_ARG);
    return file;
  };

  async function handle(operation: number, packetNumber: bigint, data: Buffer, payload: Buffer): Promise<void> {
    switch (operation) {
      case AfcOperation.READ_DIR: {
        const names = await readdir(pathOf(nulString(data)));
        return reply(
          packetNumber,
          AfcOperation.DATA,
          Buffer.from(['.', '..', ...names].map((n) => `${n}\0`).join(''), 'utf8'),
        );
      }
      case AfcOperation.GET_FILE_INFO: {
        const full = pathOf(nulString(data));
        const info = await lstat(full);
        const ifmt = info.isDirectory() ? 'S_IFDIR' : info.isSymbolicLink() ? 'S_IFLNK' : 'S_IFREG';
        const record: Record<string, string | number | bigint> = {
          st_size: info.size,
          st_blocks: info.blocks,
          st_nlink: info.nlink,
          st_ifmt: ifmt,
          st_mtime: BigInt(Math.round(info.mtimeMs)) * 1_000_000n,
          st_birthtime: BigInt(Math.round(info.birthtimeMs || info.mtimeMs)) * 1_000_000n,
        };
        if (info.isSymbolicLink()) record.LinkTarget = await readlink(full);
        return reply(packetNumber, AfcOperation.DATA, pairs(record));
      }
      case AfcOperation.GET_DEVICE_INFO: {
        await volume.ensureRoot();
        const fs = await statfs(volume.root);
        return reply(
          packetNumber,
          AfcOperation.DATA,
          pairs({
            Model: String(context.device.getValue(undefined, 'ProductType') ?? 'iPhone'),
            FSTotalBytes: fs.blocks * fs.bsize,
            FSFreeBytes: fs.bavail * fs.bsize,
            FSBlockSize: fs.bsize,
          }),
        );
      }
      case AfcOperation.MAKE_DIR:
        await mkdir(pathOf(nulString(data)), { recursive: true });
        return status(packetNumber, AfcStatus.SUCCESS);
      case AfcOperation.REMOVE_PATH: {
        // A file, or an empty folder (a folder with contents needs REMOVE_PATH_AND_CONTENTS).
        const full = pathOf(nulString(data));
        if ((await lstat(full)).isDirectory()) await rmdir(full);
        else await unlink(full);
        return status(packetNumber, AfcStatus.SUCCESS);
      }
      case AfcOperation.REMOVE_PATH_AND_CONTENTS:
        await rm(pathOf(nulString(data)), { recursive: true, force: true });
        return status(packetNumber, AfcStatus.SUCCESS);
      case AfcOperation.RENAME_PATH: {
        const from = nulString(data);
        const to = nulString(data, Buffer.byteLength(from) + 1);
        await rename(pathOf(from), pathOf(to));
        return status(packetNumber, AfcStatus.SUCCESS);
      }
      case AfcOperation.FILE_OPEN: {
        if (data.length < 9) throw new AfcReplyError(AfcStatus.INVALID_ARG);
        const flags = OPEN_FLAGS[Number(data.readBigUInt64LE(0))];
        if (flags === undefined) throw new AfcReplyError(AfcStatus.INVALID_ARG);
        await volume.ensureRoot();
        const path = pathOf(nulString(data, 8));
        if ((await stat(path).catch(() => undefined))?.isDirectory()) throw new AfcReplyError(AfcStatus.OBJECT_IS_DIR);
        const handle = await open(path, flags, 0o600);
        const id = nextHandle++;
        files.set(id, { handle, path, position: 0, lockOwner: {} });
        return reply(packetNumber, AfcOperation.FILE_OPEN_RES, u64(id));
      }
      case AfcOperation.FILE_READ: {
        const file = fileOf(data);
        const wanted = data.length >= 16 ? Number(data.readBigUInt64LE(8)) : 0;
        const buffer = Buffer.alloc(Math.min(wanted, MAX_READ));
        const { bytesRead } = await file.handle.read(buffer, 0, buffer.length, file.position);
        file.position += bytesRead;
        return reply(packetNumber, AfcOperation.DATA, buffer.subarray(0, bytesRead));
      }
      case AfcOperation.FILE_WRITE: {
        const file = fileOf(data);
        const { bytesWritten } = await file.handle.write(payload, 0, payload.length, file.position);
        file.position += bytesWritten;
        return status(packetNumber, AfcStatus.SUCCESS);
      }
      case AfcOperation.FILE_CLOSE: {
        const file = fileOf(data);
        files.delete(data.readBigUInt64LE(0));
        volume.releaseAll(file.lockOwner);
        await file.handle.close();
        return status(packetNumber, AfcStatus.SUCCESS);
      }
      case AfcOperation.FILE_LOCK: {
        const file = fileOf(data);
        const op = data.length >= 16 ? Number(data.readBigUInt64LE(8)) : -1;
        const mode =
          op === AfcLock.EXCLUSIVE
            ? 'exclusive'
            : op === AfcLock.SHARED
              ? 'shared'
              : op === AfcLock.UNLOCK
                ? 'unlock'
                : undefined;
        if (mode === undefined) throw new AfcReplyError(AfcStatus.INVALID_ARG);
        return status(
          packetNumber,
          volume.lock(file.path, file.lockOwner, mode) ? AfcStatus.SUCCESS : AfcStatus.OP_WOULD_BLOCK,
        );
      }
      default:
        return status(packetNumber, AfcStatus.OP_NOT_SUPPORTED);
    }
  }

  const cleanup = async (): Promise<void> => {
    for (const file of files.values()) {
      volume.releaseAll(file.lockOwner);
      await file.handle.close().catch(() => undefined);
    }
    files.clear();
  };

  void (async () => {
    try {
      for (;;) {
        const header = decodeAfcHeader(await reader.readExactly(AFC_HEADER_SIZE), MAX_PACKET);
        const data =
          header.thisLength > AFC_HEADER_SIZE
            ? await reader.readExactly(header.thisLength - AFC_HEADER_SIZE)
            : Buffer.alloc(0);
        const payload =
          header.entireLength > header.thisLength
            ? await reader.readExactly(header.entireLength - header.thisLength)
            : Buffer.alloc(0);
        try {
          await handle(header.operation, header.packetNumber, data, payload);
        } catch (error) {
          await status(header.packetNumber, error instanceof AfcReplyError ? error.status : statusForErrno(error));
        }
      }
    } catch (error) {
      context.logger.debug({ reason: (error as Error).message }, 'AFC connection ended');
      socket.destroy();
    } finally {
      await cleanup();
    }
  })();
}
