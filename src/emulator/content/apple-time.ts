/**
 * Apple's databases count time from 2001-01-01T00:00:00Z (Core Data / NSDate reference date): seconds as REAL in
 * Core Data stores (ZDATE, ZDATECREATED) and AddressBook, and nanoseconds as INTEGER in sms.db since iOS 11.
 */
export const APPLE_EPOCH_MS = Date.UTC(2001, 0, 1);

export function toAppleSeconds(date: Date): number {
  return (date.getTime() - APPLE_EPOCH_MS) / 1000;
}

export function toAppleNanoseconds(date: Date): bigint {
  return BigInt(date.getTime() - APPLE_EPOCH_MS) * 1_000_000n;
}
