import { existsSync, statSync } from 'node:fs';
import { basename, resolve } from 'node:path';
import type { Logger } from '../logging.js';
import { defaultDeviceAccess, isPlistDict, parseDataTypes, readDeviceInfo } from '../operations/index.js';
import { PairRecordStore } from '../lockdown/index.js';
import type { UsbmuxClient } from '../usbmux/index.js';
import { LocalBackupStorage, type BackupStorage } from './backup-storage.js';
import type { DaemonConfig } from './config.js';
import { DeviceTable } from './device-table.js';
import { DeviceWatcher, type WatchedDevice } from './device-watcher.js';
import {
  DEVICE_STATES,
  type BackupView,
  type DaemonEngine,
  type DaemonEvent,
  type DeviceState,
  type DeviceView,
  type EngineStats,
  type JobListQuery,
  type JobOrigin,
  type JobPage,
  type JobRequest,
  type JobView,
  type MetricsSink,
} from './engine-types.js';
import { DaemonError } from './errors.js';
import { EventHub } from './event-hub.js';
import type { JobRecord, JobStore } from './job-store.js';
import type { JobSecrets } from './job-runner.js';
import { JobScheduler } from './job-scheduler.js';
import { toJobError, toJobView } from './job-view.js';
import { backsUpOnAttach, backupDue } from './policy.js';

export interface EngineOptions {
  version: string;
  stateDir: string;
  config: DaemonConfig;
  store: JobStore;
  usbmux: UsbmuxClient;
  logger: Logger;
  metrics?: MetricsSink;
  /** Our copy of the pair records (default: the CLI's, so phones it paired are known). */
  pairRecords?: PairRecordStore;
  /** usbmuxd reconnect backoff (tests shorten it). */
  reconnect?: { initialMs: number; maxMs: number };
}

const ACTIVE_STATES = ['queued', 'running', 'interrupted', 'needs-password'] as const;
const UDID_PATTERN = /^[0-9A-Fa-f]{8}-?[0-9A-Fa-f]{16}$|^[0-9A-Fa-f]{40}$/;

/**
 * The daemon's engine: phones from usbmuxd (DeviceWatcher → DeviceTable), pairing on attach, the backup-on-attach
 * policy, and jobs (JobScheduler over the JobStore). The HTTP layer calls it through DaemonEngine only.
 */
export class Engine implements DaemonEngine {
  readonly version: string;
  readonly stateDir: string;
  readonly events: EventHub;
  private config: DaemonConfig;
  private backupStorage: BackupStorage;
  private readonly table: DeviceTable;
  private readonly scheduler: JobScheduler;
  private readonly watcher: DeviceWatcher;
  /** Phones paired and attached: jobs may start on them. */
  private readonly ready = new Set<string>();
  private readonly pairing = new Map<string, AbortController>();
  private metricsSink: MetricsSink | undefined;
  private usbmuxdConnected = false;
  private readonly pairRecords: PairRecordStore;
  private stopping = false;

  constructor(private readonly options: EngineOptions) {
    this.version = options.version;
    this.stateDir = options.stateDir;
    this.config = options.config;
    this.backupStorage = storageFor(options.config);
    this.metricsSink = options.metrics;
    this.pairRecords = options.pairRecords ?? new PairRecordStore();
    this.events = new EventHub(options.store, options.logger);
    this.table = new DeviceTable(({ udid, from, view }) =>
      this.events.append({
        kind: 'device.state',
        udid,
        ...(view.jobId && { jobId: view.jobId }),
        data: {
          state: view.state,
          from: from ?? null,
          name: view.name,
          ...(view.message && { message: view.message }),
          ...(view.error && { error: view.error }),
        },
      }),
    );
    this.scheduler = new JobScheduler(
      options.store,
      this.events,
      { usbmux: options.usbmux, pairRecords: this.pairRecords },
      this.schedulerHost(),
      options.logger,
    );
    this.watcher = new DeviceWatcher(
      options.usbmux,
      {
        connected: (present) => this.usbmuxdUp(present),
        present: (devices, askedAt) => this.reconcile(devices, askedAt),
        attached: (device) => this.attached(device),
        detached: (deviceId, udid) => this.detached(deviceId, udid),
        disconnected: (error, retryInMs) => this.usbmuxdDown(error, retryInMs),
      },
      options.logger,
      options.reconnect,
    );
  }

