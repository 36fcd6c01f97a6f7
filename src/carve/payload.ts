import type { TableLeafCell } from './cell.js';
import { rawRecord, type RawRecord } from './raw-record.js';

/** Reads a page of the database as it stood for the record being assembled; null when there is no such page. */
export type PageLookup = (pageNumber: number) => Promise<Buffer | null>;

/**
 * A record's whole payload: the local part from its page, then the overflow chain (fileformat2 §1.6 "Cell
 * Payload Overflow Pages": each overflow page starts with the next page number, 0 ending the chain, then
 * usable−4 bytes of payload). The chain is followed only as far as the payload needs, never through a page twice,
 * so a loop or an absurd length ends it. `complete` is false when the chain broke or a later cell overwrote the
 * record's end (`knownEnd`); the bytes read so far are kept.
 */
export async function assemblePayload(
  record: RawRecord,
  lookup: PageLookup,
  usableSize: number,
): Promise<{ payload: Buffer; complete: boolean }> {
  const localEnd = Math.min(record.payloadStart + record.localSize, record.knownEnd ?? Infinity, record.page.length);
  const local = record.page.subarray(record.payloadStart, localEnd);
  if (record.localSize >= record.payloadSize || record.knownEnd !== undefined)
    return { payload: local, complete: local.length === record.payloadSize };
  const parts: Buffer[] = [local];
  let have = local.length;
  let next = record.firstOverflowPage;
  const seen = new Set<number>();
  while (have < record.payloadSize && next !== 0 && !seen.has(next)) {
    seen.add(next);
    const page = await lookup(next);
    if (!page || page.length < usableSize) break;
    const take = Math.min(usableSize - 4, record.payloadSize - have);
    parts.push(page.subarray(4, 4 + take));
    have += take;
    next = page.readUInt32BE(0);
  }
  return { payload: Buffer.concat(parts, have), complete: have === record.payloadSize };
}

/**
 * A live cell's whole payload (its local part, then its overflow chain): for records read, not carved. With
 * `maxBytes`, the overflow chain is followed only until that many bytes are in hand (the local part always comes
 * whole): for a caller that reads the first columns only.
 */
export async function cellPayload(
  page: Buffer,
  cell: TableLeafCell,
  lookup: PageLookup,
  usableSize: number,
  maxBytes = Number.POSITIVE_INFINITY,
): Promise<Buffer> {
  const record = rawRecord(
    page,
    0,
    cell.payloadStart,
    Math.min(cell.payloadSize, maxBytes),
    cell.localSize,
    cell.firstOverflowPage,
    0,
    [],
    -1,
    cell.rowid,
    cell.end,
    [],
    'cell',
  );
  return (await assemblePayload(record, lookup, usableSize)).payload;
}
