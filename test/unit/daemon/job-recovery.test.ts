import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { defaultConfig } from '../../../src/daemon/config.js';
import { EventHub } from '../../../src/daemon/event-hub.js';
import type { JobRecord } from '../../../src/daemon/job-store.js';
import { JobScheduler, type SchedulerHost } from '../../../src/daemon/job-scheduler.js';
import { SqliteJobStore } from '../../../src/daemon/sqlite-job-store.js';
import { PairRecordStore } from '../../../src/lockdown/index.js';
import { silentLogger } from '../../../src/logging.js';
import { UsbmuxClient } from '../../../src/usbmux/index.js';

/** What a restart does with the jobs a dead daemon left behind (no phone needed: nothing gets to run). */
let dir: string;
let store: SqliteJobStore;
const config = defaultConfig('/state');
config.retry = { maxAttempts: 2, backoffSeconds: 30, maxBackoffSeconds: 600 };

function scheduler(): JobScheduler {
  const host: SchedulerHost = {
    config: () => config,
    storage: () => {
      throw new Error('no job may run here');
    },
    deviceReady: () => false,
    deviceAttached: () => false,
    jobStarted: () => undefined,
    jobProgress: () => undefined,
    jobWaiting: () => undefined,
    jobEnded: () => undefined,
    metrics: () => undefined,
  };
  const events = new EventHub(store, silentLogger);
  const device = { usbmux: new UsbmuxClient(), pairRecords: new PairRecordStore(join(dir, 'pr')) };
  return new JobScheduler(store, events, device, host, silentLogger);
}

function leftRunning(type: JobRecord['type'], attempts: number, needsSecret = false): string {
  const { job } = store.createJob(
    { type, state: 'queued', udid: 'A', origin: 'api', request: {}, needsSecret },
    (j) => ({ kind: 'job.created', jobId: j.id, data: {} }),
  );
  store.updateJob(job.id, { state: 'running', attempts });
  return job.id;
}

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'iosr-drec-'));
  store = new SqliteJobStore(dir);
});
afterEach(async () => {
  store.close();
  await rm(dir, { recursive: true, force: true });
});

describe('job recovery after a crash', () => {
  it('marks a running job interrupted with a reason and schedules its retry after the backoff', () => {
    const id = leftRunning('backup', 1);
    const started = Date.now();
    scheduler().recover();
    const job = store.getJob(id)!;
    expect(job).toMatchObject({ state: 'interrupted', error: { code: 'DAEMON_INTERRUPTED' } });
    expect(Date.parse(job.retryAt!) - started).toBeGreaterThanOrEqual(29_000);
    const states = store.eventsSince(0, 100).filter((e) => e.jobId === id && e.kind === 'job.state');
    expect(states.map((e) => [e.data.from, e.data.state])).toEqual([['running', 'interrupted']]);
  });

  it('fails a job that used its last attempt, with the reason', () => {
    const id = leftRunning('backup', 2);
    scheduler().recover();
    expect(store.getJob(id)).toMatchObject({ state: 'failed', error: { code: 'DAEMON_RETRIES_EXHAUSTED' } });
  });

  it('puts a job whose password died with the daemon in needs-password, queued or running', () => {
    const running = leftRunning('extract', 1, true);
    const { job: queued } = store.createJob(
      { type: 'encryption', state: 'queued', udid: 'A', origin: 'api', request: { action: 'on' }, needsSecret: true },
      (j) => ({ kind: 'job.created', jobId: j.id, data: {} }),
    );
    scheduler().recover();
    expect(store.getJob(running)!.state).toBe('needs-password');
    expect(store.getJob(queued.id)!.state).toBe('needs-password');
    // Never written anywhere: the store has no place for a password, and the request holds none.
    expect(JSON.stringify(store.eventsSince(0, 100))).not.toMatch(/password"\s*:/i);
  });

  it('takes a password for a needs-password job and queues it again; refuses one for a job in another state', async () => {
    const id = leftRunning('extract', 1, true);
    const s = scheduler();
    s.recover();
    expect(s.providePassword(id, { password: 'secret' }).state).toBe('queued');
    // Stop before the queued job could start (it would need a backup to read).
    const stopped = s.stop();
    expect(() => s.providePassword(id, { password: 'secret' })).toThrow(
      expect.objectContaining({ code: 'DAEMON_JOB_CONFLICT' }),
    );
    expect(JSON.stringify(store.getJob(id))).not.toContain('secret');
    await stopped;
  });

  it('cancels a waiting job at once', async () => {
    const id = leftRunning('backup', 1);
    const s = scheduler();
    s.recover();
    expect(await s.cancel(id)).toMatchObject({ state: 'cancelled', error: { code: 'DAEMON_CANCELLED' } });
    await expect(s.cancel('999')).rejects.toMatchObject({ code: 'DAEMON_UNKNOWN_JOB' });
    await s.stop();
  });
});
