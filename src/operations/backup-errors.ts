import { IosRescueError, withCategory, type CategoryTable, type ErrorOptions } from '../errors.js';

/**
 * Failures of the backup and encryption verbs themselves (device errors keep their mobilebackup2 codes,
 * `MB2_DEVICE_<n>`, with advice):
 * - BACKUP_CANCELLED_ON_PHONE: the phone asked to cancel the sync (syncCancelRequest)
 * - ENCRYPTION_ALREADY_ON / ENCRYPTION_NOT_ON: the request does not fit the phone's WillEncrypt state
 * - ENCRYPTION_NOT_CHANGED: the phone said yes but WillEncrypt did not change
 */
export const BACKUP_OPERATION_ERROR_CATEGORIES = {
  BACKUP_CANCELLED_ON_PHONE: 'interrupted',
  ENCRYPTION_ALREADY_ON: 'usage',
  ENCRYPTION_NOT_ON: 'usage',
  ENCRYPTION_NOT_CHANGED: 'internal',
} as const satisfies CategoryTable<string>;

export type BackupOperationErrorCode = keyof typeof BACKUP_OPERATION_ERROR_CATEGORIES;

export class BackupOperationError extends IosRescueError {
  declare readonly code: BackupOperationErrorCode;

  constructor(code: BackupOperationErrorCode, message: string, options: ErrorOptions = {}) {
    super(code, message, withCategory(BACKUP_OPERATION_ERROR_CATEGORIES[code], options));
  }
}
