export { Mobilebackup2Client, type BackupRequestOptions } from './client.js';
export { Mobilebackup2Error, type Mobilebackup2ErrorCode } from './errors.js';
export { DEFAULT_MAX_FILE_BYTES, runMessageLoop, type LoopOptions, type TransferProgress } from './message-loop.js';
export type { BackupHost, DirectoryEntry } from './backup-host.js';
export {
  MOBILEBACKUP2_SERVICE,
  adviceForDeviceError,
  backupRequest,
  changePasswordRequest,
  helloRequest,
} from './protocol.js';
