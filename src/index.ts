/**
 * iosrescue as a library: the verbs the CLI runs (list and pair phones, pull a backup, read, decrypt, scan and
 * extract one, carve an SQLite file), their option and result types, the error base class whose `code` and
 * `category` callers branch on, and the virtual iPhone that labs script their tests against.
 *
 *   import { backupDevice, extractBackup, startEmulator } from 'iosrescue';
 */
export * from './operations/index.js';
export { CATEGORY_STATUS, IosRescueError, httpStatusFor, isIosRescueError, type ErrorCategory } from './errors.js';
export { createLogger, type Logger, type LogLevel } from './logging.js';
export {
  startEmulator,
  VirtualIphone,
  VirtualDevice,
  EmulatorError,
  type EmulatorOptions,
  type AddDeviceOptions,
  type VirtualDeviceOptions,
  type TrustMode,
} from './emulator/index.js';
