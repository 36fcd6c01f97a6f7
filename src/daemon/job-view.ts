import { IosRescueError } from '../errors.js';
import type { JobError, JobView } from './engine-types.js';
import type { JobRecord } from './job-store.js';

/** The API's view of a stored job (what is internal to the engine left out). */
export function toJobView(job: JobRecord): JobView {
  const { needsSecret: _needsSecret, ...view } = job;
  return view;
}

/** A failure as a job records it: the typed code when there is one; anything else is a bug (UNEXPECTED). */
export function toJobError(error: unknown): JobError {
  if (error instanceof IosRescueError) return { code: error.code, message: error.message, category: error.category };
  return {
    code: 'UNEXPECTED',
    message: error instanceof Error ? error.message : String(error),
    category: 'internal',
  };
}
