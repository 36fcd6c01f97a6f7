/**
 * The daemon's engine as its front ends see it: the HTTP API (src/daemon/http/), the metrics exporter and tests
 * call only what is declared here. Stable: later changes are additive only (new optional fields, new kinds, new
 * methods), so lab scripts written against the HTTP API keep working.
 *
 * Ids: a job id is a string (today the decimal of the job's row number: "17"); an event id is a positive integer
 * that only grows, persisted with the event, so an SSE client resumes with `Last-Event-ID` across daemon restarts.
 * Times are ISO 8601 strings in UTC.
 */
import type { ErrorCategory } from '../errors.js';

/** What the daemon knows a phone is doing (issue 15 item 1). */
export type DeviceState =
  /** usbmuxd announced it; the daemon has not talked to lockdownd yet. */
  | 'attached'
  /** The phone shows "Trust This Computer?" (or is locked): DeviceView.message says what the person must do. */
  | 'waiting-for-trust'
  /** Paired and validated: a job may start. */
  | 'paired'
  /** Paired, nothing to do (policy says no backup now, or the last job ended a while ago). */
  | 'idle'
  | 'backing-up'
  | 'extracting'
  | 'changing-encryption'
  /** The last job on this phone succeeded (stays until the next job or detach). */
  | 'done'
  /** The last job or the pairing failed: DeviceView.error has the typed code. */
  | 'failed'
  /** Unplugged: kept in the list so a client sees what happened to it. */
  | 'detached';

export const DEVICE_STATES: readonly DeviceState[] = [
  'attached',
  'waiting-for-trust',
  'paired',
  'idle',
  'backing-up',
  'extracting',
  'changing-encryption',
  'done',
  'failed',
  'detached',
];

export type JobType = 'backup' | 'extract' | 'encryption';
export const JOB_TYPES: readonly JobType[] = ['backup', 'extract', 'encryption'];

export type JobState =
  | 'queued'
  | 'running'
  | 'succeeded'
  | 'failed'
  | 'cancelled'
  /** Was running when the daemon died; the scheduler retries it (JobView.retryAt) or fails it with a reason. */
  | 'interrupted'
  /** An extract or encryption job whose password was lost with a restart: give it again with providePassword. */
  | 'needs-password';

export const JOB_STATES: readonly JobState[] = [
  'queued',
  'running',
  'succeeded',
  'failed',
  'cancelled',
  'interrupted',
  'needs-password',
];

/** States a job never leaves. */
export const FINAL_JOB_STATES: readonly JobState[] = ['succeeded', 'failed', 'cancelled'];

/** A typed failure as the API shows it: `code` is the layer's stable code (callers branch on it). */
export interface JobError {
  code: string;
  message: string;
  category: ErrorCategory;
}

export interface JobProgress {
  /** Backup: the BackupPhase (connecting, trust, transferring…); extract: 'extracting' with the current type. */
  phase: string;
  /** A sentence for the person ("tap Trust on the phone", "receiving files from the phone"). */
  message: string;
  bytesDone: number;
  bytesTotal?: number;
  files: number;
  /** 0–100 when known. */
  percent?: number;
  /** Extract: the data type being read now. */
  dataType?: string;
}

/** `POST /v1/jobs` bodies. Passwords are held in memory for the job only: never stored, logged or echoed back. */
export interface BackupJobRequest {
  type: 'backup';
  udid: string;
  /** Ask for a full backup (default: incremental when the previous backup allows, or the config's `backup.full`). */
  full?: boolean;
  /** The folder that holds `<UDID>/` backups (default: the config's `backupsDir`). */
  out?: string;
}

export interface ExtractJobRequest {
  type: 'extract';
  /** A backup folder (`…/<UDID>`), as `BackupView.path` or a finished backup job's `backupDir` names it. */
  backup: string;
  /** Output folder (default: the config's `extract.outDir`/<UDID>-<job id>). */
  out?: string;
  /** Data type names (see `iosrescue extract --help`); default all. */
  types?: string[];
  /** For an encrypted backup. */
  password?: string;
}

