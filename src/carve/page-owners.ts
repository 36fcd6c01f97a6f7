/**
 * Page number → index of the table whose b-tree holds the page now, in 2 bytes a page (a Map took ~60 bytes an
 * entry, and each carving worker got its own copy: a 1 GB database has 245,000 table pages). Page numbers come from
 * the file, so an absurd one (a hostile WAL frame for page 4 billion) goes to a small side map instead of growing
 * the array; the array grows only as far as the largest sound page number seen, by doubling.
 */
const DENSE_LIMIT = 1 << 24;

export interface PageOwnersData {
  dense: Uint16Array;
  sparse: Map<number, number>;
}

export class PageOwners {
  private dense: Uint16Array;
  private readonly sparse: Map<number, number>;

  constructor(data?: PageOwnersData) {
    this.dense = data?.dense ?? new Uint16Array(1024);
    this.sparse = data?.sparse ?? new Map();
  }

  /** What a worker needs to rebuild the same map (structured-cloned: 2 bytes a page). */
  data(): PageOwnersData {
    return { dense: this.dense, sparse: this.sparse };
  }

  get(pageNumber: number): number | undefined {
    if (Number.isInteger(pageNumber) && pageNumber >= 0 && pageNumber < this.dense.length) {
      const stored = this.dense[pageNumber]!;
      return stored === 0 ? undefined : stored - 1;
    }
    return this.sparse.get(pageNumber);
  }

  set(pageNumber: number, tableIndex: number): void {
    // 0 marks "no table", so indexes are stored plus one; a schema of 65,535 tables or more keeps the rest aside.
    if (!Number.isInteger(pageNumber) || pageNumber < 0 || pageNumber >= DENSE_LIMIT || tableIndex >= 0xfffe) {
      this.sparse.set(pageNumber, tableIndex);
      return;
    }
    if (pageNumber >= this.dense.length) {
      let size = this.dense.length;
      while (size <= pageNumber) size *= 2;
      const grown = new Uint16Array(Math.min(size, DENSE_LIMIT));
      grown.set(this.dense);
      this.dense = grown;
    }
    this.dense[pageNumber] = tableIndex + 1;
  }

  /** [page number, table index] pairs: the array's in page order, then the side map's. */
  *[Symbol.iterator](): IterableIterator<[number, number]> {
    for (let page = 0; page < this.dense.length; page += 1) {
      const stored = this.dense[page]!;
      if (stored !== 0) yield [page, stored - 1];
    }
    yield* this.sparse;
  }
}
