import type { BackupProgress } from './backup-progress.js';

/**
 * Backup progress for a stream of events (the CLI's --json lines, the daemon's job events): a new phase passes at
 * once, byte counts within a phase at most once per interval (default 500 ms, twice a second).
 */
export function throttleProgress(
  onProgress: (progress: BackupProgress) => void,
  options: { intervalMs?: number; now?: () => number } = {},
): (progress: BackupProgress) => void {
  const intervalMs = options.intervalMs ?? 500;
  const now = options.now ?? Date.now;
  let lastPhase = '';
  let lastAt = 0;
  return (progress) => {
    const at = now();
    if (progress.phase === lastPhase && at - lastAt < intervalMs) return;
    lastPhase = progress.phase;
    lastAt = at;
    onProgress(progress);
  };
}
