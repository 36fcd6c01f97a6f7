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
  encodeAfcHeader,
  encodeAfcPacket,
  u64,
} from '../../services/afc/protocol.js';
import { SocketReader, writeAll, writeBuffered } from '../../wire/index.js';
import type { ServiceContext } from '../service-ports.js';
import { SYNC_LOCK_PATH, type AfcVolume } from './afc-volume.js';

/** Hosts write in 64 KiB–1 MiB pieces; a bigger packet is refused before its body is read. */
const MAX_PACKET = 8 * 1024 * 1024;
const MAX_READ = 4 * 1024 * 1024;

interface OpenFile {
  /** None for the sync lock of a read-only volume: it can be locked, not read or written. */
  handle: FileHandle | undefined;
  path: string;
  position: number;
  lockOwner: object;
}

class AfcReplyError extends Error {
  constructor(readonly status: number) {
    super(`AFC status ${status}`);
  }
}

/** The dropAfterBytes fault fired: the connection ends without a reply. */
class CableDropped extends Error {
  constructor() {
    super('fault: the connection was dropped after the configured number of file bytes');
  }
}

const OPERATION_NAMES: Record<number, string> = Object.fromEntries(
  Object.entries(AfcOperation).map(([name, code]) => [code, name]),
);

function statusForErrno(error: unknown): number {
  switch ((error as NodeJS.ErrnoException).code) {
    case 'ENOENT':
    case 'ENOTDIR':
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

/** Operations that never change the volume, allowed on a read-only one. */
const READ_OPERATIONS: ReadonlySet<number> = new Set([
  AfcOperation.READ_DIR,
  AfcOperation.GET_FILE_INFO,
  AfcOperation.GET_DEVICE_INFO,
  AfcOperation.FILE_OPEN,
  AfcOperation.FILE_READ,
  AfcOperation.FILE_CLOSE,
  AfcOperation.FILE_LOCK,
]);

/** Paths a backup host touches before any photo is wanted: looking at them does not fill the media partition. */
function isBackupBookkeeping(path: string): boolean {
  const relative = path.replace(/^\/+/, '');
  return relative === SYNC_LOCK_PATH || relative.startsWith('iTunes_Control/iTunes/');
}

function nulString(data: Buffer, from = 0): string {
  const end = data.indexOf(0, from);
  return data.toString('utf8', from, end < 0 ? data.length : end);
}

/**
 * AFC, device side (native-notes/protocols/afc.md "Operations", "Reply rules", "Where a reply puts its bytes") over
 * the phone's media folder: directory listing, file info, device info, open/read/write/close, mkdir, remove, rename
 * and the advisory FileLock the backup sync lock uses. As a phone does, a reply's bulk bytes (listings, info pairs,
 * file data) travel in the packet's payload with an empty header part, while a STATUS code and a FileOpen handle sit
 * in the header part; go-ios reads only those places. Every reply echoes the request's packet number; a path that
 * leaves the media folder (by `..` or a symbolic link) is OBJECT_NOT_FOUND; an unknown operation is OP_NOT_SUPPORTED.
 */
export function serveAfc(socket: Duplex, context: ServiceContext, volume: AfcVolume): void {
  const reader = new SocketReader(socket, 0);
  const files = new Map<bigint, OpenFile>();
  let nextHandle = 1n;

  const inHeader = (packetNumber: bigint, operation: number, headerData: Buffer): Promise<void> =>
    writeAll(socket, encodeAfcPacket({ packetNumber, operation, headerData, payload: Buffer.alloc(0) }));
  const status = (packetNumber: bigint, code: number): Promise<void> =>
    inHeader(packetNumber, AfcOperation.STATUS, u64(code));
  const dataReply = (packetNumber: bigint, payload: Buffer): Promise<void> =>
    writeAll(
      socket,
      encodeAfcPacket({ packetNumber, operation: AfcOperation.DATA, headerData: Buffer.alloc(0), payload }),
    );
  const resolveOrMissing = async (afcPath: string, parentOnly = false): Promise<string> => {
    if (!isBackupBookkeeping(afcPath)) await volume.ensurePopulated();
    const full = await volume.resolveReal(afcPath, { parentOnly });
    if (full === undefined) throw new AfcReplyError(AfcStatus.OBJECT_NOT_FOUND);
    return full;
  };
  const fileOf = (data: Buffer): OpenFile => {
    const file = data.length >= 8 ? files.get(data.readBigUInt64LE(0)) : undefined;
    if (!file) throw new AfcReplyError(AfcStatus.INVALID_ARG);
    return file;
  };

  async function handle(operation: number, packetNumber: bigint, data: Buffer, payload: Buffer): Promise<void> {
    if (volume.readOnly && !READ_OPERATIONS.has(operation) && operation in OPERATION_NAMES)
      throw new AfcReplyError(AfcStatus.PERM_DENIED);
    switch (operation) {
      case AfcOperation.READ_DIR: {
        const names = await readdir(await resolveOrMissing(nulString(data)));
        return dataReply(packetNumber, Buffer.from(['.', '..', ...names].map((n) => `${n}\0`).join(''), 'utf8'));
      }
      case AfcOperation.GET_FILE_INFO: {
        const full = await resolveOrMissing(nulString(data), true);
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
        return dataReply(packetNumber, pairs(record));
      }
      case AfcOperation.GET_DEVICE_INFO: {
        await volume.ensureRoot();
        const fs = await statfs(volume.root);
        return dataReply(
          packetNumber,
          pairs({
            Model: String(context.device.getValue(undefined, 'ProductType') ?? 'iPhone'),
            FSTotalBytes: fs.blocks * fs.bsize,
            FSFreeBytes: fs.bavail * fs.bsize,
            FSBlockSize: fs.bsize,
          }),
        );
      }
      case AfcOperation.MAKE_DIR:
        await mkdir(await resolveOrMissing(nulString(data)), { recursive: true });
        return status(packetNumber, AfcStatus.SUCCESS);
      case AfcOperation.REMOVE_PATH: {
        // A file, or an empty folder (a folder with contents needs REMOVE_PATH_AND_CONTENTS).
        const full = await resolveOrMissing(nulString(data), true);
        if ((await lstat(full)).isDirectory()) await rmdir(full);
        else await unlink(full);
        return status(packetNumber, AfcStatus.SUCCESS);
      }
      case AfcOperation.REMOVE_PATH_AND_CONTENTS:
        await rm(await resolveOrMissing(nulString(data), true), { recursive: true, force: true });
        return status(packetNumber, AfcStatus.SUCCESS);
      case AfcOperation.RENAME_PATH: {
        const from = nulString(data);
        const to = nulString(data, Buffer.byteLength(from) + 1);
        await rename(await resolveOrMissing(from, true), await resolveOrMissing(to, true));
        return status(packetNumber, AfcStatus.SUCCESS);
      }
      case AfcOperation.FILE_OPEN: {
        if (data.length < 9) throw new AfcReplyError(AfcStatus.INVALID_ARG);
        const mode = Number(data.readBigUInt64LE(0));
        const flags = OPEN_FLAGS[mode];
        if (flags === undefined) throw new AfcReplyError(AfcStatus.INVALID_ARG);
        const afcPath = nulString(data, 8);
        const path = await resolveOrMissing(afcPath);
        if ((await stat(path).catch(() => undefined))?.isDirectory()) throw new AfcReplyError(AfcStatus.OBJECT_IS_DIR);
        let handle: FileHandle | undefined;
        if (!volume.readOnly || mode === AfcFileMode.RDONLY) handle = await open(path, flags, 0o600);
        else if (afcPath.replace(/^\/+/, '') !== SYNC_LOCK_PATH) throw new AfcReplyError(AfcStatus.PERM_DENIED);
        const id = nextHandle++;
        files.set(id, { handle, path, position: 0, lockOwner: {} });
        return inHeader(packetNumber, AfcOperation.FILE_OPEN_RES, u64(id));
      }
      case AfcOperation.FILE_READ: {
        const file = fileOf(data);
        if (file.handle === undefined) throw new AfcReplyError(AfcStatus.PERM_DENIED);
        const wanted = data.length >= 16 ? Number(data.readBigUInt64LE(8)) : 0;
        const buffer = Buffer.allocUnsafe(Math.min(wanted, MAX_READ));
        const { bytesRead } = await file.handle.read(buffer, 0, buffer.length, file.position);
        file.position += bytesRead;
        const bytes = buffer.subarray(0, bytesRead);
        const header = encodeAfcHeader(packetNumber, AfcOperation.DATA, 0, bytesRead);
        const left = volume.dropAfterBytes;
        if (left !== undefined && bytesRead > left) {
          // The cable comes out mid-packet: the host gets part of this reply and then nothing.
          volume.dropAfterBytes = undefined;
          await writeAll(socket, Buffer.concat([header, bytes.subarray(0, left)]));
          throw new CableDropped();
        }
        if (left !== undefined) volume.dropAfterBytes = left - bytesRead;
        // Header and data go out as two writes in one batch (no copy of the data); only a full socket buffer waits.
        socket.cork();
        socket.write(header);
        const sent = writeBuffered(socket, bytes); // writes at once; waits only for 'drain'
        socket.uncork();
        return sent;
      }
      case AfcOperation.FILE_WRITE: {
        const file = fileOf(data);
        if (file.handle === undefined) throw new AfcReplyError(AfcStatus.PERM_DENIED);
        const { bytesWritten } = await file.handle.write(payload, 0, payload.length, file.position);
        file.position += bytesWritten;
        return status(packetNumber, AfcStatus.SUCCESS);
      }
      case AfcOperation.FILE_CLOSE: {
        const file = fileOf(data);
        files.delete(data.readBigUInt64LE(0));
        volume.releaseAll(file.lockOwner);
        await file.handle?.close();
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
      await file.handle?.close().catch(() => undefined);
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
          if (error instanceof CableDropped) throw error;
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
