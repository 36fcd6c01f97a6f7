/** Apple's reference date, 2001-01-01T00:00:00Z: every iOS database counts from it. */
export const APPLE_EPOCH_MS = Date.UTC(2001, 0, 1);

/** REAL or INTEGER seconds since 2001 (Core Data ZDATE, AddressBook CreationDate); null for null/0/garbage. */
export function fromAppleSeconds(value: unknown): Date | null {
  const seconds = typeof value === 'bigint' ? Number(value) : typeof value === 'string' ? Number(value) : value;
  if (typeof seconds !== 'number' || !Number.isFinite(seconds) || seconds === 0) return null;
  const date = new Date(Math.round(APPLE_EPOCH_MS + seconds * 1000));
  return Number.isNaN(date.getTime()) ? null : date;
}

/**
 * sms.db dates: nanoseconds since 2001 from iOS 11, seconds before. A value above 10^11 cannot be seconds
 * (that would be year 5170), so the unit is told by magnitude, as iLEAPP and imessage-exporter do.
 */
export function fromAppleMessageDate(value: unknown): Date | null {
  if (value === null || value === undefined) return null;
  const raw =
    typeof value === 'bigint'
      ? value
      : typeof value === 'number' && Number.isFinite(value)
        ? BigInt(Math.trunc(value))
        : null;
  if (raw === null || raw === 0n) return null;
  const abs = raw < 0n ? -raw : raw;
  if (abs > 100_000_000_000n) return new Date(APPLE_EPOCH_MS + Number(raw / 1_000_000n));
  return fromAppleSeconds(Number(raw));
}
