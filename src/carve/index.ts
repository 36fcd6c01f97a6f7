export {
  carveDatabase,
  carveDatabaseJsonLines,
  type CarveOptions,
  type CarvePhase,
  type CarveSummary,
} from './scan.js';
export { CarvedJsonLineEncoder } from './record-json.js';
export type { CarvedRecord, CarveSource } from './carved-record.js';
export { UNKNOWN, isUnknown, type CarvedValue, type UnknownValue } from './record.js';
export { CarveError, type CarveErrorCode } from './errors.js';