  start(): void {
    this.events.append({ kind: 'daemon.started', data: { version: this.version, pid: process.pid } });
    this.scheduler.recover();
    this.watcher.start();
    this.scheduler.pump();
  }

  /** Drain: refuse new jobs, stop running ones cleanly (they come back interrupted), stop watching. */
  async close(): Promise<void> {
    if (this.stopping) return;
    this.stopping = true;
    this.events.append({ kind: 'daemon.stopping', data: { runningJobs: this.scheduler.runningCount } });
    for (const controller of this.pairing.values()) controller.abort();
    await this.scheduler.stop();
    await this.watcher.stop();
  }

  reconfigure(config: DaemonConfig): void {
    this.config = config;
    this.backupStorage = storageFor(config);
    this.events.append({
      kind: 'daemon.config-reloaded',
      data: { maxJobs: config.concurrency.maxJobs, backupsDir: config.backupsDir },
    });
    // A phone the new policy wants backed up now gets its job; the others keep the state they show.
    for (const udid of this.ready) if (!this.scheduler.runningOn(udid)) this.applyAttachPolicy(udid, false);
    this.scheduler.pump();
  }

  devices(): DeviceView[] {
    return this.table.all();
  }

  device(udid: string): DeviceView | undefined {
    return this.table.get(udid);
  }

  submitJob(request: JobRequest, origin: JobOrigin = 'api'): JobView {
    if (this.stopping) throw new DaemonError('DAEMON_STOPPING', 'the daemon is stopping and takes no new job');
    const body = request as unknown as Record<string, unknown>;
    if (!body || typeof body !== 'object') throw badRequest('the request must be a JSON object');
    switch (body.type) {
      case 'backup':
        return toJobView(this.submitBackup(body, origin));
      case 'extract':
        return toJobView(this.submitExtract(body, origin));
      case 'encryption':
        return toJobView(this.submitEncryption(body, origin));
      default:
        throw badRequest(`"type" must be backup, extract or encryption (got ${JSON.stringify(body.type)})`);
    }
  }

  listJobs(query: JobListQuery = {}): JobPage {
    const page = this.options.store.listJobs(query);
    return { jobs: page.jobs.map(toJobView), ...(page.nextCursor && { nextCursor: page.nextCursor }) };
  }

  getJob(id: string): JobView | undefined {
    const job = this.options.store.getJob(id);
    return job && toJobView(job);
  }

  jobEvents(id: string, afterId = 0, limit = 500): DaemonEvent[] {
    if (!this.options.store.getJob(id))
      throw new DaemonError('DAEMON_UNKNOWN_JOB', `no job ${id}`, { details: { id } });
    return this.options.store.jobEvents(id, afterId, limit);
  }

  async cancelJob(id: string): Promise<JobView> {
    return toJobView(await this.scheduler.cancel(id));
  }

  providePassword(id: string, passwords: JobSecrets): JobView {
    const job = this.options.store.getJob(id);
    if (!job) throw new DaemonError('DAEMON_UNKNOWN_JOB', `no job ${id}`, { details: { id } });
    checkSecrets(job.type, job.request, passwords);
    return toJobView(this.scheduler.providePassword(id, pick(passwords)));
  }

  async backups(): Promise<BackupView[]> {
    const views = await this.backupStorage.list();
    for (const view of views) {
      if (!view.udid) continue;
      const last = this.options.store.lastJob('backup', view.udid, 'succeeded');
      if (last?.backupDir && resolve(last.backupDir) === resolve(view.path)) view.jobId = last.id;
    }
    return views;
  }

  stats(): EngineStats {
    const devicesByState = Object.fromEntries(DEVICE_STATES.map((s) => [s, 0])) as Record<DeviceState, number>;
    for (const view of this.table.all()) devicesByState[view.state]++;
    return {
      devicesByState,
      jobsByState: this.options.store.countByState(),
      runningJobs: this.scheduler.runningCount,
      maxConcurrentJobs: this.config.concurrency.maxJobs,
      usbmuxdConnected: this.usbmuxdConnected,
    };
  }

  setMetricsSink(sink: MetricsSink | undefined): void {
    this.metricsSink = sink;
  }

