import { CarveError } from './errors.js';
import type { TextEncoding } from './record.js';

/** The 100-byte database header (fileformat2 §1.3) fields the carver relies on. */
export interface DatabaseHeader {
  pageSize: number;
  reservedBytes: number;
  usableSize: number;
  /** In-header page count, trusted only when the "version-valid-for" number matches the change counter. */
  headerPageCount: number | null;
  firstFreelistTrunk: number;
  freelistCount: number;
  textEncoding: TextEncoding;
  /** Header byte 18/19 = 2 means WAL mode. */
  walMode: boolean;
}

const MAGIC = Buffer.from('SQLite format 3\0', 'latin1');

export function isValidPageSize(size: number): boolean {
  return size >= 512 && size <= 65536 && (size & (size - 1)) === 0;
}

export function parseDatabaseHeader(bytes: Buffer): DatabaseHeader {
  if (bytes.length < 100)
    throw new CarveError('CARVE_TRUNCATED', `database header needs 100 bytes, file has ${bytes.length}`);
  if (!bytes.subarray(0, 16).equals(MAGIC))
    throw new CarveError('CARVE_NOT_SQLITE', 'not an SQLite 3 database (bad magic)');
  const raw = bytes.readUInt16BE(16);
  // 1 stands for 65536, which does not fit two bytes.
  const pageSize = raw === 1 ? 65536 : raw;
  if (!isValidPageSize(pageSize))
    throw new CarveError('CARVE_BAD_PAGE_SIZE', `invalid page size ${raw}`, { details: { pageSize: raw } });
  const reservedBytes = bytes[20]!;
  // The format requires a usable size of at least 480 bytes.
  if (pageSize - reservedBytes < 480)
    throw new CarveError('CARVE_BAD_PAGE_SIZE', `reserved bytes ${reservedBytes} leave no usable page`);
  const changeCounter = bytes.readUInt32BE(24);
  const pageCount = bytes.readUInt32BE(28);
  const validFor = bytes.readUInt32BE(92);
  const encoding = bytes.readUInt32BE(56);
  return {
    pageSize,
    reservedBytes,
    usableSize: pageSize - reservedBytes,
    headerPageCount: pageCount > 0 && validFor === changeCounter ? pageCount : null,
    firstFreelistTrunk: bytes.readUInt32BE(32),
    freelistCount: bytes.readUInt32BE(36),
    // 0 appears in a database whose schema was never written (e.g. a WAL-only file): UTF-8 is SQLite's default.
    textEncoding: encoding === 2 || encoding === 3 ? encoding : 1,
    walMode: bytes[18] === 2 || bytes[19] === 2,
  };
}
