import { silentLogger, type Logger } from '../../logging.js';
import { isPlistDict, plistNumber, type PlistDict, type PlistValue } from '../../plist/index.js';
import { WireError } from '../../wire/index.js';
import {
  DL_EMPTY,
  DeviceLinkError,
  deviceCodeForErrno,
  receiveFiles,
  sendFiles,
  type DeviceLinkChannel,
  type DeviceLinkMessage,
} from '../device-link/index.js';
import type { BackupHost } from './backup-host.js';
import { Mobilebackup2Error } from './errors.js';
import { adviceForDeviceError } from './protocol.js';

export interface TransferProgress {
  phase: 'waiting-for-phone' | 'transferring' | 'finishing';
  message: string;
  bytesReceived: number;
  /** Bytes received before the current upload batch plus what the phone announced for it (UploadFiles). */
  bytesTotal?: number;
  /** What the phone announced for the current upload batch alone (the space that batch needs). */
  batchBytes?: number;
  filesReceived: number;
  /** The phone's own 0–100 estimate, when it sends one. */
  percent?: number;
}

export interface LoopOptions {
  host: BackupHost;
  onProgress?: (progress: TransferProgress) => void;
  signal?: AbortSignal;
  /** Until the phone's first message: it may be preparing a snapshot or waiting for its passcode (default 10 min). */
  firstMessageTimeoutMs?: number;
  /** Between later messages (default 5 min). */
  idleTimeoutMs?: number;
  /**
   * The most bytes one uploaded file may have (default DEFAULT_MAX_FILE_BYTES): a file past it ends the operation
   * with DEVICELINK_FILE_TOO_LARGE. Give the phone's capacity when it is known (lockdown TotalDiskCapacity).
   */
  maxFileBytes?: number;
  logger?: Logger;
}

/**
 * The per-file cap when the phone's capacity is unknown: 2 TiB, the most storage an iPhone or iPad has been sold
 * with (2 TB iPad Pro, 2024). No file on the phone can be larger than the phone.
 */
export const DEFAULT_MAX_FILE_BYTES = 2 ** 41;

const FIRST_WAIT =
  'the phone to start (it may be preparing the backup, or asking for its passcode: unlock it and enter the passcode if asked)';

/**
 * Answers every message the phone sends during a backup, restore or password change, as a real host does
 * (native-notes/protocols/mobilebackup2.md "Device messages during a backup"), until its final
 * DLMessageProcessMessage. Returns that final dict when ErrorCode is 0.
 */