export interface EncryptionJobRequest {
  type: 'encryption';
  udid: string;
  action: 'on' | 'off' | 'change';
  /** The new password (on, change). */
  newPassword?: string;
  /** The current password (off, change). */
  oldPassword?: string;
}

export type JobRequest = BackupJobRequest | ExtractJobRequest | EncryptionJobRequest;

/** Why a job exists. */
export type JobOrigin = 'api' | 'policy' | 'retry';

export interface JobView {
  id: string;
  type: JobType;
  state: JobState;
  /** The phone (backup, encryption; extract when the backup's UDID is known). */
  udid?: string;
  origin: JobOrigin;
  /** The request without its passwords (`full`, `out`, `backup`, `types`, `action`). */
  request: Record<string, unknown>;
  progress?: JobProgress;
  error?: JobError;
  /** A finished backup job's folder (`<out>/<UDID>`). */
  backupDir?: string;
  /** A finished extract job's output folder. */
  outDir?: string;
  /** Backup: files and bytes received; extract: records per type. */
  result?: Record<string, unknown>;
  /** How many times it was started (1 on the first run, more after interruptions). */
  attempts: number;
  /** When an interrupted job will be tried again. */
  retryAt?: string;
  createdAt: string;
  startedAt?: string;
  endedAt?: string;
  updatedAt: string;
}

export interface JobListQuery {
  state?: JobState;
  type?: JobType;
  udid?: string;
  /** Default 50, at most 500. */
  limit?: number;
  /** `nextCursor` of the previous page. */
  cursor?: string;
}

export interface JobPage {
  /** Newest first. */
  jobs: JobView[];
  /** Present when there are more (older) jobs. */
  nextCursor?: string;
}

export interface DeviceView {
  udid: string;
  /** The phone's name (lockdown DeviceName) once paired, else null. */
  name: string | null;
  state: DeviceState;
  /** 'USB' or 'Network', as usbmuxd says. */
  connectionType?: string;
  productType?: string;
  iosVersion?: string;
  /** What the person must do, or what is happening now. */
  message?: string;
  /** The job running on it now. */
  jobId?: string;
  progress?: JobProgress;
  /** Why it is `failed`. */
  error?: JobError;
  attachedAt?: string;
  detachedAt?: string;
  lastBackupAt?: string;
  /**
   * Whether the phone encrypts its backups (lockdown `com.apple.mobile.backup` WillEncrypt), read when it is paired
   * and set again when an encryption job succeeds; absent when the phone did not say.
   */
  backupEncrypted?: boolean;
  updatedAt: string;
}

export interface BackupView {
  /** The backup folder (`…/<UDID>`). */
  path: string;
  udid?: string;
  deviceName?: string;
  productType?: string;
  iosVersion?: string;
  /** Last backup date. */
  date?: string;
  encrypted: boolean;
  complete: boolean;
  sizeBytes: number;
  /** The job that last wrote it, when the daemon did. */
  jobId?: string;
  problems: string[];
}

export type DaemonEventKind =
  | 'daemon.started'
  | 'daemon.stopping'
  | 'daemon.config-reloaded'
  | 'usbmuxd.connected'
  | 'usbmuxd.disconnected'
  /** data: DeviceView fields that changed, always `state`; `from` = previous state. */
  | 'device.state'
  /** data: the JobView. */
  | 'job.created'
  /** data: the JobView, `from` = previous state. */
  | 'job.state'
  /** data: JobProgress (throttled: about one a second per job). */
  | 'job.progress'
  /** data: `{ hook: 'command' | 'url', ok, error? }`. */
  | 'job.hook';

export interface DaemonEvent {
  /** Grows by one per event, persisted: the SSE `id:` field. */
  id: number;
  time: string;
  kind: DaemonEventKind;
  udid?: string;
  jobId?: string;
  data: Record<string, unknown>;
}

export interface EventLog {
  /** Events after `lastEventId` (0: from the first), oldest first, at most `limit` (default 1000). */
  since(lastEventId: number, limit?: number): DaemonEvent[];
  /** The newest event id (0 when none). */
  lastId(): number;
  /** Called with each event as it is persisted; returns the unsubscribe function. */
  subscribe(listener: (event: DaemonEvent) => void): () => void;
}

