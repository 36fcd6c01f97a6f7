export { carveDatabase, type CarveOptions, type CarveSummary } from './scan.js';
export type { CarvedRecord, CarveSource } from './carved-record.js';
export { UNKNOWN, isUnknown, type CarvedValue, type UnknownValue } from './record.js';
export { CarveError, type CarveErrorCode } from './errors.js';
