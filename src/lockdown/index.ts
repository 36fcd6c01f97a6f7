export { LockdownClient, type ServiceConnection, type LockdownClientOptions } from './client.js';
export { LockdownError, type LockdownErrorCode } from './errors.js';
export { PairRecordStore, defaultPairRecordDir } from './pair-record-store.js';
export { pairDevice, findPairRecord, TRUST_PROMPT, type PairOptions } from './pairing.js';
export { openLockdownSession, type LockdownSession, type SessionOptions } from './session.js';
export {
  LOCKDOWN_SERVICE_TYPE,
  describeLockdownError,
  pairRecordFromPlist,
  pairRecordToPlist,
  publicPairRecord,
  type PairRecord,
} from './protocol.js';