/**
 * Observations the HTTP layer turns into Prometheus metrics (it implements this with prom-client). Gauges (devices
 * by state, jobs by state) it reads from `DaemonEngine.stats()` at scrape time.
 */
export interface MetricsSink {
  /** A job reached a final state; `seconds` from start to end (0 when it never ran). */
  jobEnded(job: JobView, seconds: number): void;
  /** Bytes and files received from a phone since the last call for this job. */
  received(udid: string, bytes: number, files: number): void;
}

export interface EngineStats {
  devicesByState: Record<DeviceState, number>;
  jobsByState: Record<JobState, number>;
  runningJobs: number;
  maxConcurrentJobs: number;
  usbmuxdConnected: boolean;
}

export interface DaemonEngine {
  readonly version: string;
  readonly stateDir: string;
  devices(): DeviceView[];
  /** Undefined when the daemon has never seen it. */
  device(udid: string): DeviceView | undefined;
  /**
   * Queues a job. Throws DaemonError: DAEMON_BAD_REQUEST (usage → 400), DAEMON_UNKNOWN_DEVICE (not-found → 404),
   * DAEMON_JOB_CONFLICT (device-refused → 409; e.g. an encryption change while a backup runs on the phone),
   * DAEMON_STOPPING (interrupted). A second backup of a phone that has one queued or running returns that job.
   */
  submitJob(request: JobRequest, origin?: JobOrigin): JobView;
  listJobs(query?: JobListQuery): JobPage;
  getJob(id: string): JobView | undefined;
  /** A job's log: its persisted events after `afterId` (0: from its first), oldest first. Throws DAEMON_UNKNOWN_JOB. */
  jobEvents(id: string, afterId?: number, limit?: number): DaemonEvent[];
  /** Cancels a queued/running/interrupted/needs-password job; a final job is returned as it is. Throws DAEMON_UNKNOWN_JOB. */
  cancelJob(id: string): Promise<JobView>;
  /** Gives a `needs-password` job its password (memory only) and queues it again. */
  providePassword(id: string, passwords: { password?: string; oldPassword?: string; newPassword?: string }): JobView;
  /** The backups under the configured backups folder (and any a job wrote elsewhere). */
  backups(): Promise<BackupView[]>;
  readonly events: EventLog;
  stats(): EngineStats;
  /** Replaces the metrics sink (the HTTP layer installs its prom-client one after start). */
  setMetricsSink(sink: MetricsSink | undefined): void;
}

/** `startDaemon(options)` in src/daemon/daemon.ts. */
export interface DaemonOptions {
  /** Default: defaultStateDir() (~/.local/state/iosrescue, $XDG_STATE_HOME/iosrescue, /var/lib/iosrescue as root). */
  stateDir?: string;
  /** JSON config file (src/daemon/README.md); default `<stateDir>/config.json` when it exists, else defaults. */
  configPath?: string;
  /** The usbmuxd address (default: USBMUXD_SOCKET_ADDRESS, else the platform's socket). */
  usbmuxdAddress?: string;
  /** A pino logger; default JSON lines on stderr. */
  logger?: import('../logging.js').Logger;
  /** Install SIGTERM/SIGINT (drain) and SIGHUP (reload config) handlers (default false; the CLI command sets true). */
  handleSignals?: boolean;
  metrics?: MetricsSink;
}

export interface DaemonHandle {
  readonly engine: DaemonEngine;
  readonly stateDir: string;
  /** `<stateDir>/daemon.sock`, where the HTTP layer listens. */
  readonly socketPath: string;
  /** Re-reads the config file (SIGHUP does this); a bad file keeps the old config and throws DAEMON_BAD_CONFIG. */
  reloadConfig(): Promise<void>;
  /** Drains: no new jobs, running ones cancelled cleanly (their backups stay as before), state saved. Idempotent. */
  close(): Promise<void>;
  /** Resolves when close() finished (after a signal, too). */
  readonly closed: Promise<void>;
}
