import type { Logger } from '../logging.js';
import type { PairRecordStore } from '../lockdown/index.js';
import type { UsbmuxClient } from '../usbmux/index.js';
import type { BackupStorage } from './backup-storage.js';
import type { DaemonConfig } from './config.js';
import { FINAL_JOB_STATES, type JobProgress, type JobState, type JobView, type MetricsSink } from './engine-types.js';
import { DaemonError } from './errors.js';
import type { EventHub } from './event-hub.js';
import { runHooks } from './hooks.js';
import type { JobRecord, JobStore } from './job-store.js';
import { runJob, type JobOutcome, type JobSecrets } from './job-runner.js';
import { toJobError, toJobView } from './job-view.js';
import { retryDelayMs } from './policy.js';

/** What the scheduler asks of the engine about phones. */
export interface SchedulerHost {
  config(): DaemonConfig;
  storage(): BackupStorage;
  /** Paired and attached: a backup or encryption job may start on it. */
  deviceReady(udid: string): boolean;
  deviceAttached(udid: string): boolean;
  jobStarted(job: JobRecord): void;
  jobProgress(job: JobRecord, progress: JobProgress): void;
  jobWaiting(job: JobRecord, message: string): void;
  jobEnded(job: JobRecord): void;
  metrics(): MetricsSink | undefined;
}

interface RunningJob {
  controller: AbortController;
  done: Promise<void>;
  udid?: string;
}

const DEVICE_JOBS = new Set(['backup', 'encryption']);

/**
 * Runs queued jobs within the bounds: at most `concurrency.maxJobs` at once and one per phone. Every job change is
 * saved with its event in one transaction. Interrupted jobs are retried after their backoff; a job whose password
 * was lost with a restart waits in needs-password.
 */
export class JobScheduler {
  private readonly running = new Map<string, RunningJob>();
  private readonly secrets = new Map<string, JobSecrets>();
  private readonly hooks = new Set<Promise<void>>();
  private retryTimer: NodeJS.Timeout | undefined;
  private stopping = false;

  constructor(
    private readonly store: JobStore,
    private readonly events: EventHub,
    private readonly device: { usbmux: UsbmuxClient; pairRecords: PairRecordStore },
    private readonly host: SchedulerHost,
    private readonly logger: Logger,
  ) {}

  get runningCount(): number {
    return this.running.size;
  }

  runningOn(udid: string): string | undefined {
    for (const [id, job] of this.running) if (job.udid === udid) return id;
    return undefined;
  }

  /**
   * After a start: jobs that were running when the daemon died are interrupted (and retried by policy or failed);
   * jobs that needed a password (now gone) wait in needs-password.
   */
  recover(): void {
    for (const job of this.store.jobsInStates(['running'])) {
      const interrupted = this.change(job, 'running', {
        state: 'interrupted',
        error: toJobError(new DaemonError('DAEMON_INTERRUPTED', 'the daemon stopped while this job ran')),
      });
      this.logger.warn({ jobId: job.id, udid: job.udid }, 'a job was running when the daemon stopped');
      this.afterInterruption(interrupted);
    }
    for (const job of this.store.jobsInStates(['queued', 'interrupted']))
      if (job.needsSecret) this.change(job, job.state, { state: 'needs-password', retryAt: undefined });
  }

  create(
    job: Omit<JobRecord, 'id' | 'state' | 'attempts' | 'createdAt' | 'updatedAt'>,
    secrets?: JobSecrets,
  ): JobRecord {
    const { job: saved, event } = this.store.createJob({ ...job, state: 'queued' }, (created) => ({
      kind: 'job.created',
      jobId: created.id,
      udid: created.udid,
      data: { ...toJobView(created) },
    }));
    this.events.publish(event);
    if (secrets) this.secrets.set(saved.id, secrets);
    this.logger.info({ jobId: saved.id, udid: saved.udid, type: saved.type, origin: saved.origin }, 'job queued');
    queueMicrotask(() => this.pump());
    return saved;
  }

