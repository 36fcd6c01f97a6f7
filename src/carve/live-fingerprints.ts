/**
 * The live rows' fingerprints, compact: 5 bytes a row per set, where a hash set of 53-bit numbers took 16–32 (a
 * 1 GB sms.db has ~3.7 million live rows, three fingerprints each: 192 MB of hash slots, over the whole memory
 * budget). Each 53-bit fingerprint keeps 40 of its bits — the top 32 and the low 8 — appended while the b-trees are
 * walked, then sorted once (`seal`) and searched by bisection. Two different rows agree on 40 bits with chance
 * 2^-40 per comparison: with 4 million live rows, one deleted record in ~270,000 would be taken for a live copy.
 *
 * Sealed arrays live in SharedArrayBuffers, so carving workers read the same memory (`shared`/`fromShared`).
 */
const CHUNK = 1 << 16;

export interface SharedFingerprints {
  high: Uint32Array;
  low: Uint8Array;
}

function high32(value: number): number {
  return Math.floor(value / 2 ** 21) >>> 0;
}

function low8(value: number): number {
  return value % 256;
}

export class LiveFingerprints {
  private high: Uint32Array<ArrayBufferLike> = new Uint32Array(0);
  private low: Uint8Array<ArrayBufferLike> = new Uint8Array(0);
  private pendingHigh: Uint32Array[] = [];
  private pendingLow: Uint8Array[] = [];
  private filled = CHUNK;
  private sealed = false;

  static fromShared(shared: SharedFingerprints): LiveFingerprints {
    const set = new LiveFingerprints();
    set.high = shared.high;
    set.low = shared.low;
    set.sealed = true;
    return set;
  }

  get size(): number {
    return this.sealed ? this.high.length : this.pendingHigh.length * CHUNK - (CHUNK - this.filled);
  }

  /** `value`: a non-negative fingerprint below 2^53. Only before `seal`. */
  add(value: number): void {
    if (this.sealed) throw new Error('LiveFingerprints.add after seal');
    if (this.filled === CHUNK) {
      this.pendingHigh.push(new Uint32Array(CHUNK));
      this.pendingLow.push(new Uint8Array(CHUNK));
      this.filled = 0;
    }
    this.pendingHigh[this.pendingHigh.length - 1]![this.filled] = high32(value);
    this.pendingLow[this.pendingLow.length - 1]![this.filled] = low8(value);
    this.filled += 1;
  }

  /** Sorts what was added into shared memory; `has` works from then on. */
  seal(): void {
    if (this.sealed) return;
    const n = this.size;
    // Sorted as one 40-bit number (exact in a double), then split back; the chunks go as they are copied.
    const keys = new Float64Array(n);
    let at = 0;
    for (let c = 0; c < this.pendingHigh.length; c += 1) {
      const high = this.pendingHigh[c]!;
      const low = this.pendingLow[c]!;
      const count = c === this.pendingHigh.length - 1 ? this.filled : CHUNK;
      for (let i = 0; i < count; i += 1) keys[at++] = high[i]! * 256 + low[i]!;
    }
    this.pendingHigh = [];
    this.pendingLow = [];
    keys.sort();
    this.high = new Uint32Array(new SharedArrayBuffer(n * 4));
    this.low = new Uint8Array(new SharedArrayBuffer(n));
    for (let i = 0; i < n; i += 1) {
      const key = keys[i]!;
      this.high[i] = Math.floor(key / 256);
      this.low[i] = key % 256;
    }
    this.sealed = true;
  }

  has(value: number): boolean {
    if (!this.sealed) this.seal();
    const h = high32(value);
    const l = low8(value);
    let lo = 0;
    let hi = this.high.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      const m = this.high[mid]!;
      if (m < h || (m === h && this.low[mid]! < l)) lo = mid + 1;
      else hi = mid;
    }
    return lo < this.high.length && this.high[lo] === h && this.low[lo] === l;
  }

  shared(): SharedFingerprints {
    this.seal();
    return { high: this.high, low: this.low };
  }
}
