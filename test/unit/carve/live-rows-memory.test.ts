import { describe, expect, it } from 'vitest';
import { LiveFingerprints } from '../../../src/carve/live-fingerprints.js';

/** 53-bit fingerprints shaped like record-hash.ts's: a 32-bit hash times 2^21 plus 21 bits of a second one. */
function fingerprints(count: number, seed: number): number[] {
  let x = seed >>> 0;
  const next = (): number => {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    return x >>> 0;
  };
  return Array.from({ length: count }, () => next() * 0x200000 + (next() & 0x1fffff));
}

describe('live-row fingerprints', () => {
  it('finds every fingerprint added and none of 200,000 others, in 5 bytes a row', () => {
    const live = fingerprints(200_000, 7);
    const set = new LiveFingerprints();
    for (const value of live) set.add(value);
    for (const value of [0, 2 ** 53 - 1]) set.add(value);
    set.seal();
    expect(live.every((v) => set.has(v))).toBe(true);
    expect(set.has(0) && set.has(2 ** 53 - 1)).toBe(true);
    const added = new Set(live);
    const others = fingerprints(200_000, 99).filter((v) => !added.has(v));
    expect(others.filter((v) => set.has(v))).toEqual([]);
    const { high, low } = set.shared();
    expect(high.byteLength + low.byteLength).toBe(set.size * 5);
    expect(high.buffer).toBeInstanceOf(SharedArrayBuffer);
  });

  it('reads the same answers from a copy made over the shared memory (as a carving worker does)', () => {
    const values = fingerprints(5_000, 3);
    const set = new LiveFingerprints();
    for (const value of values.slice(0, 2_500)) set.add(value);
    const copy = LiveFingerprints.fromShared(set.shared());
    expect(values.map((v) => copy.has(v))).toEqual(values.map((_, i) => i < 2_500));
  });
});
