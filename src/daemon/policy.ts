import type { DaemonConfig } from './config.js';

/** Whether the config asks for a backup of this phone when it is attached. */
export function backsUpOnAttach(config: DaemonConfig, udid: string): boolean {
  const rule = config.backup.onAttach;
  if (rule === 'all') return true;
  if (rule === 'none') return false;
  return rule.includes(udid.toUpperCase());
}

/**
 * Whether the phone's last successful backup (ISO time, or none) is old enough for another one under
 * `backup.minIntervalHours`. A clock that went backwards (the last backup "in the future") allows one.
 */
export function backupDue(config: DaemonConfig, lastBackupAt: string | undefined, now: number): boolean {
  if (!lastBackupAt) return true;
  const last = Date.parse(lastBackupAt);
  if (!Number.isFinite(last) || last > now) return true;
  return now - last >= config.backup.minIntervalHours * 3_600_000;
}

/**
 * When an interrupted job is tried again: `retry.backoffSeconds` doubled per earlier attempt, at most
 * `retry.maxBackoffSeconds`; undefined when `retry.maxAttempts` starts are used up (the job then fails).
 */
export function retryDelayMs(config: DaemonConfig, attempts: number): number | undefined {
  if (attempts >= config.retry.maxAttempts) return undefined;
  const seconds = config.retry.backoffSeconds * 2 ** Math.max(0, attempts - 1);
  return Math.min(seconds, config.retry.maxBackoffSeconds) * 1000;
}
