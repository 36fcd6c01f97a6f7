import type { Readable, Writable } from 'node:stream';
import { DeviceLinkError } from './errors.js';
import type { DeviceLinkChannel } from './channel.js';
import { FileBlock, STREAM_END, encodeFileBlock, encodeStreamPath } from './protocol.js';

/** libimobiledevice sends file data in blocks of at most 32 KiB. */
const SEND_BLOCK = 32 * 1024;
/** Reads of a block's payload are split so one huge block never sits in memory whole. */
const READ_SLICE = 256 * 1024;
const MAX_PATH_BYTES = 4096;
/** Devices send blocks of tens of KiB; a length beyond this is garbage or hostile. */
const MAX_BLOCK_BYTES = 64 * 1024 * 1024;
const MAX_ERROR_TEXT = 64 * 1024;

export interface FileFailure {
  path: string;
  message: string;
  /** errno-style code when we failed (ENOENT…), 'REMOTE' when the device reported it. */
  code: string;
}

/**
 * Host → device (answer to DLMessageDownloadFiles): each path, then its data blocks and a success block, or an
 * error block; `u32 0` after the last path. `open` gives the file's bytes or undefined when it does not exist.
 */
export async function sendFiles(
  channel: DeviceLinkChannel,
  paths: string[],
  open: (path: string) => Promise<Readable | undefined>,
): Promise<FileFailure[]> {
  const failures: FileFailure[] = [];
  for (const path of paths) {
    await channel.writeRaw(encodeStreamPath(path));
    let source: Readable | undefined;
    try {
      source = await open(path);
    } catch (error) {
      failures.push({ path, message: (error as Error).message, code: (error as NodeJS.ErrnoException).code ?? 'EIO' });
      await channel.writeRaw(encodeFileBlock(FileBlock.LOCAL_ERROR, Buffer.from((error as Error).message)));
      continue;
    }
    if (!source) {
      failures.push({ path, message: 'No such file or directory', code: 'ENOENT' });
      await channel.writeRaw(encodeFileBlock(FileBlock.LOCAL_ERROR, Buffer.from('No such file or directory')));
      continue;
    }
    try {
      for await (const chunk of source as AsyncIterable<Buffer>) {
        for (let at = 0; at < chunk.length; at += SEND_BLOCK) {
          await channel.writeRaw(encodeFileBlock(FileBlock.DATA, chunk.subarray(at, at + SEND_BLOCK)));
        }
      }
      await channel.writeRaw(encodeFileBlock(FileBlock.SUCCESS));
    } catch (error) {
      failures.push({ path, message: (error as Error).message, code: (error as NodeJS.ErrnoException).code ?? 'EIO' });
      await channel.writeRaw(encodeFileBlock(FileBlock.LOCAL_ERROR, Buffer.from((error as Error).message)));
    }
  }
  await channel.writeRaw(STREAM_END);
  return failures;
}

export interface FileSink {
  /** A Writable for a device-supplied path: end() keeps the file, destroy(error) discards it. May refuse (throw). */
  openForWrite(path: string): Promise<Writable>;
}

export interface ReceiveProgress {
  onBytes?(bytes: number): void;
  onFile?(path: string): void;
  /** How long the phone may go quiet in the middle of the stream (default: the channel's reader timeout). */
  idleTimeoutMs?: number;
  /**
   * The most bytes one file may have (default: no cap). A block that would take a file past it ends the upload
   * with DEVICELINK_FILE_TOO_LARGE before its payload is read: a phone is not a trusted peer.
   */
  maxFileBytes?: number;
}

export interface ReceiveResult {
  files: number;
  bytes: number;
  failures: FileFailure[];
}

/**
 * Device → host (after DLMessageUploadFiles): per file a device path, a host path and blocks (data, success,
 * remote error); `u32 0` where a path or block header is expected ends the upload. Data flows into the sink with
 * backpressure; nothing is held beyond one slice. A file the sink refuses is still read (and dropped) so the
 * stream stays in step.
 */
/** Files finishing on disk while the next ones are read (enough to keep libuv's four disk threads busy). */
const MAX_FINISHING = 16;