export async function runMessageLoop(channel: DeviceLinkChannel, options: LoopOptions): Promise<PlistDict> {
  const logger = options.logger ?? silentLogger;
  const { host } = options;
  const progress: TransferProgress = {
    phase: 'waiting-for-phone',
    message: `waiting for ${FIRST_WAIT}`,
    bytesReceived: 0,
    filesReceived: 0,
  };
  const report = (): void => options.onProgress?.({ ...progress });
  report();
  const onAbort = (): void => channel.close();
  options.signal?.addEventListener('abort', onAbort, { once: true });
  if (options.signal?.aborted) onAbort();
  let first = true;
  try {
    for (;;) {
      let message: DeviceLinkMessage;
      try {
        message = await channel.receive({
          timeoutMs: first ? (options.firstMessageTimeoutMs ?? 600_000) : (options.idleTimeoutMs ?? 300_000),
          waitingFor: first ? FIRST_WAIT : "the phone's next message",
        });
      } catch (error) {
        if (options.signal?.aborted) throw options.signal.reason ?? error;
        if (error instanceof WireError && error.code === 'WIRE_TIMEOUT')
          throw new Mobilebackup2Error('MB2_TIMEOUT', error.message, { cause: error });
        throw error;
      }
      first = false;
      const name = message[0];
      logger.debug({ message: name }, 'mobilebackup2 message');
      const percent = progressOf(message);
      if (percent !== undefined) progress.percent = percent;
      switch (name) {
        case 'DLMessageDownloadFiles': {
          const paths = stringList(message[1]);
          const failures = await sendFiles(channel, paths, (path) => host.openForRead(path));
          if (failures.length === 0) await channel.sendStatus(0, undefined, {});
          else {
            const perFile: PlistDict = {};
            for (const failure of failures)
              perFile[failure.path] = {
                DLFileErrorString: failure.message,
                DLFileErrorCode: deviceCodeForErrno(failure.code),
              };
            await channel.sendStatus(-13, 'Multi status', perFile);
          }
          break;
        }
        case 'DLMessageUploadFiles': {
          progress.phase = 'transferring';
          progress.message = 'receiving files from the phone';
          // The phone announces each batch's size: the total known so far is what came before plus this batch.
          progress.batchBytes = plistNumber(message[3]) ?? 0;
          progress.bytesTotal = progress.bytesReceived + progress.batchBytes;
          report();
          const result = await receiveFiles(channel, host, {
            idleTimeoutMs: options.idleTimeoutMs ?? 300_000,
            maxFileBytes: options.maxFileBytes ?? DEFAULT_MAX_FILE_BYTES,
            onBytes: (bytes) => {
              progress.bytesReceived += bytes;
              report();
            },
            onFile: () => {
              progress.filesReceived += 1;
            },
          }).catch((error: unknown) => {
            if (error instanceof DeviceLinkError && error.code === 'DEVICELINK_FILE_TOO_LARGE') {
              logger.warn({ ...error.details }, 'the phone sent a file larger than it can hold: stopping the backup');
            }
            if (!(error instanceof WireError && error.code === 'WIRE_TIMEOUT')) throw error;
            throw new Mobilebackup2Error(
              'MB2_TIMEOUT',
              `the phone stopped sending in the middle of the backup (${error.message}): keep it unlocked and connected and run the backup again; the previous backup is kept`,
              { cause: error },
            );
          });
          const local = result.failures.filter((f) => f.code !== 'REMOTE');
          for (const failure of result.failures)
            logger.warn({ path: failure.path, reason: failure.message }, 'a file from the phone was not saved');
          if (local.length === 0) await channel.sendStatus(0, undefined, {});
          else await channel.sendStatus(deviceCodeForErrno(local[0]!.code), local[0]!.message, {});
          report();
          break;
        }
        case 'DLMessageGetFreeDiskSpace':
          await answer(channel, async () => host.freeDiskSpace(), true);
          break;
        case 'DLContentsOfDirectory': {
          const entries = await host.contentsOfDirectory(String(message[1]));
          const listing: PlistDict = {};
          for (const [entryName, entry] of entries ?? []) {
            listing[entryName] = {
              DLFileType: entry.type,
              DLFileSize: entry.size,
              DLFileModificationDate: entry.modified,
            };
          }
          await channel.sendStatus(0, undefined, listing);
          break;
        }
        case 'DLMessageCreateDirectory':
          await answer(channel, () => host.createDirectory(String(message[1])), false);
          break;
        case 'DLMessageMoveItems':
        case 'DLMessageMoveFiles': {
          const pairs = isPlistDict(message[1])
            ? Object.entries(message[1]).map(([from, to]) => [from, String(to)] as [string, string])
            : [];
          await answer(channel, () => host.move(pairs), false, {});
          break;
        }
        case 'DLMessageRemoveItems':
        case 'DLMessageRemoveFiles':
          await answer(channel, () => host.remove(stringList(message[1])), false, {});
          break;
        case 'DLMessageCopyItem':
          await answer(channel, () => host.copy(String(message[1]), String(message[2])), false, {});
          break;
        case 'DLMessagePurgeDiskSpace':
          // We cannot free space for the phone; say so rather than leave it waiting (libimobiledevice 1.3.0 did).
          await channel.sendStatus(-1, 'Operation not supported', {});
          break;
        case 'DLMessageProcessMessage': {
          const result = message[1];
          if (!isPlistDict(result))
            throw new Mobilebackup2Error('MB2_BAD_REPLY', 'the phone ended with a message that is not a dict');
          const code = plistNumber(result.ErrorCode) ?? 0;
          if (code !== 0) {
            const description = typeof result.ErrorDescription === 'string' ? result.ErrorDescription : undefined;
            throw new Mobilebackup2Error(`MB2_DEVICE_${code}`, adviceForDeviceError(code, description), {
              details: { deviceCode: code, description },
            });
          }
          progress.phase = 'finishing';
          progress.message = 'the phone finished';
          report();
          return result;
        }
        case 'DLMessageDisconnect':
          throw new DeviceLinkError(
            'DEVICELINK_DISCONNECTED',
            `the phone ended the session (${String(message[1] ?? DL_EMPTY)})`,
          );
        default:
          logger.warn({ message: name }, 'mobilebackup2: a message we do not handle; answering "not supported"');
          await channel.sendStatus(-1, 'Operation not supported', {});
      }
    }
  } finally {
    options.signal?.removeEventListener('abort', onAbort);
  }
}

/** Runs a host operation and answers with status 0, or with the errno-derived code and its text. */
async function answer(
  channel: DeviceLinkChannel,
  work: () => Promise<unknown>,
  valueIsResult: boolean,
  successValue?: PlistValue,
): Promise<void> {
  try {
    const value = await work();
    await channel.sendStatus(0, undefined, valueIsResult ? (value as PlistValue) : successValue);
  } catch (error) {
    const errno = (error as NodeJS.ErrnoException).code;
    await channel.sendStatus(deviceCodeForErrno(errno), (error as Error).message, successValue);
  }
}

function stringList(value: PlistValue | undefined): string[] {
  return Array.isArray(value) ? value.filter((item): item is string => typeof item === 'string') : [];
}

/** Where each message carries the phone's progress estimate (§5.3). */
function progressOf(message: DeviceLinkMessage): number | undefined {
  const index =
    message[0] === 'DLMessageUploadFiles'
      ? 2
      : [
            'DLMessageDownloadFiles',
            'DLMessageMoveItems',
            'DLMessageMoveFiles',
            'DLMessageRemoveItems',
            'DLMessageRemoveFiles',
          ].includes(message[0])
        ? 3
        : -1;
  if (index < 0) return undefined;
  const value = plistNumber(message[index]);
  return value !== undefined && value >= 0 && value <= 100 ? value : undefined;
}
