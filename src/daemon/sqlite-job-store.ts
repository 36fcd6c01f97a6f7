import { chmodSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { JOB_STATES, type DaemonEvent, type JobListQuery, type JobState, type JobType } from './engine-types.js';
import type { JobRecord, JobStore, NewEvent, NewJob } from './job-store.js';

const SCHEMA = `
CREATE TABLE IF NOT EXISTS jobs (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  type TEXT NOT NULL,
  state TEXT NOT NULL,
  udid TEXT,
  origin TEXT NOT NULL,
  request TEXT NOT NULL,
  needs_secret INTEGER NOT NULL DEFAULT 0,
  progress TEXT,
  error TEXT,
  backup_dir TEXT,
  out_dir TEXT,
  result TEXT,
  attempts INTEGER NOT NULL DEFAULT 0,
  retry_at TEXT,
  created_at TEXT NOT NULL,
  started_at TEXT,
  ended_at TEXT,
  updated_at TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS jobs_state ON jobs(state);
CREATE INDEX IF NOT EXISTS jobs_udid ON jobs(udid, type, state);
CREATE TABLE IF NOT EXISTS events (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  time TEXT NOT NULL,
  kind TEXT NOT NULL,
  udid TEXT,
  job_id TEXT,
  data TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS events_job ON events(job_id, id);
`;

interface JobRow {
  id: number;
  type: string;
  state: string;
  udid: string | null;
  origin: string;
  request: string;
  needs_secret: number;
  progress: string | null;
  error: string | null;
  backup_dir: string | null;
  out_dir: string | null;
  result: string | null;
  attempts: number;
  retry_at: string | null;
  created_at: string;
  started_at: string | null;
  ended_at: string | null;
  updated_at: string;
}

interface EventRow {
  id: number;
  time: string;
  kind: string;
  udid: string | null;
  job_id: string | null;
  data: string;
}

/** Columns a patch may set, by JobRecord field. */
const COLUMNS: Record<string, { column: string; json?: boolean; bool?: boolean }> = {
  state: { column: 'state' },
  udid: { column: 'udid' },
  request: { column: 'request', json: true },
  needsSecret: { column: 'needs_secret', bool: true },
  progress: { column: 'progress', json: true },
  error: { column: 'error', json: true },
  backupDir: { column: 'backup_dir' },
  outDir: { column: 'out_dir' },
  result: { column: 'result', json: true },
  attempts: { column: 'attempts' },
  retryAt: { column: 'retry_at' },
  startedAt: { column: 'started_at' },
  endedAt: { column: 'ended_at' },
  updatedAt: { column: 'updated_at' },
};

/**
 * Jobs and events in `<stateDir>/daemon.db`. WAL mode: readers (the API) never wait for the writer; with
 * synchronous=FULL every committed transaction is on disk before the call returns, so neither `kill -9` nor a power
 * cut loses a job or an event the daemon already reported. AUTOINCREMENT keeps event ids growing even if rows were
 * ever deleted, so an SSE client's Last-Event-ID stays meaningful.
 */
export class SqliteJobStore implements JobStore {
  private readonly db: Database.Database;

  constructor(stateDir: string, fileName = 'daemon.db') {
    const path = join(stateDir, fileName);
    this.db = new Database(path);
    // Owner-only like the folder; SQLite gives the -wal and -shm files the database file's mode.
    if (process.platform !== 'win32') chmodSync(path, 0o600);
    this.db.pragma('journal_mode = WAL');
    this.db.pragma('synchronous = FULL');
    this.db.pragma('busy_timeout = 5000');
    this.db.exec(SCHEMA);
  }

  createJob(job: NewJob, event: (job: JobRecord) => NewEvent): { job: JobRecord; event: DaemonEvent } {
    return this.db.transaction(() => {
      const now = new Date().toISOString();
      const info = this.db
        .prepare(
          `INSERT INTO jobs (type, state, udid, origin, request, needs_secret, attempts, created_at, updated_at)
           VALUES (?, ?, ?, ?, ?, ?, 0, ?, ?)`,
        )
        .run(
          job.type,
          job.state,
          job.udid ?? null,
          job.origin,
          JSON.stringify(job.request),
          job.needsSecret ? 1 : 0,
          now,
          now,
        );
      const saved = this.getJob(String(info.lastInsertRowid))!;
      return { job: saved, event: this.appendEvent(event(saved)) };
    })();
  }

  updateJob(
    id: string,
    patch: Partial<Omit<JobRecord, 'id' | 'createdAt'>>,
    event?: (job: JobRecord) => NewEvent,
  ): { job: JobRecord; event?: DaemonEvent } {
    return this.db.transaction(() => {
      const sets: string[] = [];
      const values: unknown[] = [];
      for (const [key, value] of Object.entries({ ...patch, updatedAt: new Date().toISOString() })) {
        const column = COLUMNS[key];
        if (!column) continue;
        sets.push(`${column.column} = ?`);
        values.push(
          value === undefined || value === null
            ? null
            : column.json
              ? JSON.stringify(value)
              : column.bool
                ? value
                  ? 1
                  : 0
                : value,
        );
      }
      this.db.prepare(`UPDATE jobs SET ${sets.join(', ')} WHERE id = ?`).run(...values, Number(id));
      const job = this.getJob(id)!;
      return { job, event: event ? this.appendEvent(event(job)) : undefined };
    })();
  }

  getJob(id: string): JobRecord | undefined {
    if (!/^\d{1,15}$/.test(id)) return undefined;
    const row = this.db.prepare('SELECT * FROM jobs WHERE id = ?').get(Number(id)) as JobRow | undefined;
    return row && toJob(row);
  }

  listJobs(query: JobListQuery): { jobs: JobRecord[]; nextCursor?: string } {
    const where: string[] = [];
    const values: unknown[] = [];
    if (query.state) where.push('state = ?') && values.push(query.state);
    if (query.type) where.push('type = ?') && values.push(query.type);
    if (query.udid) where.push('udid = ?') && values.push(query.udid);
    if (query.cursor && /^\d{1,15}$/.test(query.cursor)) where.push('id < ?') && values.push(Number(query.cursor));
    const limit = Math.min(Math.max(query.limit ?? 50, 1), 500);
    const rows = this.db
      .prepare(
        `SELECT * FROM jobs ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY id DESC LIMIT ${limit + 1}`,
      )
      .all(...values) as JobRow[];
    const more = rows.length > limit;
    const jobs = rows.slice(0, limit).map(toJob);
    return { jobs, nextCursor: more ? jobs.at(-1)!.id : undefined };
  }

  jobsInStates(states: readonly JobState[]): JobRecord[] {
    if (states.length === 0) return [];
    const rows = this.db
      .prepare(`SELECT * FROM jobs WHERE state IN (${states.map(() => '?').join(', ')}) ORDER BY id`)
      .all(...states) as JobRow[];
    return rows.map(toJob);
  }

  lastJob(type: JobType, udid: string, state: JobState): JobRecord | undefined {
    const row = this.db
      .prepare('SELECT * FROM jobs WHERE type = ? AND udid = ? AND state = ? ORDER BY id DESC LIMIT 1')
      .get(type, udid, state) as JobRow | undefined;
    return row && toJob(row);
  }

  countByState(): Record<JobState, number> {
    const counts = Object.fromEntries(JOB_STATES.map((state) => [state, 0])) as Record<JobState, number>;
    for (const row of this.db.prepare('SELECT state, COUNT(*) AS n FROM jobs GROUP BY state').all() as Array<{
      state: JobState;
      n: number;
    }>)
      counts[row.state] = row.n;
    return counts;
  }

  appendEvent(event: NewEvent): DaemonEvent {
    const time = new Date().toISOString();
    const info = this.db
      .prepare('INSERT INTO events (time, kind, udid, job_id, data) VALUES (?, ?, ?, ?, ?)')
      .run(time, event.kind, event.udid ?? null, event.jobId ?? null, JSON.stringify(event.data));
    return { id: Number(info.lastInsertRowid), time, ...event };
  }

  eventsSince(lastEventId: number, limit: number): DaemonEvent[] {
    const rows = this.db
      .prepare('SELECT * FROM events WHERE id > ? ORDER BY id LIMIT ?')
      .all(Math.max(0, Math.floor(lastEventId) || 0), Math.min(Math.max(limit, 1), 10_000)) as EventRow[];
    return rows.map(toEvent);
  }

  jobEvents(jobId: string, afterId: number, limit: number): DaemonEvent[] {
    const rows = this.db
      .prepare('SELECT * FROM events WHERE job_id = ? AND id > ? ORDER BY id LIMIT ?')
      .all(jobId, Math.max(0, Math.floor(afterId) || 0), Math.min(Math.max(limit, 1), 10_000)) as EventRow[];
    return rows.map(toEvent);
  }

  lastEventId(): number {
    const row = this.db.prepare('SELECT MAX(id) AS id FROM events').get() as { id: number | null };
    return row.id ?? 0;
  }

  close(): void {
    if (this.db.open) this.db.close();
  }
}

function toJob(row: JobRow): JobRecord {
  const job: JobRecord = {
    id: String(row.id),
    type: row.type as JobType,
    state: row.state as JobState,
    origin: row.origin as JobRecord['origin'],
    request: JSON.parse(row.request) as Record<string, unknown>,
    needsSecret: row.needs_secret === 1,
    attempts: row.attempts,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
  if (row.udid !== null) job.udid = row.udid;
  if (row.progress !== null) job.progress = JSON.parse(row.progress);
  if (row.error !== null) job.error = JSON.parse(row.error);
  if (row.backup_dir !== null) job.backupDir = row.backup_dir;
  if (row.out_dir !== null) job.outDir = row.out_dir;
  if (row.result !== null) job.result = JSON.parse(row.result);
  if (row.retry_at !== null) job.retryAt = row.retry_at;
  if (row.started_at !== null) job.startedAt = row.started_at;
  if (row.ended_at !== null) job.endedAt = row.ended_at;
  return job;
}

function toEvent(row: EventRow): DaemonEvent {
  return {
    id: row.id,
    time: row.time,
    kind: row.kind as DaemonEvent['kind'],
    ...(row.udid !== null && { udid: row.udid }),
    ...(row.job_id !== null && { jobId: row.job_id }),
    data: JSON.parse(row.data) as Record<string, unknown>,
  };
}
