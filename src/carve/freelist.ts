import type { PageLookup } from './payload.js';

/**
 * The freelist (fileformat2 §1.5): a chain of trunk pages, each holding the next trunk's number, a leaf count,
 * then that many leaf page numbers. Leaf pages keep the bytes they had when freed (unless secure_delete is on),
 * trunk pages keep everything after their list. The walk stops at a page seen before or out of range, so a loop
 * or an absurd count cannot make it run on.
 */
export interface Freelist {
  trunks: Array<{ pageNumber: number; listEnd: number }>;
  leaves: number[];
}

export async function walkFreelist(
  firstTrunk: number,
  lookup: PageLookup,
  maxPage: number,
  usableSize: number,
): Promise<Freelist> {
  const result: Freelist = { trunks: [], leaves: [] };
  const seen = new Set<number>();
  const maxLeaves = Math.floor(usableSize / 4) - 2;
  let trunk = firstTrunk;
  while (trunk >= 1 && trunk <= maxPage && !seen.has(trunk)) {
    seen.add(trunk);
    const page = await lookup(trunk);
    if (!page) break;
    const count = Math.min(page.readUInt32BE(4), maxLeaves);
    result.trunks.push({ pageNumber: trunk, listEnd: 8 + 4 * count });
    for (let i = 0; i < count; i += 1) {
      const leaf = page.readUInt32BE(8 + 4 * i);
      if (leaf >= 1 && leaf <= maxPage && !seen.has(leaf)) {
        seen.add(leaf);
        result.leaves.push(leaf);
      }
    }
    trunk = page.readUInt32BE(0);
  }
  return result;
}
