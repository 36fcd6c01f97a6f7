import { BackupError } from './errors.js';
import { entryKind, makeMatcher, type BackupFileEntry, type FileFilter } from './file-entry.js';
import { fileIdFor } from './layout.js';
import type { MbFile } from './mb-file.js';
import { readRegularFileSync } from './safe-open.js';

/** A Manifest.mbdb holds ~200 bytes per file; a file past this is not one. */
const MAX_MBDB_BYTES = 512 * 1024 * 1024;
const MAGIC = Buffer.from('mbdb\x05\x00', 'latin1');

class Truncated extends Error {}

/** Big-endian reader over the record stream; running past the end throws Truncated. */
class Cursor {
  offset = MAGIC.length;
  constructor(private readonly bytes: Buffer) {}

  private need(n: number): number {
    if (this.offset + n > this.bytes.length) throw new Truncated();
    const at = this.offset;
    this.offset += n;
    return at;
  }
  u8(): number {
    return this.bytes[this.need(1)]!;
  }
  u16(): number {
    return this.bytes.readUInt16BE(this.need(2));
  }
  u32(): number {
    return this.bytes.readUInt32BE(this.need(4));
  }
  u64(): number {
    return Number(this.bytes.readBigUInt64BE(this.need(8)));
  }
  /** u16 length + bytes; 0xFFFF means absent. */
  raw(): Buffer | undefined {
    const length = this.u16();
    if (length === 0xffff) return undefined;
    const at = this.need(length);
    return this.bytes.subarray(at, at + length);
  }
  str(): string | undefined {
    return this.raw()?.toString('utf8');
  }
}

/** Kind → the flags value Manifest.db would have used. */
const FLAGS = { file: 1, directory: 2, symlink: 4, unknown: 0 } as const;

/**
 * Parses the Manifest.mbdb of an iOS 5–9 backup (native-notes/protocols/backup-format.md "Manifest.mbdb"). Records
 * before a truncation or damage are returned; `problem` then says where reading stopped.
 */
export function parseMbdb(bytes: Buffer): { entries: BackupFileEntry[]; problem?: BackupError } {
  if (bytes.length < MAGIC.length || !bytes.subarray(0, MAGIC.length).equals(MAGIC)) {
    throw new BackupError('BACKUP_CORRUPT_MANIFEST', 'Manifest.mbdb does not start with "mbdb\\x05\\x00"');
  }
  const cursor = new Cursor(bytes);
  const entries: BackupFileEntry[] = [];
  while (cursor.offset < bytes.length) {
    const start = cursor.offset;
    try {
      const domain = cursor.str() ?? '';
      const relativePath = cursor.str() ?? '';
      const target = cursor.str();
      const digest = cursor.raw();
      const encryptionKey = cursor.raw();
      const mode = cursor.u16();
      const inode = cursor.u64();
      const userId = cursor.u32();
      const groupId = cursor.u32();
      // Three times in Unix seconds: modification, status change, birth (iphone-dataprotection's backup4.py and
      // pyiosbackup read them in this order; native-notes/protocols/backup-format.md "Manifest.mbdb").
      const lastModified = cursor.u32();
      const lastStatusChange = cursor.u32();
      const birth = cursor.u32();
      const size = cursor.u64();
      const protectionClass = cursor.u8();
      const propertyCount = cursor.u8();
      for (let i = 0; i < propertyCount; i++) {
        cursor.raw();
        cursor.raw();
      }
      const metadata: MbFile = {
        size,
        mode,
        userId,
        groupId,
        inode,
        lastModified,
        lastStatusChange,
        birth,
        protectionClass,
        encryptionKey: encryptionKey && Buffer.from(encryptionKey),
        target,
        digest: digest && Buffer.from(digest),
        relativePath,
      };
      const kind = entryKind(0, mode);
      entries.push({
        fileId: fileIdFor(domain, relativePath),
        domain,
        relativePath,
        flags: FLAGS[kind],
        kind,
        metadata,
      });
    } catch (error) {
      if (!(error instanceof Truncated)) throw error;
      return {
        entries,
        problem: new BackupError(
          'BACKUP_CORRUPT_MANIFEST',
          `Manifest.mbdb is truncated: the record at offset ${start} runs past the end (${entries.length} records read)`,
          {
            details: { offset: start, records: entries.length },
          },
        ),
      };
    }
  }
  return { entries };
}

