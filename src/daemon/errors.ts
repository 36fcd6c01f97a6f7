import { IosRescueError, withCategory, type CategoryTable, type ErrorOptions } from '../errors.js';

/**
 * Errors the daemon raises itself (a job's own failure keeps the code of the layer that failed, MB2_DEVICE_…,
 * BACKUP_…). Callers branch on `code`:
 * - DAEMON_BAD_REQUEST: a job request that cannot be run (missing field, unknown data type, wrong action)
 * - DAEMON_UNKNOWN_DEVICE: no phone with that UDID is attached or known
 * - DAEMON_UNKNOWN_JOB: no job with that id
 * - DAEMON_JOB_CONFLICT: the phone is busy with a job this one cannot run beside (or the job is in the wrong state)
 * - DAEMON_BAD_CONFIG: the config file is unreadable or a key is wrong (details.errors lists each bad key)
 * - DAEMON_STATE_DIR: the state folder cannot be made owner-only or used
 * - DAEMON_ALREADY_RUNNING: another daemon holds this state folder
 * - DAEMON_STOPPING: the daemon is draining and takes no new job
 * - DAEMON_INTERRUPTED: a job stopped because the daemon stopped or died (it is retried by policy)
 * - DAEMON_CANCELLED: a job stopped because someone cancelled it
 * - DAEMON_PASSWORD_REQUIRED: a job needs a password that the daemon does not keep across restarts
 * - DAEMON_DEVICE_DETACHED: the phone was unplugged before or while its job ran
 * - DAEMON_RETRIES_EXHAUSTED: an interrupted job failed after its last allowed attempt
 * - DAEMON_HOOK_FAILED: a hook command or URL failed (logged and recorded as an event, the job keeps its outcome)
 */
export const DAEMON_ERROR_CATEGORIES = {
  DAEMON_BAD_REQUEST: 'usage',
  DAEMON_UNKNOWN_DEVICE: 'not-found',
  DAEMON_UNKNOWN_JOB: 'not-found',
  DAEMON_JOB_CONFLICT: 'device-refused',
  DAEMON_BAD_CONFIG: 'usage',
  DAEMON_STATE_DIR: 'bad-input',
  DAEMON_ALREADY_RUNNING: 'device-refused',
  DAEMON_STOPPING: 'interrupted',
  DAEMON_INTERRUPTED: 'interrupted',
  DAEMON_CANCELLED: 'interrupted',
  DAEMON_PASSWORD_REQUIRED: 'usage',
  DAEMON_DEVICE_DETACHED: 'connection-lost',
  DAEMON_RETRIES_EXHAUSTED: 'interrupted',
  DAEMON_HOOK_FAILED: 'internal',
} as const satisfies CategoryTable<string>;

export type DaemonErrorCode = keyof typeof DAEMON_ERROR_CATEGORIES;

export class DaemonError extends IosRescueError {
  declare readonly code: DaemonErrorCode;

  constructor(code: DaemonErrorCode, message: string, options: ErrorOptions = {}) {
    super(code, message, withCategory(DAEMON_ERROR_CATEGORIES[code], options));
  }
}