  private submitBackup(body: Record<string, unknown>, origin: JobOrigin): JobRecord {
    const udid = this.attachedUdid(body.udid);
    if (body.full !== undefined && typeof body.full !== 'boolean') throw badRequest('"full" must be true or false');
    const out = optionalPath(body.out, 'out');
    // One backup per phone at a time: asking again while one is queued or running gives that job.
    const active = this.activeJob('backup', udid);
    if (active) return active;
    return this.scheduler.create({
      type: 'backup',
      udid,
      origin,
      needsSecret: false,
      request: { full: body.full ?? this.config.backup.full, ...(out && { out }) },
    });
  }

  private submitExtract(body: Record<string, unknown>, origin: JobOrigin): JobRecord {
    if (typeof body.backup !== 'string' || body.backup === '')
      throw badRequest('"backup" (a backup folder) is required');
    const backup = resolve(body.backup);
    if (!existsSync(backup) || !statSync(backup).isDirectory())
      throw new DaemonError('DAEMON_BAD_REQUEST', `there is no backup folder ${backup}`, { details: { backup } });
    const out = optionalPath(body.out, 'out');
    let types: string[] | undefined;
    if (body.types !== undefined) {
      if (!Array.isArray(body.types) || !body.types.every((t) => typeof t === 'string'))
        throw badRequest('"types" must be a list of data type names');
      try {
        types = parseDataTypes(body.types.join(','));
      } catch (error) {
        throw badRequest((error as Error).message);
      }
    }
    if (body.password !== undefined && typeof body.password !== 'string')
      throw badRequest('"password" must be a string');
    const name = basename(backup);
    const secrets = typeof body.password === 'string' ? { password: body.password } : undefined;
    return this.scheduler.create(
      {
        type: 'extract',
        ...(UDID_PATTERN.test(name) && { udid: name }),
        origin,
        needsSecret: secrets !== undefined,
        request: { backup, ...(out && { out }), ...(types && { types }) },
      },
      secrets,
    );
  }

  private submitEncryption(body: Record<string, unknown>, origin: JobOrigin): JobRecord {
    const udid = this.attachedUdid(body.udid);
    if (body.action !== 'on' && body.action !== 'off' && body.action !== 'change')
      throw badRequest('"action" must be on, off or change');
    const secrets = pick(body as JobSecrets);
    checkSecrets('encryption', { action: body.action }, secrets);
    if (this.activeJob('encryption', udid))
      throw new DaemonError('DAEMON_JOB_CONFLICT', `an encryption change for ${udid} is already waiting or running`);
    return this.scheduler.create(
      { type: 'encryption', udid, origin, needsSecret: true, request: { action: body.action } },
      secrets,
    );
  }

  private attachedUdid(value: unknown): string {
    if (typeof value !== 'string' || value === '') throw badRequest('"udid" is required');
    const udid = this.table.attachedUdids().find((u) => u.toLowerCase() === value.toLowerCase());
    if (!udid)
      throw new DaemonError('DAEMON_UNKNOWN_DEVICE', `no phone ${value} is attached`, {
        details: { udid: value, attached: this.table.attachedUdids() },
      });
    return udid;
  }

  private activeJob(type: JobRecord['type'], udid: string): JobRecord | undefined {
    return this.options.store.jobsInStates(ACTIVE_STATES).find((job) => job.type === type && job.udid === udid);
  }

  // --- phones -----------------------------------------------------------------------------------------------

  private usbmuxdUp(present: WatchedDevice[]): void {
    if (!this.usbmuxdConnected) {
      this.usbmuxdConnected = true;
      this.events.append({ kind: 'usbmuxd.connected', data: { devices: present.length } });
      this.options.logger.info({ devices: present.length }, 'listening to usbmuxd');
    }
  }

  /** Phones unplugged while no Listen was open, and connections usbmuxd renumbered, are gone. */
  private reconcile(present: WatchedDevice[], askedAt: number): void {
    const ids = new Set(present.map((d) => d.deviceId));
    for (const { udid, deviceId, at } of this.table.connections())
      if (!ids.has(deviceId) && at < askedAt) this.detached(deviceId, udid);
  }

  private usbmuxdDown(error: unknown, retryInMs: number): void {
    if (this.usbmuxdConnected) {
      this.usbmuxdConnected = false;
      this.events.append({
        kind: 'usbmuxd.disconnected',
        data: { error: (error as Error).message ?? String(error), retryInMs },
      });
    }
    this.options.logger.warn({ err: (error as Error).message, retryInMs }, 'usbmuxd is not reachable; retrying');
  }

