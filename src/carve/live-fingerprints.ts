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
      // A full chunk is sorted at once, so that sealing only merges.
      if (this.pendingHigh.length > 0) sortChunk(this.pendingHigh.at(-1)!, this.pendingLow.at(-1)!, CHUNK);
      this.pendingHigh.push(new Uint32Array(CHUNK));
      this.pendingLow.push(new Uint8Array(CHUNK));
      this.filled = 0;
    }
    this.pendingHigh[this.pendingHigh.length - 1]![this.filled] = high32(value);
    this.pendingLow[this.pendingLow.length - 1]![this.filled] = low8(value);
    this.filled += 1;
  }

  /**
   * Merges the sorted chunks into shared memory; `has` works from then on. A merge needs nothing but the result
   * beside the chunks, where one sort of everything took an 8-byte key a row on top (a 1 GB database's three
   * sets: 84 MB more at the peak, which RSS keeps).
   */
  seal(): void {
    if (this.sealed) return;
    const n = this.size;
    const highs = this.pendingHigh;
    const lows = this.pendingLow;
    const counts = highs.map((_, c) => (c === highs.length - 1 ? this.filled : CHUNK));
    if (highs.length > 0) sortChunk(highs.at(-1)!, lows.at(-1)!, counts.at(-1)!);
    this.pendingHigh = [];
    this.pendingLow = [];
    this.high = new Uint32Array(new SharedArrayBuffer(n * 4));
    this.low = new Uint8Array(new SharedArrayBuffer(n));
    mergeChunks(highs, lows, counts, this.high, this.low);
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

/** One chunk's keys as doubles (40 bits: exact), reused by every chunk sort. */
const chunkKeys = new Float64Array(CHUNK);

/** Sorts a chunk's fingerprints in place, by their 40 bits (high 32, then low 8). */
function sortChunk(high: Uint32Array, low: Uint8Array, count: number): void {
  const keys = chunkKeys.subarray(0, count);
  for (let i = 0; i < count; i += 1) keys[i] = high[i]! * 256 + low[i]!;
  keys.sort();
  for (let i = 0; i < count; i += 1) {
    const key = keys[i]!;
    high[i] = Math.floor(key / 256);
    low[i] = key % 256;
  }
}

/** Merges sorted chunks into `outHigh`/`outLow` (a binary heap of chunks by their next key). */
function mergeChunks(
  highs: Uint32Array[],
  lows: Uint8Array[],
  counts: number[],
  outHigh: Uint32Array,
  outLow: Uint8Array,
): void {
  const k = highs.length;
  const next = new Int32Array(k);
  // Each chunk's next key (40 bits, exact in a double), and the heap of chunk numbers ordered by it.
  const head = new Float64Array(k);
  const heap = new Int32Array(k);
  let size = 0;
  for (let c = 0; c < k; c += 1) {
    if (counts[c]! === 0) continue;
    head[c] = highs[c]![0]! * 256 + lows[c]![0]!;
    heap[size++] = c;
  }
  const siftDown = (from: number): void => {
    let i = from;
    const c = heap[i]!;
    const key = head[c]!;
    for (;;) {
      let child = 2 * i + 1;
      if (child >= size) break;
      if (child + 1 < size && head[heap[child + 1]!]! < head[heap[child]!]!) child += 1;
      if (head[heap[child]!]! >= key) break;
      heap[i] = heap[child]!;
      i = child;
    }
    heap[i] = c;
  };
  for (let i = (size >> 1) - 1; i >= 0; i -= 1) siftDown(i);
  let at = 0;
  while (size > 0) {
    const c = heap[0]!;
    const key = head[c]!;
    outHigh[at] = Math.floor(key / 256);
    outLow[at] = key % 256;
    at += 1;
    const i = (next[c]! += 1);
    if (i < counts[c]!) head[c] = highs[c]![i]! * 256 + lows[c]![i]!;
    else heap[0] = heap[--size]!;
    if (size > 0) siftDown(0);
  }
}