  /** Starts what may start now. */
  pump(): void {
    if (this.stopping) return;
    clearTimeout(this.retryTimer);
    this.retryTimer = undefined;
    const now = Date.now();
    let nextRetry = Number.POSITIVE_INFINITY;
    const busy = new Set([...this.running.values()].map((r) => r.udid).filter(Boolean));
    for (const job of this.store.jobsInStates(['queued', 'interrupted'])) {
      if (this.running.size >= this.host.config().concurrency.maxJobs) break;
      if (job.state === 'interrupted') {
        const at = job.retryAt ? Date.parse(job.retryAt) : Number.NaN;
        if (!(at <= now)) {
          if (Number.isFinite(at)) nextRetry = Math.min(nextRetry, at);
          continue;
        }
      }
      if (job.needsSecret && !this.secrets.has(job.id)) continue;
      if (job.udid && busy.has(job.udid)) continue;
      if (DEVICE_JOBS.has(job.type) && !this.host.deviceReady(job.udid!)) continue;
      if (job.udid) busy.add(job.udid);
      this.start(job);
    }
    if (Number.isFinite(nextRetry))
      this.retryTimer = setTimeout(() => this.pump(), Math.max(10, nextRetry - now)).unref();
  }

  async cancel(id: string): Promise<JobRecord> {
    const job = this.store.getJob(id);
    if (!job) throw new DaemonError('DAEMON_UNKNOWN_JOB', `no job ${id}`, { details: { id } });
    if (FINAL_JOB_STATES.includes(job.state)) return job;
    const running = this.running.get(id);
    if (running) {
      running.controller.abort(new DaemonError('DAEMON_CANCELLED', `job ${id} was cancelled`));
      await running.done;
      return this.store.getJob(id)!;
    }
    const cancelled = this.change(job, job.state, {
      state: 'cancelled',
      endedAt: new Date().toISOString(),
      retryAt: undefined,
      error: toJobError(new DaemonError('DAEMON_CANCELLED', `job ${id} was cancelled before it ran`)),
    });
    this.finished(cancelled, 0);
    return cancelled;
  }

  providePassword(id: string, secrets: JobSecrets): JobRecord {
    const job = this.store.getJob(id);
    if (!job) throw new DaemonError('DAEMON_UNKNOWN_JOB', `no job ${id}`, { details: { id } });
    if (job.state !== 'needs-password')
      throw new DaemonError('DAEMON_JOB_CONFLICT', `job ${id} is ${job.state}, not waiting for a password`);
    this.secrets.set(id, secrets);
    const queued = this.change(job, 'needs-password', { state: 'queued' });
    queueMicrotask(() => this.pump());
    return queued;
  }

  /** Drain: no new starts; running jobs stop cleanly and come back interrupted (retried on the next start). */
  async stop(): Promise<void> {
    this.stopping = true;
    clearTimeout(this.retryTimer);
    for (const running of this.running.values())
      running.controller.abort(new DaemonError('DAEMON_INTERRUPTED', 'the daemon is stopping'));
    await Promise.all([...this.running.values()].map((r) => r.done));
    await Promise.all([...this.hooks]);
  }

  private start(job: JobRecord): void {
    const started = this.change(job, job.state, {
      state: 'running',
      attempts: job.attempts + 1,
      startedAt: new Date().toISOString(),
      endedAt: undefined,
      retryAt: undefined,
      error: undefined,
      progress: undefined,
    });
    const controller = new AbortController();
    const logger = this.logger.child({ jobId: job.id, ...(job.udid && { udid: job.udid }) });
    logger.info({ type: job.type, attempt: started.attempts }, 'job started');
    this.host.jobStarted(started);
    const startedAt = Date.now();
    // Anything thrown while setting the job up fails the job, not the scheduler's loop.
    const done = Promise.resolve()
      .then(() =>
        runJob({
          job: started,
          secrets: this.secrets.get(job.id),
          signal: controller.signal,
          usbmux: this.device.usbmux,
          pairRecords: this.device.pairRecords,
          storage: this.host.storage(),
          config: this.host.config(),
          logger,
          onProgress: (progress) => {
            const { job: saved, event } = this.store.updateJob(job.id, { progress }, () => ({
              kind: 'job.progress',
              jobId: job.id,
              udid: job.udid,
              data: { ...progress },
            }));
            if (event) this.events.publish(event);
            this.host.jobProgress(saved, progress);
          },
          onWaiting: (message) => this.host.jobWaiting(started, message),
          onReceived: (bytes, files) => this.host.metrics()?.received(job.udid ?? '', bytes, files),
        }),
      )
      .then(
        (outcome) => this.succeeded(started, outcome, startedAt, logger),
        (error: unknown) => this.failed(started, controller.signal, error, startedAt, logger),
      )
      .catch((error: unknown) => logger.error({ err: (error as Error).message }, 'could not record how the job ended'));
    const entry: RunningJob = {
      controller,
      done: done.finally(() => {
        this.running.delete(job.id);
        queueMicrotask(() => this.pump());
      }),
      udid: job.udid,
    };
    this.running.set(job.id, entry);
  }

