import { isValidPageSize } from './db-header.js';
import type { ByteSource } from './page-reader.js';

/**
 * Rollback journals (fileformat2 §3): a header padded to the sector size (magic d9d505f920a163d7, record count,
 * checksum nonce, original page count, sector size, page size), then records of a 4-byte page number, the page
 * as it was before the transaction, and a 4-byte checksum. After a commit in PERSIST mode the header is zeroed
 * but the records stay, so a journal with no valid header is still read: the sector size is then guessed as
 * the first power of two after which page numbers make sense.
 */
export interface JournalPage {
  pageNumber: number;
  /** Byte offset of the page image in the journal file. */
  pageOffset: number;
}

const MAGIC = Buffer.from('d9d505f920a163d7', 'hex');

export async function readJournal(
  source: ByteSource,
  dbPageSize: number,
  maxPageNumber: number,
): Promise<{ pageSize: number; pages: JournalPage[] }> {
  const head = await source.read(0, 28);
  let pageSize = dbPageSize;
  let sectors: number[] = [];
  if (head.length >= 28 && head.subarray(0, 8).equals(MAGIC)) {
    const sector = head.readUInt32BE(20);
    const declared = head.readUInt32BE(24);
    if (isValidPageSize(declared)) pageSize = declared;
    if (isValidPageSize(sector)) sectors = [sector];
  }
  if (sectors.length === 0) for (let s = 512; s <= 65536; s *= 2) sectors.push(s);
  const recordSize = pageSize + 8;
  const plausible = (n: number): boolean => n >= 1 && n <= maxPageNumber;
  for (const sector of sectors) {
    const pages: JournalPage[] = [];
    let at = sector;
    while (at + recordSize <= source.size) {
      const number = (await source.read(at, 4)).readUInt32BE(0);
      if (!plausible(number)) {
        // PERSIST-mode journals hold one segment per transaction, each after its own sector-aligned header.
        const nextSegment = Math.ceil(at / sector) * sector + sector;
        if (nextSegment === at || nextSegment + recordSize > source.size) break;
        const probe = (await source.read(nextSegment, 4)).readUInt32BE(0);
        if (!plausible(probe)) break;
        at = nextSegment;
        continue;
      }
      pages.push({ pageNumber: number, pageOffset: at + 4 });
      at += recordSize;
    }
    if (pages.length > 0) return { pageSize, pages };
  }
  return { pageSize, pages: [] };
}
