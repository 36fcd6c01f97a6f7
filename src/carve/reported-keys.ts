import { LiveFingerprints } from './live-fingerprints.js';
import { NumberSet } from './number-set.js';

/**
 * Keys of what the emitter reported (scan.ts), asked about only once every whole record is out: whether a record
 * that lost its first column, or whose texts were cut, was already reported whole. Every whole record adds its keys,
 * so they are kept as compactly as the live rows' fingerprints (5 bytes each, live-fingerprints.ts; a 1 GB sms.db
 * reports 300,000 records, and three hash sets of their keys were 12–24 MB of its peak). A key added while the held
 * records go out (`addLater`) goes to a small hash set beside them.
 */
export class ReportedKeys {
  private readonly whole = new LiveFingerprints();
  private readonly later = new NumberSet(256);

  /** A key of a whole record; only before the first `has`. */
  add(key: number): void {
    this.whole.add(key);
  }

  addLater(key: number): void {
    this.later.add(key);
  }

  has(key: number): boolean {
    return this.whole.has(key) || this.later.has(key);
  }
}
