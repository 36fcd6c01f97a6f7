export { DeviceLinkChannel } from './channel.js';
export { DeviceLinkError, type DeviceLinkErrorCode } from './errors.js';
export {
  sendFiles,
  receiveFiles,
  type FileSink,
  type FileFailure,
  type ReceiveProgress,
  type ReceiveResult,
} from './file-transfer.js';
export {
  DL_EMPTY,
  DL_MAX_MAJOR,
  FileBlock,
  STREAM_END,
  asDeviceLinkMessage,
  deviceCodeForErrno,
  disconnectMessage,
  encodeFileBlock,
  encodeStreamPath,
  processMessage,
  statusResponse,
  versionsOk,
  type DeviceLinkMessage,
} from './protocol.js';
