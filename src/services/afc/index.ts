export { AfcClient, parseFileInfo, type AfcFileInfo, type AfcDeviceInfo, type AfcReadOptions } from './client.js';
export { AfcError, type AfcErrorCode } from './errors.js';
export { acquireSyncLock } from './sync-lock.js';
export {
  AFC_SERVICE,
  AFC_HEADER_SIZE,
  AFC_MAGIC,
  AfcOperation,
  AfcFileMode,
  AfcLock,
  AfcStatus,
  afcStatusName,
  encodeAfcPacket,
  decodeAfcHeader,
  cString,
  u64,
  splitNul,
  pairsToRecord,
  type AfcPacket,
  type AfcHeader,
} from './protocol.js';