/** Manifest.mbdb behind the same interface as ManifestDb. */
export class ManifestMbdb {
  private constructor(
    readonly path: string,
    private readonly entries: BackupFileEntry[],
    /** Set when the file is damaged: `files()` yields what was read, then throws this. */
    readonly problem: BackupError | undefined,
  ) {}

  static async open(path: string): Promise<ManifestMbdb> {
    let bytes: Buffer;
    try {
      bytes = readRegularFileSync(path, { label: 'Manifest.mbdb', maxBytes: MAX_MBDB_BYTES });
    } catch (error) {
      if (error instanceof BackupError && error.code === 'BACKUP_NOT_A_REGULAR_FILE') throw error;
      throw new BackupError('BACKUP_CORRUPT_MANIFEST', `cannot read ${path}: ${(error as Error).message}`, {
        cause: error,
      });
    }
    const { entries, problem } = parseMbdb(bytes);
    return new ManifestMbdb(path, entries, problem);
  }

  async *files(filter: FileFilter = {}): AsyncGenerator<BackupFileEntry> {
    const matches = makeMatcher(filter);
    for (const entry of this.entries) if (matches(entry)) yield entry;
    if (this.problem) throw this.problem;
  }

  get(domain: string, relativePath: string): BackupFileEntry | undefined {
    return this.entries.find((e) => e.domain === domain && e.relativePath === relativePath);
  }

  countByFlags(): Map<number, number> {
    const counts = new Map<number, number>();
    for (const e of this.entries) counts.set(e.flags, (counts.get(e.flags) ?? 0) + 1);
    return counts;
  }

  close(): void {}
}

function mbdbString(value: string | Buffer | undefined): Buffer {
  const header = Buffer.alloc(2);
  if (value === undefined) {
    header.writeUInt16BE(0xffff, 0);
    return header;
  }
  const body = typeof value === 'string' ? Buffer.from(value, 'utf8') : value;
  header.writeUInt16BE(body.length, 0);
  return Buffer.concat([header, body]);
}

/** The first bytes of every Manifest.mbdb. */
export const MBDB_HEADER: Buffer = Buffer.from(MAGIC);

/**
 * One record the way an iOS 5–9 device wrote it into Manifest.mbdb: writers stream `MBDB_HEADER` then one of these
 * per item, so a million items never sit in memory at once.
 */
export function encodeMbdbRecord(domain: string, relativePath: string, m: MbFile): Buffer {
  const fixed = Buffer.alloc(2 + 8 + 4 * 5 + 8 + 2);
  let o = fixed.writeUInt16BE(m.mode, 0);
  o = fixed.writeBigUInt64BE(BigInt(m.inode ?? 0), o);
  o = fixed.writeUInt32BE(m.userId ?? 0, o);
  o = fixed.writeUInt32BE(m.groupId ?? 0, o);
  o = fixed.writeUInt32BE(m.lastModified ?? 0, o);
  o = fixed.writeUInt32BE(m.lastStatusChange ?? m.lastModified ?? 0, o);
  o = fixed.writeUInt32BE(m.birth ?? m.lastModified ?? 0, o);
  o = fixed.writeBigUInt64BE(BigInt(m.size), o);
  o = fixed.writeUInt8(m.protectionClass ?? 0, o);
  fixed.writeUInt8(0, o);
  return Buffer.concat([
    mbdbString(domain),
    mbdbString(relativePath),
    mbdbString(m.target),
    mbdbString(m.digest),
    mbdbString(m.encryptionKey),
    fixed,
  ]);
}

/** Encodes records the way an iOS 5–9 device wrote Manifest.mbdb (for generators and tests). */
export function encodeMbdb(records: Array<{ domain: string; relativePath: string; metadata: MbFile }>): Buffer {
  return Buffer.concat([
    MBDB_HEADER,
    ...records.map(({ domain, relativePath, metadata }) => encodeMbdbRecord(domain, relativePath, metadata)),
  ]);
}
