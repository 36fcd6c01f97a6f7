import { createHash } from 'node:crypto';

/**
 * A small deterministic generator (sfc32 seeded from SHA-256 of the seed text), so generated device content is the
 * same on every run and every machine; Math.random would make test failures unreproducible.
 */
export class SeededRandom {
  private a: number;
  private b: number;
  private c: number;
  private d: number;

  constructor(seed: string) {
    const digest = createHash('sha256').update(seed).digest();
    this.a = digest.readUInt32LE(0);
    this.b = digest.readUInt32LE(4);
    this.c = digest.readUInt32LE(8);
    this.d = digest.readUInt32LE(12) | 1;
    for (let i = 0; i < 12; i++) this.next();
  }

  /** Uniform in [0, 1). */
  next(): number {
    const t = (((this.a + this.b) | 0) + this.d) | 0;
    this.d = (this.d + 1) | 0;
    this.a = this.b ^ (this.b >>> 9);
    this.b = (this.c + (this.c << 3)) | 0;
    this.c = (this.c << 21) | (this.c >>> 11);
    this.c = (this.c + t) | 0;
    return (t >>> 0) / 4294967296;
  }

  /** Integer in [min, max]. */
  int(min: number, max: number): number {
    return min + Math.floor(this.next() * (max - min + 1));
  }

  pick<T>(items: readonly T[]): T {
    return items[Math.floor(this.next() * items.length)]!;
  }

  chance(probability: number): boolean {
    return this.next() < probability;
  }

  /** RFC 4122-shaped upper-case UUID, as Apple writes them in guid columns. */
  uuid(): string {
    const hex = Array.from({ length: 32 }, () => this.int(0, 15).toString(16))
      .join('')
      .toUpperCase();
    return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-${'89AB'[this.int(0, 3)]}${hex.slice(17, 20)}-${hex.slice(20)}`;
  }
}

/** `count` distinct numbers in [1, total]: the rows generated and then deleted. */
export function pickDoomed(random: SeededRandom, total: number, count: number): Set<number> {
  const doomed = new Set<number>();
  while (doomed.size < Math.min(count, total)) doomed.add(random.int(1, total));
  return doomed;
}

/**
 * A 32-bit xorshift stream in [0, 1) from a number seed: cheap enough for the carver's benchmarks and tests, which
 * generate hundreds of thousands of rows and must give the same database on every run.
 */
export function xorshift32(seed: number): () => number {
  let x = seed >>> 0 || 1;
  return () => {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    return (x >>> 0) / 2 ** 32;
  };
}
