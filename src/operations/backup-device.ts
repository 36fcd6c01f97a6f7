import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { BackupWriter } from '../backup/index.js';
import { openLockdownSession, type LockdownSession } from '../lockdown/index.js';
import { plistNumber } from '../plist/index.js';
import {
  DEFAULT_MAX_FILE_BYTES,
  Mobilebackup2Client,
  type BackupHost,
  type TransferProgress,
} from '../services/mobilebackup2/index.js';
import { BackupOperationError } from './backup-errors.js';
import { buildBackupInfoPlist } from './backup-info-plist.js';
import { PHASE_MESSAGES, type BackupPhase, type BackupProgress } from './backup-progress.js';
import { BackupSync } from './backup-sync.js';
import { selectDevice, type DeviceAccess } from './device-access.js';

export interface BackupDeviceOptions {
  udid?: string;
  /** The folder that holds `<UDID>/` backups. */
  out: string;
  /** Ask the phone for a full backup even when an incremental one is possible. */
  full?: boolean;
  onProgress?: (progress: BackupProgress) => void;
  /** Until the phone's first backup message: preparing, or waiting for its passcode (default 10 min). */
  firstMessageTimeoutMs?: number;
  /** Between later messages (default 5 min). */
  idleTimeoutMs?: number;
  /** Sync every received file to disk before installing it (default true). */
  syncFiles?: boolean;
  /**
   * The most bytes one file from the phone may have; more is DEVICELINK_FILE_TOO_LARGE and the backup fails. Default:
   * the phone's own capacity (lockdown com.apple.disk_usage TotalDiskCapacity), else DEFAULT_MAX_FILE_BYTES (2 TiB).
   * Tests set it low.
   */
  maxFileBytes?: number;
}

export interface BackupDeviceResult {
  udid: string;
  path: string;
  /** The phone encrypts its backups (lockdown WillEncrypt). */
  encrypted: boolean;
  /** A full backup was asked for (--full, or no usable previous backup). */
  full: boolean;
  files: number;
  bytes: number;
  seconds: number;
}

/**
 * Pulls a backup as idevicebackup2 does (native-notes/protocols/mobilebackup2.md "Before the backup service"):
 * lockdown session (pairing when needed), WillEncrypt, notification_proxy and AFC, mobilebackup2 with the EscrowBag,
 * the sync lock, Info.plist, then Backup (incremental when the previous backup allows) answered through the
 * BackupWriter, and finally the commit that replaces the previous backup only once the new one is complete. Any
 * failure or interruption leaves the previous backup as it was.
 */
