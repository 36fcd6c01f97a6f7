import type {
  DaemonEvent,
  DaemonEventKind,
  JobListQuery,
  JobPage,
  JobState,
  JobType,
  JobView,
} from './engine-types.js';

/** A job as stored: the API's JobView plus what only the engine needs. Never holds a password. */
export interface JobRecord extends JobView {
  /** The request came with a password: after a restart (the password gone) the job waits in needs-password. */
  needsSecret: boolean;
}

export type NewJob = Pick<JobRecord, 'type' | 'state' | 'udid' | 'origin' | 'request' | 'needsSecret'>;

export interface NewEvent {
  kind: DaemonEventKind;
  udid?: string;
  jobId?: string;
  data: Record<string, unknown>;
}

/**
 * Where jobs and their event history live. A job change and the event that tells of it are saved in one
 * transaction, so after a crash the history never disagrees with the jobs. The embedded store is SQLite
 * (sqlite-job-store.ts); a shared queue for many workstations (PostgreSQL) would implement this too, behind an
 * in-memory cache, since the engine calls it synchronously.
 */
export interface JobStore {
  createJob(job: NewJob, event: (job: JobRecord) => NewEvent): { job: JobRecord; event: DaemonEvent };
  /** Applies `patch`, stamps updatedAt, and appends the event built from the saved job (if any). */
  updateJob(
    id: string,
    patch: Partial<Omit<JobRecord, 'id' | 'createdAt'>>,
    event?: (job: JobRecord) => NewEvent,
  ): { job: JobRecord; event?: DaemonEvent };
  getJob(id: string): JobRecord | undefined;
  listJobs(query: JobListQuery): { jobs: JobRecord[]; nextCursor?: string };
  /** Oldest first: the scheduler's order. */
  jobsInStates(states: readonly JobState[]): JobRecord[];
  /** The newest job of this type and phone that ended in `state`. */
  lastJob(type: JobType, udid: string, state: JobState): JobRecord | undefined;
  countByState(): Record<JobState, number>;
  appendEvent(event: NewEvent): DaemonEvent;
  eventsSince(lastEventId: number, limit: number): DaemonEvent[];
  /** One job's events after `afterId`, oldest first, at most `limit`: its log as the console shows it. */
  jobEvents(jobId: string, afterId: number, limit: number): DaemonEvent[];
  lastEventId(): number;
  close(): void;
}

export type { JobPage };