  private succeeded(job: JobRecord, outcome: JobOutcome, startedAt: number, logger: Logger): void {
    const last = this.store.getJob(job.id)?.progress;
    const saved = this.change(job, 'running', {
      state: 'succeeded',
      endedAt: new Date().toISOString(),
      ...(outcome.backupDir && { backupDir: outcome.backupDir }),
      ...(outcome.outDir && { outDir: outcome.outDir }),
      result: outcome.result,
      progress: last && { ...last, phase: 'done', message: 'done' },
    });
    logger.info({ ...outcome.result, backupDir: outcome.backupDir, outDir: outcome.outDir }, 'job succeeded');
    this.finished(saved, (Date.now() - startedAt) / 1000);
  }

  private failed(job: JobRecord, signal: AbortSignal, error: unknown, startedAt: number, logger: Logger): void {
    const reason = signal.aborted && signal.reason instanceof DaemonError ? signal.reason : error;
    const code = reason instanceof DaemonError ? reason.code : undefined;
    const seconds = (Date.now() - startedAt) / 1000;
    if (code === 'DAEMON_INTERRUPTED') {
      const interrupted = this.change(job, 'running', { state: 'interrupted', error: toJobError(reason) });
      logger.warn('job interrupted by the daemon stopping');
      this.afterInterruption(interrupted);
      return;
    }
    let failure = toJobError(reason);
    if (code !== 'DAEMON_CANCELLED' && job.udid && DEVICE_JOBS.has(job.type) && !this.host.deviceAttached(job.udid))
      failure = toJobError(
        new DaemonError('DAEMON_DEVICE_DETACHED', `the phone was unplugged during the job (${failure.message})`, {
          details: { cause: failure.code },
        }),
      );
    const state: JobState = code === 'DAEMON_CANCELLED' ? 'cancelled' : 'failed';
    const saved = this.change(job, 'running', { state, endedAt: new Date().toISOString(), error: failure });
    logger.warn({ code: failure.code, err: failure.message }, `job ${state}`);
    this.finished(saved, seconds);
  }

  /** An interrupted job: retried after its backoff, failed when out of attempts, or waiting for its password. */
  private afterInterruption(job: JobRecord): void {
    const delay = retryDelayMs(this.host.config(), job.attempts);
    if (delay === undefined) {
      const failed = this.change(job, 'interrupted', {
        state: 'failed',
        endedAt: new Date().toISOString(),
        error: toJobError(
          new DaemonError(
            'DAEMON_RETRIES_EXHAUSTED',
            `interrupted after ${job.attempts} attempt(s), the most retry.maxAttempts allows`,
            { details: { attempts: job.attempts } },
          ),
        ),
      });
      this.finished(failed, 0);
      return;
    }
    if (job.needsSecret && !this.secrets.has(job.id)) {
      this.change(job, 'interrupted', { state: 'needs-password' });
      return;
    }
    this.store.updateJob(job.id, { retryAt: new Date(Date.now() + delay).toISOString() });
  }

  /** A job reached a final state: forget its passwords, tell the engine, the metrics and the hooks. */
  private finished(job: JobRecord, seconds: number): void {
    this.secrets.delete(job.id);
    this.host.jobEnded(job);
    const view = toJobView(job);
    this.host.metrics()?.jobEnded(view, seconds);
    const hook = this.callHooks(view).finally(() => this.hooks.delete(hook));
    this.hooks.add(hook);
  }

  private async callHooks(view: JobView): Promise<void> {
    const results = await runHooks(this.host.config().hooks, view, this.logger).catch((error: unknown) => [
      { hook: 'command' as const, ok: false, error: (error as Error).message },
    ]);
    for (const result of results)
      this.events.append({ kind: 'job.hook', jobId: view.id, udid: view.udid, data: { ...result } });
  }

  /** Saves a job change with its `job.state` event and publishes the event. */
  private change(job: JobRecord, from: JobState, patch: Partial<JobRecord>): JobRecord {
    const { job: saved, event } = this.store.updateJob(job.id, patch, (updated) => ({
      kind: 'job.state',
      jobId: updated.id,
      udid: updated.udid,
      data: { ...toJobView(updated), from },
    }));
    if (event) this.events.publish(event);
    return saved;
  }
}