export async function backupDevice(access: DeviceAccess, options: BackupDeviceOptions): Promise<BackupDeviceResult> {
  const started = Date.now();
  const { logger } = access;
  const progress: BackupProgress = { phase: 'connecting', message: PHASE_MESSAGES.connecting, bytesDone: 0, files: 0 };
  const emit = (phase: BackupPhase, message: string, update: Partial<BackupProgress> = {}): void => {
    Object.assign(progress, { phase, message }, update);
    options.onProgress?.({ ...progress });
  };
  emit('connecting', PHASE_MESSAGES.connecting);
  const device = await selectDevice(access.usbmux, options.udid);
  const udid = device.udid;

  emit('staging', PHASE_MESSAGES.staging);
  const writer = await BackupWriter.open(options.out, udid, { logger, syncFiles: options.syncFiles });
  const cancel = new AbortController();
  const onOuterAbort = (): void => cancel.abort(access.signal?.reason);
  access.signal?.addEventListener('abort', onOuterAbort, { once: true });
  // Cancelled while the phone was being found or the staging folder made: the listener came too late to hear it.
  if (access.signal?.aborted) onOuterAbort();
  let session: LockdownSession | undefined;
  let sync: BackupSync | undefined;
  let mb2: Mobilebackup2Client | undefined;
  let syncStarted = false;
  /** What the phone announced for the batch it was sending: the space a full disk lacked, as far as we know. */
  let batchBytes: number | undefined;
  try {
    cancel.signal.throwIfAborted();
    session = await openLockdownSession(access.usbmux, device, {
      store: access.store,
      logger,
      signal: cancel.signal,
      onWaiting: (message) => {
        emit('trust', message);
        access.onWaiting?.(message);
      },
    });
    const encrypted =
      (await session.lockdown.tryGetValue({ domain: 'com.apple.mobile.backup', key: 'WillEncrypt' })) === true;
    logger.info({ udid, encrypted }, encrypted ? 'the phone encrypts its backups' : 'the backup will not be encrypted');
    const maxFileBytes = options.maxFileBytes ?? (await phoneCapacity(session)) ?? DEFAULT_MAX_FILE_BYTES;

    emit('preparing', PHASE_MESSAGES.preparing);
    let transferring = false;
    sync = await BackupSync.start(
      session,
      {
        onCancel: () =>
          cancel.abort(new BackupOperationError('BACKUP_CANCELLED_ON_PHONE', 'the backup was cancelled on the phone')),
        onPasscodePrompt: (shown) => {
          if (transferring) return;
          if (shown) emit('passcode', PHASE_MESSAGES.passcode);
          else emit('waiting-for-phone', PHASE_MESSAGES.waitingForPhone);
        },
      },
      logger,
    );
    if (!session.record.EscrowBag)
      logger.warn({ udid }, 'the pair record has no EscrowBag: a locked phone will refuse the backup');
    mb2 = await Mobilebackup2Client.open(session, { logger });

    syncStarted = true;
    await sync.lockSync();
    const info = await buildBackupInfoPlist(session, udid, logger);
    await pipeline(Readable.from([info]), await writer.openForWrite(`${udid}/Info.plist`));

    const full = options.full === true || !writer.previous.usableForIncremental;
    if (!options.full && writer.previous.exists && full)
      logger.info({ udid }, 'the previous backup is incomplete: asking for a full backup');
    const host: BackupHost = writer;
    let bytes = 0;
    let files = 0;
    await mb2.backup({
      maxFileBytes,
      udid,
      forceFull: full,
      host,
      signal: cancel.signal,
      logger,
      firstMessageTimeoutMs: options.firstMessageTimeoutMs,
      idleTimeoutMs: options.idleTimeoutMs,
      onProgress: (p: TransferProgress) => {
        batchBytes = p.batchBytes;
        bytes = p.bytesReceived;
        files = p.filesReceived;
        const update = {
          bytesDone: p.bytesReceived,
          bytesTotal: p.bytesTotal,
          files: p.filesReceived,
          percent: p.percent,
        };
        if (p.phase === 'transferring') {
          transferring = true;
          emit('transferring', PHASE_MESSAGES.transferring, update);
        } else if (p.phase === 'finishing') emit('finishing', PHASE_MESSAGES.finishing, update);
        else if (progress.phase !== 'passcode') emit('waiting-for-phone', PHASE_MESSAGES.waitingForPhone, update);
      },
    });
    await sync.finish({ posted: true });
    syncStarted = false;
    await mb2.disconnect().catch(() => undefined);
    mb2 = undefined;

    emit('committing', PHASE_MESSAGES.committing);
    await writer.commit();
    emit('done', PHASE_MESSAGES.done);
    return { udid, path: writer.backupPath, encrypted, full, files, bytes, seconds: (Date.now() - started) / 1000 };
  } catch (error) {
    let reason = cancel.signal.aborted && cancel.signal.reason instanceof Error ? cancel.signal.reason : error;
    // A full disk outranks how the phone reacted to it (its own error code, a dropped connection); an interrupt does
    // not.
    if (!access.signal?.aborted) reason = (await writer.noSpaceFailure(reason, batchBytes)) ?? reason;
    await writer.abort((reason as Error).message ?? String(reason));
    throw reason;
  } finally {
    access.signal?.removeEventListener('abort', onOuterAbort);
    if (syncStarted) await sync?.finish({ posted: true });
    await sync?.close();
    if (mb2) await mb2.disconnect().catch(() => undefined);
    await session?.close().catch(() => undefined);
  }
}

/**
 * The phone's disk size in bytes (lockdown com.apple.disk_usage TotalDiskCapacity, as ideviceinfo -q shows it): no
 * file it sends can be larger. Undefined when the phone does not say.
 */
async function phoneCapacity(session: LockdownSession): Promise<number | undefined> {
  const value = await session.lockdown
    .tryGetValue({ domain: 'com.apple.disk_usage', key: 'TotalDiskCapacity' })
    .catch(() => undefined);
  const bytes = plistNumber(value);
  return bytes !== undefined && Number.isFinite(bytes) && bytes > 0 ? bytes : undefined;
}
