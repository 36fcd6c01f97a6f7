import { CATEGORY_STATUS, categoryOf } from '../errors.js';

/**
 * Exit statuses, stable for scripts. They come from the error's category through the one table in
 * src/errors.ts (CATEGORY_STATUS); each layer's errors.ts says which category each of its codes has.
 * 0 ok · 1 failure not covered below · 2 usage error · 3 no device / device not found · 4 device refused
 * (not trusted, locked, denied) · 5 timed out waiting for the phone · 6 bad or corrupt input (plist, backup,
 * database) · 7 wrong password · 8 connection lost · 9 not enough disk space · 130 interrupted (Ctrl-C, SIGINT) · 143
 * terminated (SIGTERM).
 */
export const ExitCode = {
  OK: 0,
  FAILURE: CATEGORY_STATUS.internal.exit,
  USAGE: CATEGORY_STATUS.usage.exit,
  NO_DEVICE: CATEGORY_STATUS['not-found'].exit,
  DEVICE_REFUSED: CATEGORY_STATUS['device-refused'].exit,
  TIMEOUT: CATEGORY_STATUS.timeout.exit,
  BAD_INPUT: CATEGORY_STATUS['bad-input'].exit,
  BAD_PASSWORD: CATEGORY_STATUS['wrong-password'].exit,
  CONNECTION_LOST: CATEGORY_STATUS['connection-lost'].exit,
  NO_SPACE: CATEGORY_STATUS['no-space'].exit,
  INTERRUPTED: CATEGORY_STATUS.interrupted.exit,
  /** Not an error category: the signal itself, set by runCommand. */
  TERMINATED: 143,
} as const;

/** The exit status for anything thrown: its category's; an error that is not ours is a bug (1). */
export function exitCodeFor(error: unknown): number {
  return CATEGORY_STATUS[categoryOf(error)].exit;
}