  private attached(device: WatchedDevice): void {
    if (this.stopping) return;
    const first = this.table.connect(device.udid, device.deviceId, device.connectionType);
    if (first) void this.pair(device.udid);
  }

  private detached(deviceId: number, udid: string | undefined): void {
    const who = udid ?? this.table.udidOf(deviceId);
    if (!who || !this.table.disconnect(who, deviceId)) return;
    this.ready.delete(who);
    this.pairing.get(who)?.abort();
    this.options.logger.info({ udid: who }, 'phone detached');
  }

  /** Pairs (or checks the pairing) and reads the phone's name; "waiting-for-trust" while the dialog is up. */
  private async pair(udid: string): Promise<void> {
    const controller = new AbortController();
    this.pairing.set(udid, controller);
    const signal = AbortSignal.any([controller.signal, AbortSignal.timeout(this.config.trustWaitSeconds * 1000)]);
    const logger = this.options.logger.child({ udid });
    try {
      const { value } = await readDeviceInfo(
        defaultDeviceAccess(logger, {
          usbmux: this.options.usbmux,
          store: this.pairRecords,
          signal,
          onWaiting: (message) => this.table.set(udid, 'waiting-for-trust', { message }),
        }),
        { udid },
      );
      if (!this.table.isAttached(udid) || this.stopping) return;
      const info = isPlistDict(value) ? value : {};
      const encrypts = await this.readWillEncrypt(udid, signal, logger);
      if (!this.table.isAttached(udid) || this.stopping) return;
      this.ready.add(udid);
      this.table.set(udid, 'paired', {
        name: typeof info.DeviceName === 'string' ? info.DeviceName : null,
        ...(typeof info.ProductType === 'string' && { productType: info.ProductType }),
        ...(typeof info.ProductVersion === 'string' && { iosVersion: info.ProductVersion }),
        ...(encrypts !== undefined && { backupEncrypted: encrypts }),
        message: 'paired',
      });
      logger.info({ name: info.DeviceName }, 'phone paired');
      this.applyAttachPolicy(udid);
      this.scheduler.pump();
    } catch (error) {
      if (!this.table.isAttached(udid) || this.stopping) return;
      const failure = toJobError(error);
      logger.warn({ code: failure.code, err: failure.message }, 'pairing failed');
      this.table.fail(udid, failure);
    } finally {
      if (this.pairing.get(udid) === controller) this.pairing.delete(udid);
    }
  }

  /** The phone's WillEncrypt (lockdown com.apple.mobile.backup), or undefined when it does not say: never fatal. */
  private async readWillEncrypt(udid: string, signal: AbortSignal, logger: Logger): Promise<boolean | undefined> {
    try {
      const { value } = await readDeviceInfo(
        defaultDeviceAccess(logger, { usbmux: this.options.usbmux, store: this.pairRecords, signal }),
        { udid, domain: 'com.apple.mobile.backup', key: 'WillEncrypt', pairIfNeeded: false },
      );
      return typeof value === 'boolean' ? value : undefined;
    } catch (error) {
      logger.warn({ err: (error as Error).message }, 'could not read whether the phone encrypts its backups');
      return undefined;
    }
  }

  /** Backup on attach, if the config wants one for this phone and the last one is old enough. */
  private applyAttachPolicy(udid: string, showIdle = true): void {
    const last = this.options.store.lastJob('backup', udid, 'succeeded');
    const waiting = this.activeJob('backup', udid);
    if (waiting) return;
    if (backsUpOnAttach(this.config, udid) && backupDue(this.config, last?.endedAt, Date.now())) {
      this.scheduler.create({
        type: 'backup',
        udid,
        origin: 'policy',
        needsSecret: false,
        request: { full: this.config.backup.full },
      });
      return;
    }
    if (!showIdle) return;
    const why = backsUpOnAttach(this.config, udid)
      ? `backed up ${last?.endedAt}; next backup on attach after ${this.config.backup.minIntervalHours} h`
      : 'no backup on attach for this phone (config backup.onAttach)';
    this.table.set(udid, 'idle', { message: why, ...(last?.endedAt && { lastBackupAt: last.endedAt }) });
  }

