export { defaultDeviceAccess, selectDevice, type DeviceAccess } from './device-access.js';
export { listDevices, describeDevice, type DeviceSummary } from './list-devices.js';
export { readDeviceInfo, type DeviceInfoRequest } from './device-info.js';
export { pairWithDevice, validatePairing, unpairDevice, type PairingResult } from './pair-device.js';
export { watchDevices, type DeviceEvent } from './watch-devices.js';
export { listBackups, type ListBackupsOptions } from './list-backups.js';
export { listBackupFiles, type ListBackupFilesOptions } from './list-backup-files.js';
export { exportBackupFile, type ExportBackupFileOptions } from './export-backup-file.js';
export { decryptBackup, type DecryptBackupOptions, type DecryptBackupResult, type DecryptProblem } from './decrypt-backup.js';
