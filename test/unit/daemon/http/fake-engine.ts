import { DaemonError } from '../../../../src/daemon/errors.js';
import {
  DEVICE_STATES,
  JOB_STATES,
  type DaemonEngine,
  type DaemonEvent,
  type DaemonEventKind,
  type DeviceView,
  type EngineStats,
  type JobRequest,
  type JobView,
  type MetricsSink,
} from '../../../../src/daemon/engine-types.js';

/**
 * A tiny in-memory DaemonEngine for unit tests of the HTTP layer only (routes, validation, errors, SSE plumbing).
 * The integration tests (test/integration/daemon-api*.test.ts) run the real engine against the emulator.
 */
export class FakeEngine implements DaemonEngine {
  readonly version = '9.9.9-test';
  readonly stateDir: string;
  readonly submitted: JobRequest[] = [];
  metricsSink: MetricsSink | undefined;
  private readonly jobs = new Map<string, JobView>();
  private readonly log: DaemonEvent[] = [];
  private readonly listeners = new Set<(event: DaemonEvent) => void>();
  private readonly deviceList: DeviceView[] = [
    { udid: 'FAKE-0001', name: 'Lab phone', state: 'idle', updatedAt: '2026-01-01T00:00:00.000Z' },
  ];

  constructor(stateDir: string) {
    this.stateDir = stateDir;
  }

  readonly events = {
    since: (lastEventId: number, limit = 1000) => this.log.filter((e) => e.id > lastEventId).slice(0, limit),
    lastId: () => this.log.at(-1)?.id ?? 0,
    subscribe: (listener: (event: DaemonEvent) => void) => {
      this.listeners.add(listener);
      return () => this.listeners.delete(listener);
    },
  };

  emit(kind: DaemonEventKind, data: Record<string, unknown> = {}, jobId?: string): DaemonEvent {
    const event: DaemonEvent = { id: this.log.length + 1, time: new Date().toISOString(), kind, jobId, data };
    this.log.push(event);
    for (const listener of this.listeners) listener(event);
    return event;
  }

  get subscribers(): number {
    return this.listeners.size;
  }

  jobEvents(id: string, afterId = 0, limit = 500): DaemonEvent[] {
    return this.log.filter((e) => e.jobId === id && e.id > afterId).slice(0, limit);
  }

  devices(): DeviceView[] {
    return this.deviceList;
  }

  device(udid: string): DeviceView | undefined {
    return this.deviceList.find((d) => d.udid === udid);
  }

  submitJob(request: JobRequest): JobView {
    if ('udid' in request && !this.device(request.udid)) {
      throw new DaemonError('DAEMON_UNKNOWN_DEVICE', `no phone ${request.udid}`);
    }
    this.submitted.push(request);
    const { password: _p, ...withoutPassword } = request as JobRequest & { password?: string };
    const now = new Date().toISOString();
    const job: JobView = {
      id: String(this.jobs.size + 1),
      type: request.type,
      state: 'queued',
      origin: 'api',
      request: withoutPassword,
      attempts: 0,
      createdAt: now,
      updatedAt: now,
    };
    this.jobs.set(job.id, job);
    this.emit('job.created', { ...job }, job.id);
    return job;
  }

  listJobs() {
    return { jobs: [...this.jobs.values()].reverse() };
  }

  getJob(id: string): JobView | undefined {
    return this.jobs.get(id);
  }

  async cancelJob(id: string): Promise<JobView> {
    const job = this.jobs.get(id);
    if (!job) throw new DaemonError('DAEMON_UNKNOWN_JOB', `no job ${id}`);
    job.state = 'cancelled';
    return job;
  }

  providePassword(id: string): JobView {
    const job = this.jobs.get(id);
    if (!job) throw new DaemonError('DAEMON_UNKNOWN_JOB', `no job ${id}`);
    return job;
  }

  async backups() {
    return [];
  }

  stats(): EngineStats {
    const devicesByState = Object.fromEntries(
      DEVICE_STATES.map((s) => [s, this.deviceList.filter((d) => d.state === s).length]),
    ) as EngineStats['devicesByState'];
    const jobsByState = Object.fromEntries(
      JOB_STATES.map((s) => [s, [...this.jobs.values()].filter((j) => j.state === s).length]),
    ) as EngineStats['jobsByState'];
    return { devicesByState, jobsByState, runningJobs: 0, maxConcurrentJobs: 2, usbmuxdConnected: true };
  }

  setMetricsSink(sink: MetricsSink | undefined): void {
    this.metricsSink = sink;
  }
}