  private schedulerHost() {
    return {
      config: () => this.config,
      storage: () => this.backupStorage,
      deviceReady: (udid: string) => this.ready.has(udid),
      deviceAttached: (udid: string) => this.table.isAttached(udid),
      metrics: () => this.metricsSink,
      jobStarted: (job: JobRecord) => {
        if (!job.udid || !this.table.isAttached(job.udid)) return;
        this.table.set(job.udid, busyState(job), { jobId: job.id, message: `job ${job.id} running`, error: undefined });
      },
      jobProgress: (job: JobRecord, progress: JobRecord['progress'] & object) => {
        if (!job.udid) return;
        // The phone was trusted (or unlocked) and the job moved on: it no longer waits for the person.
        if (this.table.get(job.udid)?.state === 'waiting-for-trust' && progress.phase !== 'trust')
          this.table.set(job.udid, busyState(job), { jobId: job.id, message: progress.message });
        this.table.progress(job.udid, progress);
      },
      jobWaiting: (job: JobRecord, message: string) => {
        if (job.udid && this.table.isAttached(job.udid)) this.table.set(job.udid, 'waiting-for-trust', { message });
      },
      jobEnded: (job: JobRecord) => this.jobEnded(job),
    };
  }

  private jobEnded(job: JobRecord): void {
    const udid = job.udid;
    if (job.type === 'backup' && job.state === 'succeeded' && job.backupDir) this.extractAfterBackup(job);
    if (!udid || !this.table.isAttached(udid)) return;
    if (job.state === 'succeeded')
      this.table.set(udid, 'done', {
        jobId: undefined,
        progress: undefined,
        message: `${job.type} job ${job.id} succeeded`,
        ...(job.type === 'backup' && job.endedAt && { lastBackupAt: job.endedAt }),
        // The phone did what was asked: it encrypts its backups unless encryption was turned off.
        ...(job.type === 'encryption' && { backupEncrypted: job.request.action !== 'off' }),
      });
    else if (job.state === 'failed' && job.error) this.table.fail(udid, job.error);
    else this.table.set(udid, 'idle', { jobId: undefined, progress: undefined, message: `job ${job.id} ${job.state}` });
  }

  private extractAfterBackup(job: JobRecord): void {
    if (!this.config.extract.afterBackup || job.origin === 'api' || this.stopping) return;
    if (job.result?.encrypted === true) {
      this.options.logger.info({ jobId: job.id, udid: job.udid }, 'not extracting an encrypted backup: no password');
      return;
    }
    this.scheduler.create({
      type: 'extract',
      ...(job.udid && { udid: job.udid }),
      origin: 'policy',
      needsSecret: false,
      request: {
        backup: job.backupDir,
        ...(this.config.extract.types.length > 0 && { types: this.config.extract.types }),
      },
    });
  }
}

/** What a phone shows while a job of this type runs on it. */
function busyState(job: JobRecord): DeviceState {
  return job.type === 'backup' ? 'backing-up' : job.type === 'extract' ? 'extracting' : 'changing-encryption';
}

function storageFor(config: DaemonConfig): BackupStorage {
  return new LocalBackupStorage(config.backupsDir, config.extract.outDir);
}

function badRequest(message: string): DaemonError {
  return new DaemonError('DAEMON_BAD_REQUEST', message);
}

function optionalPath(value: unknown, name: string): string | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'string' || value === '') throw badRequest(`"${name}" must be a folder path`);
  return resolve(value);
}

function pick(secrets: JobSecrets): JobSecrets {
  const out: JobSecrets = {};
  for (const key of ['password', 'oldPassword', 'newPassword'] as const)
    if (secrets[key] !== undefined) {
      if (typeof secrets[key] !== 'string') throw badRequest(`"${key}" must be a string`);
      out[key] = secrets[key];
    }
  return out;
}

/** The passwords an encryption action needs are there (an extract's password is optional). */
function checkSecrets(type: JobRecord['type'], request: Record<string, unknown>, secrets: JobSecrets): void {
  if (type !== 'encryption') return;
  const action = request.action;
  if ((action === 'on' || action === 'change') && !secrets.newPassword)
    throw badRequest(`encryption "${action}" needs "newPassword"`);
  if ((action === 'off' || action === 'change') && !secrets.oldPassword)
    throw badRequest(`encryption "${action}" needs "oldPassword"`);
}
