export { defaultDeviceAccess, selectDevice, type DeviceAccess } from './device-access.js';
export { listDevices, describeDevice, type DeviceSummary } from './list-devices.js';
export { readDeviceInfo, type DeviceInfoRequest } from './device-info.js';
export { pairWithDevice, validatePairing, unpairDevice, type PairingResult } from './pair-device.js';
export { watchDevices, type DeviceEvent } from './watch-devices.js';
export { listBackups, type ListBackupsOptions } from './list-backups.js';
export { listBackupFiles, type ListBackupFilesOptions } from './list-backup-files.js';
export { exportBackupFile, type ExportBackupFileOptions } from './export-backup-file.js';
export {
  decryptBackup,
  type DecryptBackupOptions,
  type DecryptBackupResult,
  type DecryptProblem,
} from './decrypt-backup.js';
export { backupDevice, type BackupDeviceOptions, type BackupDeviceResult } from './backup-device.js';
export { defaultBackupFolder } from './default-backup-folder.js';
export {
  backupEncryptionStatus,
  changeBackupEncryption,
  type EncryptionChange,
  type EncryptionOptions,
} from './backup-encryption.js';
export { BackupOperationError } from './backup-errors.js';
export { PHASE_MESSAGES, type BackupPhase, type BackupProgress } from './backup-progress.js';
export { throttleProgress } from './progress-throttle.js';
export { formatBytes, formatDuration } from './format-units.js';
export {
  DaemonApiError,
  DaemonClient,
  defaultDaemonSocketPath,
  FINAL_DAEMON_JOB_STATES,
  type DaemonDevice,
  type DaemonEventMessage,
  type DaemonJob,
  type DaemonJobProgress,
  type DaemonJobRequest,
} from './daemon-client.js';
export { scanBackup, type ScanBackupOptions, type ScanBackupResult, type ScanTypeSummary } from './scan-backup.js';
export { extractBackup, type ExtractBackupOptions } from './extract-backup.js';
export {
  carveDatabaseRecords,
  carvedRecordToJson,
  carvedValueToJson,
  writeCarvedJsonLines,
  type CarveDatabaseOptions,
  type CarvedRecordJson,
} from './carve-database.js';
export { runDemo, type DemoOptions, type DemoResult } from './demo.js';
export * from './demo-emulator.js';

/*
 * What the CLI and the daemon need from the layers below, so that they import operations only: the backup
 * password's key cache, the data types and output modes of extraction, carve's record types, plist helpers.
 */
export { FileKeyCache, type OpenBackupOptions } from '../backup/index.js';
export type { CarvedRecord, CarveSummary } from '../carve/index.js';
export {
  DATA_TYPES,
  EXTRACTOR_LIST,
  ExtractError,
  OUTPUT_MODES,
  parseDataTypes,
  type DataType,
  type DateRange,
  type OutputMode,
  type TypeScan,
} from '../extract/index.js';
export { isPlistDict, toXmlPlist, type PlistValue } from '../plist/index.js';
export {
  pullMedia,
  type MediaPullOptions,
  type MediaPullProgress,
  type MediaPullResult,
  type MediaFileEvent,
} from './media-pull.js';
export { listMedia, type MediaListOptions, type MediaListResult } from './media-list.js';
export { MEDIA_TYPES, parseMediaTypes, parseMediaDate, type MediaType } from './media-types.js';
export { MediaError, type MediaErrorCode } from './media-errors.js';
export { browserOpener, openInBrowser, requestConsoleLogin, type ConsoleLoginLink } from './console-login.js';
