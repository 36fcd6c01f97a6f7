/**
 * A set of 53-bit fingerprints in one Float64Array (open addressing, linear probing). A JS Set of numbers above
 * 2^31 boxes every one of them; a real sms.db has hundreds of thousands of live rows, three fingerprints each.
 */
export class NumberSet {
  private slots: Float64Array;
  private shift: number;
  private count = 0;

  /** `expected`: how many values are likely, so that the table rarely has to grow. */
  constructor(expected = 4096) {
    const bits = Math.min(21, Math.max(10, Math.ceil(Math.log2((expected * 4) / 3 + 1))));
    this.slots = new Float64Array(2 ** bits);
    this.shift = 32 - bits;
  }

  get size(): number {
    return this.count;
  }

  add(value: number): void {
    // 0 marks an empty slot, so the fingerprint 0 is stored as the (otherwise impossible) -1.
    const key = value === 0 ? -1 : value;
    // Up to three quarters full: a carve's emitter keeps four of these, one entry per record reported in each (a
    // 1 GB sms.db: 300,000 records), and at half full they were 32 MB of its peak; probes stay short at 3/4.
    if ((this.count + 1) * 4 > this.slots.length * 3) this.grow();
    const mask = this.slots.length - 1;
    let i = this.slotOf(key);
    for (;;) {
      const slot = this.slots[i]!;
      if (slot === key) return;
      if (slot === 0) {
        this.slots[i] = key;
        this.count += 1;
        return;
      }
      i = (i + 1) & mask;
    }
  }

  has(value: number): boolean {
    const key = value === 0 ? -1 : value;
    const mask = this.slots.length - 1;
    let i = this.slotOf(key);
    for (;;) {
      const slot = this.slots[i]!;
      if (slot === key) return true;
      if (slot === 0) return false;
      i = (i + 1) & mask;
    }
  }

  /** Fibonacci hashing of both halves: the top bits of the product spread clustered fingerprints. */
  private slotOf(key: number): number {
    return Math.imul((key >>> 0) ^ Math.imul((key / 4294967296) | 0, 0x85ebca6b), 0x9e3779b1) >>> this.shift;
  }

  private grow(): void {
    const old = this.slots;
    this.slots = new Float64Array(old.length * 2);
    this.shift -= 1;
    this.count = 0;
    for (let i = 0; i < old.length; i += 1) {
      const slot = old[i]!;
      if (slot !== 0) this.add(slot === -1 ? 0 : slot);
    }
  }
}
