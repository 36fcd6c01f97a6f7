import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';
import type { DaemonEngine, JobView, MetricsSink } from '../engine-types.js';

/** Backups take seconds on a virtual phone and an hour on a full 256 GB one. */
const BACKUP_SECONDS_BUCKETS = [5, 15, 30, 60, 120, 300, 600, 1200, 1800, 3600, 7200];

/**
 * The daemon's Prometheus metrics (`GET /metrics`). Counters and the histogram are fed by the engine through the
 * MetricsSink it calls; gauges are read from `engine.stats()` at scrape time, so they can never drift from the
 * engine's own view. Each instance has its own registry (two daemons in one process, as tests run them, never mix).
 */
export class DaemonMetrics implements MetricsSink {
  readonly registry = new Registry();
  private readonly jobsEnded: Counter<'type' | 'outcome'>;
  private readonly bytes: Counter<'udid'>;
  private readonly files: Counter<'udid'>;
  private readonly backupSeconds: Histogram<'outcome'>;

  constructor(engine: Pick<DaemonEngine, 'stats'>) {
    const registers = [this.registry];
    new Gauge({
      name: 'iosrescue_devices',
      help: 'Phones the daemon knows, by state',
      labelNames: ['state'],
      registers,
      collect() {
        for (const [state, n] of Object.entries(engine.stats().devicesByState)) this.set({ state }, n);
      },
    });
    new Gauge({
      name: 'iosrescue_jobs',
      help: 'Jobs in the job store, by state',
      labelNames: ['state'],
      registers,
      collect() {
        for (const [state, n] of Object.entries(engine.stats().jobsByState)) this.set({ state }, n);
      },
    });
    new Gauge({
      name: 'iosrescue_jobs_running',
      help: 'Jobs running now',
      registers,
      collect() {
        this.set(engine.stats().runningJobs);
      },
    });
    new Gauge({
      name: 'iosrescue_usbmuxd_connected',
      help: '1 while the daemon is connected to usbmuxd',
      registers,
      collect() {
        this.set(engine.stats().usbmuxdConnected ? 1 : 0);
      },
    });
    this.jobsEnded = new Counter({
      name: 'iosrescue_jobs_ended_total',
      help: 'Jobs that reached a final state, by type and outcome (succeeded, failed, cancelled)',
      labelNames: ['type', 'outcome'],
      registers,
    });
    this.bytes = new Counter({
      name: 'iosrescue_received_bytes_total',
      help: 'Bytes of backup data received from phones',
      labelNames: ['udid'],
      registers,
    });
    this.files = new Counter({
      name: 'iosrescue_received_files_total',
      help: 'Files of backup data received from phones',
      labelNames: ['udid'],
      registers,
    });
    this.backupSeconds = new Histogram({
      name: 'iosrescue_backup_duration_seconds',
      help: 'Wall time of backup jobs from start to end, by outcome',
      labelNames: ['outcome'],
      buckets: BACKUP_SECONDS_BUCKETS,
      registers,
    });
    collectDefaultMetrics({ register: this.registry, prefix: 'iosrescue_' });
  }

  jobEnded(job: JobView, seconds: number): void {
    this.jobsEnded.inc({ type: job.type, outcome: job.state });
    if (job.type === 'backup' && seconds > 0) this.backupSeconds.observe({ outcome: job.state }, seconds);
  }

  received(udid: string, bytes: number, files: number): void {
    if (bytes > 0) this.bytes.inc({ udid }, bytes);
    if (files > 0) this.files.inc({ udid }, files);
  }

  async text(): Promise<{ contentType: string; body: string }> {
    return { contentType: this.registry.contentType, body: await this.registry.metrics() };
  }
}
