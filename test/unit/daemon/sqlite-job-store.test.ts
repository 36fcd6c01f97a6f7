import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SqliteJobStore } from '../../../src/daemon/sqlite-job-store.js';

let dir: string;
let store: SqliteJobStore;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'iosr-dstore-'));
  store = new SqliteJobStore(dir);
});
afterEach(async () => {
  store.close();
  await rm(dir, { recursive: true, force: true });
});

function addJob(udid: string, type: 'backup' | 'extract' = 'backup') {
  return store.createJob(
    { type, state: 'queued', udid, origin: 'api', request: { full: false }, needsSecret: false },
    (job) => ({
      kind: 'job.created',
      jobId: job.id,
      udid,
      data: { id: job.id },
    }),
  );
}

describe('SqliteJobStore', () => {
  it('saves a job with its event, and a change with its event, in order', () => {
    const { job, event } = addJob('A');
    expect(event).toMatchObject({ kind: 'job.created', jobId: job.id, data: { id: job.id } });
    const { job: running, event: changed } = store.updateJob(job.id, { state: 'running', attempts: 1 }, (j) => ({
      kind: 'job.state',
      jobId: j.id,
      data: { state: j.state },
    }));
    expect(running).toMatchObject({ state: 'running', attempts: 1 });
    expect(changed!.id).toBeGreaterThan(event.id);
    expect(store.eventsSince(0, 10).map((e) => e.kind)).toEqual(['job.created', 'job.state']);
    expect(store.eventsSince(event.id, 10).map((e) => e.id)).toEqual([changed!.id]);
  });

  it("gives one job's log: only its events, after a given id, oldest first", () => {
    const { job: a, event: createdA } = addJob('A');
    const { job: b } = addJob('B');
    const { event: runningA } = store.updateJob(a.id, { state: 'running' }, (j) => ({
      kind: 'job.state',
      jobId: j.id,
      data: { state: j.state },
    }));
    store.updateJob(b.id, { state: 'running' }, (j) => ({ kind: 'job.state', jobId: j.id, data: { state: j.state } }));
    expect(store.jobEvents(a.id, 0, 10).map((e) => e.id)).toEqual([createdA.id, runningA!.id]);
    expect(store.jobEvents(a.id, createdA.id, 10).map((e) => e.kind)).toEqual(['job.state']);
    expect(store.jobEvents(a.id, 0, 1)).toHaveLength(1);
    expect(store.jobEvents(b.id, 0, 10).every((e) => e.jobId === b.id)).toBe(true);
  });

  it('clears a field set to undefined', () => {
    const { job } = addJob('A');
    store.updateJob(job.id, {
      retryAt: '2026-01-01T00:00:00Z',
      error: { code: 'X', message: 'x', category: 'internal' },
    });
    const cleared = store.updateJob(job.id, { retryAt: undefined, error: undefined }).job;
    expect(cleared.retryAt).toBeUndefined();
    expect(cleared.error).toBeUndefined();
  });

  it('pages newest first with a cursor, and filters', () => {
    for (let i = 0; i < 5; i++) addJob(i % 2 ? 'A' : 'B');
    const first = store.listJobs({ limit: 2 });
    expect(first.jobs.map((j) => j.id)).toEqual(['5', '4']);
    const second = store.listJobs({ limit: 2, cursor: first.nextCursor });
    expect(second.jobs.map((j) => j.id)).toEqual(['3', '2']);
    const last = store.listJobs({ limit: 2, cursor: second.nextCursor });
    expect(last.jobs.map((j) => j.id)).toEqual(['1']);
    expect(last.nextCursor).toBeUndefined();
    expect(store.listJobs({ udid: 'A' }).jobs.map((j) => j.id)).toEqual(['4', '2']);
  });

  it('keeps jobs and events across a reopen, and event ids keep growing', () => {
    const { job } = addJob('A');
    const last = store.appendEvent({ kind: 'daemon.stopping', data: {} });
    store.close();
    store = new SqliteJobStore(dir);
    expect(store.getJob(job.id)).toMatchObject({ udid: 'A', state: 'queued' });
    expect(store.lastEventId()).toBe(last.id);
    expect(store.appendEvent({ kind: 'daemon.started', data: {} }).id).toBe(last.id + 1);
    expect(store.countByState()).toMatchObject({ queued: 1, running: 0 });
  });

  it('keeps its files owner-only', async () => {
    addJob('A');
    for (const name of ['daemon.db', 'daemon.db-wal'])
      expect((await stat(join(dir, name))).mode & 0o777, name).toBe(0o600);
  });

  it('answers an id that is not a number with nothing', () => {
    expect(store.getJob('1 OR 1=1')).toBeUndefined();
    expect(store.getJob('999')).toBeUndefined();
  });
});