export async function receiveFiles(
  channel: DeviceLinkChannel,
  sink: FileSink,
  progress: ReceiveProgress = {},
): Promise<ReceiveResult> {
  const reader = channel.reader;
  const result: ReceiveResult = { files: 0, bytes: 0, failures: [] };
  const waiting = { timeoutMs: progress.idleTimeoutMs, waitingFor: 'the next bytes of the files the phone is sending' };
  const readU32 = async (): Promise<number> => (await reader.readExactly(4, waiting)).readUInt32BE(0);
  const readText = async (length: number, cap: number, what: string): Promise<string> => {
    if (length > cap)
      throw new DeviceLinkError(
        'DEVICELINK_PATH_TOO_LONG',
        `the phone sent a ${length}-byte ${what}; the limit is ${cap}`,
      );
    return (await reader.readExactly(length, waiting)).toString('utf8');
  };

  // Finishing a file (flush, sync, rename) takes several disk round trips; the next file's bytes need none of
  // them. Up to MAX_FINISHING files finish in the background while reading goes on; all are done before we return.
  const finishing = new Map<string, Promise<void>>();
  const finish = async (target: Writable, hostPath: string): Promise<void> => {
    while (finishing.size >= MAX_FINISHING) await Promise.race(finishing.values());
    const done = endWritable(target).then(
      () => {
        result.files += 1;
        progress.onFile?.(hostPath);
      },
      (error: unknown) => {
        result.failures.push({
          path: hostPath,
          message: (error as Error).message,
          code: (error as { code?: string }).code ?? 'EIO',
        });
      },
    );
    const tracked = done.finally(() => {
      if (finishing.get(hostPath) === tracked) finishing.delete(hostPath);
    });
    finishing.set(hostPath, tracked);
  };
  try {
    return await receiveStream();
  } finally {
    await Promise.all(finishing.values());
  }

  async function receiveStream(): Promise<ReceiveResult> {
    for (;;) {
      const deviceLength = await readU32();
      if (deviceLength === 0) return result;
      const devicePath = await readText(deviceLength, MAX_PATH_BYTES, 'device path');
      const hostPath = await readText(await readU32(), MAX_PATH_BYTES, 'file path');
      let target: Writable | undefined;
      let refused = false;
      let wroteData = false;
      let fileBytes = 0;

      const openTarget = async (): Promise<void> => {
        if (target || refused) return;
        // The same path twice in one upload: the later copy must land last.
        await finishing.get(hostPath);
        try {
          target = await sink.openForWrite(hostPath);
          // Keep a failing write (disk full) from becoming an unhandled 'error' event: it is read from `errored`.
          target.on('error', () => undefined);
        } catch (error) {
          refused = true;
          result.failures.push({
            path: hostPath,
            message: (error as Error).message,
            code: (error as { code?: string }).code ?? 'EIO',
          });
        }
      };

      for (;;) {
        const length = await readU32();
        if (length === 0) {
          // The whole upload ended inside this file: keep what arrived, as libimobiledevice does.
          if (target) await endWritable(target);
          return result;
        }
        if (length > MAX_BLOCK_BYTES)
          throw new DeviceLinkError('DEVICELINK_BLOCK_TOO_LARGE', `the phone announced a ${length}-byte block`);
        const code = (await reader.readExactly(1, waiting))[0]!;
        const payloadLength = length - 1;
        if (code === FileBlock.DATA) {
          if (progress.maxFileBytes !== undefined && fileBytes + payloadLength > progress.maxFileBytes) {
            target?.destroy();
            throw new DeviceLinkError(
              'DEVICELINK_FILE_TOO_LARGE',
              `the phone sent more than ${progress.maxFileBytes} bytes for ${devicePath} (${hostPath}), more than any file it can hold: the backup was stopped`,
              {
                details: { devicePath, path: hostPath, bytes: fileBytes + payloadLength, limit: progress.maxFileBytes },
              },
            );
          }
          fileBytes += payloadLength;
          await openTarget();
          let remaining = payloadLength;
          while (remaining > 0) {
            const slice = await reader.readSome(Math.min(remaining, READ_SLICE), waiting);
            remaining -= slice.length;
            if (target) await writeWithBackpressure(target, slice);
            result.bytes += slice.length;
            progress.onBytes?.(slice.length);
          }
          wroteData = true;
          continue;
        }
        if (code === FileBlock.SUCCESS) {
          if (payloadLength > 0) await reader.readExactly(Math.min(payloadLength, MAX_ERROR_TEXT), waiting);
          await openTarget();
          if (target) await finish(target, hostPath);
          break;
        }
        if (code === FileBlock.REMOTE_ERROR) {
          const message = await readText(payloadLength, MAX_ERROR_TEXT, 'error message');
          if (wroteData && target) {
            // Some devices end a file with an error block after its data: the data is the file.
            await finish(target, hostPath);
          } else {
            target?.destroy(new Error(message));
            result.failures.push({ path: hostPath, message, code: 'REMOTE' });
          }
          break;
        }
        throw new DeviceLinkError(
          'DEVICELINK_BAD_STREAM',
          `unknown file block code 0x${code.toString(16)} for ${hostPath}`,
        );
      }
    }
  }
}

/** Writes and waits only when the target asks us to (write() returned false): no round trip per block. */
async function writeWithBackpressure(target: Writable, data: Buffer): Promise<void> {
  if (target.errored) throw target.errored;
  if (target.write(data)) return;
  await new Promise<void>((resolve, reject) => {
    const onDrain = (): void => {
      target.off('error', onError);
      resolve();
    };
    const onError = (error: Error): void => {
      target.off('drain', onDrain);
      reject(error);
    };
    target.once('drain', onDrain);
    target.once('error', onError);
  });
}

/**
 * Ends the file and settles with its outcome. end()'s callback gets the error of a failed final write (a full disk
 * when a small file is written in one go): it can come before the 'error' event, which waits for the stream's
 * asynchronous destroy, so it must be read there or a file that never reached the disk would count as saved.
 */
function endWritable(target: Writable): Promise<void> {
  return new Promise((resolve, reject) => {
    if (target.errored) {
      reject(target.errored);
      return;
    }
    const onError = (error: Error): void => reject(error);
    target.once('error', onError);
    target.end((error?: Error | null) => {
      target.off('error', onError);
      if (error) reject(error);
      else resolve();
    });
  });
}
