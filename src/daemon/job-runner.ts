import type { Logger } from '../logging.js';
import {
  backupDevice,
  changeBackupEncryption,
  defaultDeviceAccess,
  extractBackup,
  parseDataTypes,
  throttleProgress,
  type DataType,
  type EncryptionChange,
} from '../operations/index.js';
import type { PairRecordStore } from '../lockdown/index.js';
import type { UsbmuxClient } from '../usbmux/index.js';
import type { BackupStorage } from './backup-storage.js';
import type { DaemonConfig } from './config.js';
import type { JobProgress } from './engine-types.js';
import { DaemonError } from './errors.js';
import type { JobRecord } from './job-store.js';

/** Passwords of one job, in memory only (issue 15 item 4). */
export interface JobSecrets {
  password?: string;
  oldPassword?: string;
  newPassword?: string;
}

export interface JobRunContext {
  job: JobRecord;
  secrets: JobSecrets | undefined;
  signal: AbortSignal;
  usbmux: UsbmuxClient;
  pairRecords: PairRecordStore;
  storage: BackupStorage;
  config: DaemonConfig;
  logger: Logger;
  onProgress(progress: JobProgress): void;
  /** The phone waits for the person (Trust dialog, passcode). */
  onWaiting(message: string): void;
  /** Bytes and files received since the last call. */
  onReceived(bytes: number, files: number): void;
}

export interface JobOutcome {
  backupDir?: string;
  outDir?: string;
  result: Record<string, unknown>;
}

/** Runs one job with the operations the CLI uses, so the daemon adds no device logic of its own. */
export async function runJob(context: JobRunContext): Promise<JobOutcome> {
  switch (context.job.type) {
    case 'backup':
      return runBackup(context);
    case 'extract':
      return runExtract(context);
    case 'encryption':
      return runEncryption(context);
  }
}

async function runBackup(context: JobRunContext): Promise<JobOutcome> {
  const { job, config, storage } = context;
  const udid = job.udid!;
  const out = typeof job.request.out === 'string' ? job.request.out : await storage.backupRoot(udid);
  const full = typeof job.request.full === 'boolean' ? job.request.full : config.backup.full;
  let seen = { bytes: 0, files: 0 };
  const report = throttleProgress(
    (p) =>
      context.onProgress({
        phase: p.phase,
        message: p.message,
        bytesDone: p.bytesDone,
        files: p.files,
        ...(p.bytesTotal !== undefined && { bytesTotal: p.bytesTotal }),
        ...(p.percent !== undefined && { percent: p.percent }),
      }),
    { intervalMs: 1000 },
  );
  const result = await backupDevice(
    defaultDeviceAccess(context.logger, {
      usbmux: context.usbmux,
      store: context.pairRecords,
      signal: context.signal,
      onWaiting: context.onWaiting,
    }),
    {
      udid,
      out,
      full,
      onProgress: (p) => {
        if (p.bytesDone > seen.bytes || p.files > seen.files) {
          context.onReceived(Math.max(0, p.bytesDone - seen.bytes), Math.max(0, p.files - seen.files));
          seen = { bytes: p.bytesDone, files: p.files };
        }
        report(p);
      },
    },
  );
  await storage.published(result.path);
  return {
    backupDir: result.path,
    result: {
      files: result.files,
      bytes: result.bytes,
      seconds: result.seconds,
      encrypted: result.encrypted,
      full: result.full,
    },
  };
}

async function runExtract(context: JobRunContext): Promise<JobOutcome> {
  const { job, storage } = context;
  const backup = String(job.request.backup);
  const out = typeof job.request.out === 'string' ? job.request.out : await storage.extractOutDir(job.udid, job.id);
  const types = Array.isArray(job.request.types) ? parseDataTypes(job.request.types.join(',')) : undefined;
  const total = types?.length ?? parseDataTypes(undefined).length;
  let done = 0;
  const report = await extractBackup({
    backup,
    out,
    types,
    signal: context.signal,
    ...(context.secrets?.password !== undefined && { password: context.secrets.password }),
    onType: (event: { type: DataType; phase: 'start' | 'done' }) => {
      if (event.phase === 'done') done++;
      context.onProgress({
        phase: 'extracting',
        message: event.phase === 'start' ? `reading ${event.type}` : `${event.type} done`,
        dataType: event.type,
        bytesDone: 0,
        files: done,
        percent: Math.round((done / total) * 100),
      });
    },
  });
  return {
    outDir: report.out,
    result: {
      types: report.types.map((t) => ({ type: t.type, status: t.status, records: t.records, files: t.files })),
    },
  };
}

async function runEncryption(context: JobRunContext): Promise<JobOutcome> {
  const { job, secrets } = context;
  const action = job.request.action;
  const change: EncryptionChange | undefined =
    action === 'on' && secrets?.newPassword
      ? { action: 'on', newPassword: secrets.newPassword }
      : action === 'off' && secrets?.oldPassword
        ? { action: 'off', oldPassword: secrets.oldPassword }
        : action === 'change' && secrets?.oldPassword && secrets.newPassword
          ? { action: 'change', oldPassword: secrets.oldPassword, newPassword: secrets.newPassword }
          : undefined;
  if (!change)
    throw new DaemonError('DAEMON_PASSWORD_REQUIRED', `an encryption "${String(action)}" job needs its password(s)`);
  context.onProgress({ phase: 'connecting', message: 'connecting to the phone', bytesDone: 0, files: 0 });
  const result = await changeBackupEncryption(
    defaultDeviceAccess(context.logger, {
      usbmux: context.usbmux,
      store: context.pairRecords,
      signal: context.signal,
    }),
    change,
    { udid: job.udid, onWaiting: context.onWaiting },
  );
  return { result: { encrypted: result.encrypted } };
}
