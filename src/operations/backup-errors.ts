import { IosRescueError } from '../errors.js';

/**
 * Failures of the backup and encryption verbs themselves (device errors keep their mobilebackup2 codes,
 * `MB2_DEVICE_<n>`, with advice):
 * - BACKUP_CANCELLED_ON_PHONE: the phone asked to cancel the sync (syncCancelRequest)
 * - ENCRYPTION_ALREADY_ON / ENCRYPTION_NOT_ON: the request does not fit the phone's WillEncrypt state
 * - ENCRYPTION_NOT_CHANGED: the phone said yes but WillEncrypt did not change
 */
export class BackupOperationError extends IosRescueError {}
