import { execFileSync } from 'node:child_process';
import { copyFileSync, existsSync } from 'node:fs';
import { lstat, mkdir, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import {
  decodeMbFile,
  decryptBuffer,
  encodeMbdb,
  encodeMbFile,
  encryptBuffer,
  fileIdFor,
  parseMbdb,
  type MbFile,
} from '../../src/backup/index.js';
import type { SeededRandom } from '../../src/emulator/content/index.js';
import {
  isPlistDict,
  parsePlist,
  toBinaryPlist,
  toXmlPlist,
  type PlistDict,
  type PlistValue,
} from '../../src/plist/index.js';
import type { Sample, SampleFile } from './fuzz-sample.js';
import { cyclicBinaryPlist, deepBinaryPlist, deepXmlPlist } from './plist-bombs.js';
import { corruptSqlite, editSqliteValues } from './mutate-sqlite.js';

/** A mutation that an earlier one of the same iteration made pointless (its file deleted, or now a FIFO). */
export class NotApplicable extends Error {}

/** Reads a file of the backup copy, refusing anything but a regular file (a FIFO planted by a mutation blocks). */
export async function readStored(path: string): Promise<Buffer> {
  const stats = await lstat(path).catch(() => undefined);
  if (stats === undefined || !stats.isFile())
    throw new NotApplicable(`${path} is ${stats === undefined ? 'gone' : 'not a regular file'}`);
  return readFile(path);
}

/** Writes a file of the backup copy, never through a link or into a FIFO a mutation planted there. */
export async function writeStored(path: string, bytes: Buffer | string): Promise<void> {
  const stats = await lstat(path).catch(() => undefined);
  if (stats !== undefined && !stats.isFile()) throw new NotApplicable(`${path} is not a regular file`);
  await writeFile(path, bytes);
}

/** A plist of the backup copy, decoded (an earlier mutation may have made it unreadable). */
async function readPlist(path: string): Promise<PlistValue> {
  const bytes = await readStored(path);
  try {
    return parsePlist(bytes);
  } catch (error) {
    throw new NotApplicable(`${path} no longer parses: ${(error as Error).message}`);
  }
}

/** What one iteration's mutations work on: a fresh copy of a sample backup inside the iteration's folder. */
export class MutationContext {
  private manifestDb?: Database.Database;
  private manifestCopy?: string;
  private readonly plainNow = new Map<string, Buffer>();

  constructor(
    readonly random: SeededRandom,
    readonly sample: Sample,
    /** The copy being mutated. */
    readonly backup: string,
    /** The iteration's folder (the backup copy and the outputs are inside it): where hostile absolute paths point. */
    readonly sentinel: string,
    /** A private folder for edits (the plain Manifest.db, databases being rewritten). */
    readonly scratch: string,
  ) {}

  /** The plain Manifest.db, opened for writing; written back (encrypted again when the sample is) by flushManifest. */
  manifest(): Database.Database {
    if (this.sample.plainManifest === undefined) throw new NotApplicable('this sample has no Manifest.db');
    if (this.manifestDb === undefined) {
      this.manifestCopy = join(this.scratch, 'Manifest.db');
      copyFileSync(this.sample.plainManifest, this.manifestCopy);
      this.manifestDb = new Database(this.manifestCopy);
    }
    return this.manifestDb;
  }

  async flushManifest(): Promise<void> {
    if (this.manifestDb === undefined) return;
    this.manifestDb.close();
    this.manifestDb = undefined;
    const plain = await readFile(this.manifestCopy!);
    await writeStored(
      join(this.backup, 'Manifest.db'),
      this.sample.manifestKey ? encryptBuffer(this.sample.manifestKey, plain) : plain,
    );
  }

  /** A file's current decrypted contents (the sample's, until a plaintext mutation rewrote it). */
  plain(file: SampleFile): Buffer {
    return this.plainNow.get(file.fileId) ?? file.plain;
  }

  /** Stores new contents for a file, encrypted with its own key when the sample is encrypted. */
  async writePlain(file: SampleFile, bytes: Buffer): Promise<void> {
    this.plainNow.set(file.fileId, bytes);
    await writeStored(join(this.backup, file.dataPath), file.key ? encryptBuffer(file.key, bytes) : bytes);
  }

  pickFile(filter: (f: SampleFile) => boolean = () => true): SampleFile {
    const files = this.sample.files.filter(filter);
    return this.random.pick(files.length > 0 ? files : this.sample.files);
  }

  int(min: number, max: number): number {
    return this.random.int(min, max);
  }

  bytes(n: number): Buffer {
    return Buffer.from(Array.from({ length: n }, () => this.random.int(0, 255)));
  }
}

export interface Mutation {
  name: string;
  /** The manifest formats it applies to (default: both). */
  formats?: ReadonlyArray<Sample['format']>;
  /** Applies itself and says exactly what it did (the seed replays it; the words let a person read it). */
  apply(context: MutationContext): Promise<string>;
}

/** Flips, overwrites, truncates or extends a buffer; says what it did. */
export function damageBytes(context: MutationContext, input: Buffer): { bytes: Buffer; what: string } {
  const bytes = Buffer.from(input);
  const kind = context.int(0, 4);
  if (bytes.length === 0 || kind === 3) {
    const extra = context.bytes(context.int(1, 600));
    return { bytes: Buffer.concat([bytes, extra]), what: `appended ${extra.length} random bytes` };
  }
  if (kind === 0) {
    const flips = context.int(1, 8);
    const at: number[] = [];
    for (let i = 0; i < flips; i++) {
      const offset = context.int(0, bytes.length - 1);
      bytes[offset]! ^= 1 << context.int(0, 7);
      at.push(offset);
    }
    return { bytes, what: `flipped bits at ${at.join(',')}` };
  }
  if (kind === 1) {
    const length = context.int(0, bytes.length - 1);
    return { bytes: bytes.subarray(0, length), what: `truncated ${input.length} → ${length} bytes` };
  }
  if (kind === 2) {
    const offset = context.int(0, bytes.length - 1);
    const run = context.bytes(Math.min(context.int(1, 64), bytes.length - offset));
    run.copy(bytes, offset);
    return { bytes, what: `overwrote ${run.length} bytes at ${offset}` };
  }
  const offset = context.int(0, bytes.length - 1);
  const value = context.random.pick([0x00, 0xff, 0x7f, 0x80]);
  const run = Math.min(context.int(1, 16), bytes.length - offset);
  bytes.fill(value, offset, offset + run);
  return { bytes, what: `filled ${run} bytes at ${offset} with 0x${value.toString(16)}` };
}

// ---------------------------------------------------------------------------------------------------------------
// Manifest.db rows

interface Row {
  rowid: number;
  fileID: unknown;
  domain: unknown;
  relativePath: unknown;
  flags: unknown;
  file: unknown;
}

function rows(db: Database.Database): Row[] {
  try {
    const all = db
      .prepare('SELECT rowid, fileID, domain, relativePath, flags, file FROM Files ORDER BY rowid')
      .all() as Row[];
    if (all.length === 0) throw new NotApplicable('Manifest.db has no rows left');
    return all;
  } catch (error) {
    if (error instanceof NotApplicable) throw error;
    throw new NotApplicable(`Manifest.db no longer has its Files table: ${(error as Error).message}`);
  }
}

/** A row, mostly one of a database or a media file (what extractors read), sometimes any. */
function pickRow(context: MutationContext): Row {
  const all = rows(context.manifest());
  const interesting = all.filter((r) => r.flags === 1);
  return context.random.pick(context.random.chance(0.8) && interesting.length > 0 ? interesting : all);
}

function label(row: Row): string {
  return `${String(row.domain)}/${String(row.relativePath)}`;
}

/** Values a hostile manifest may hold in a text column. */
function hostileText(context: MutationContext, other: Row): unknown {
  return context.random.pick<() => unknown>([
    () => '..',
    () => '../../escaped-by-fuzz',
    () => `Library/${'../'.repeat(context.int(1, 6))}escaped-by-fuzz`,
    () => join(context.sentinel, 'escaped-by-fuzz'),
    () => '/etc/passwd',
    () => 'C:\\Windows\\fuzz',
    () => '\\\\server\\share',
    () => '',
    () => 'x\0y',
    () => 'é'.repeat(context.int(1, 200)),
    () => 'a/'.repeat(context.int(100, 5000)),
    () => 'h'.repeat(context.int(10_000, 300_000)),
    () => other.domain,
    () => other.relativePath,
    () => null,
    () => context.int(-5, 5),
    () => context.bytes(8),
  ])();
}

const manifestRows: Mutation[] = [
  {
    name: 'row-blob-bytes',
    async apply(context) {
      const row = pickRow(context);
      const blob = Buffer.isBuffer(row.file) ? row.file : Buffer.alloc(0);
      const { bytes, what } = damageBytes(context, blob);
      context.manifest().prepare('UPDATE Files SET file = ? WHERE rowid = ?').run(bytes, row.rowid);
      return `Manifest.db row ${label(row)}: file blob ${what}`;
    },
  },
  {
    name: 'row-blob-replaced',
    async apply(context) {
      const row = pickRow(context);
      const [what, value] = context.random.pick<() => [string, unknown]>([
        () => ['NULL', null],
        () => ['empty blob', Buffer.alloc(0)],
        () => ['text', 'not an archive'],
        () => ['integer', 42],
        () => ['random bytes', context.bytes(context.int(1, 300))],
        () => ['a bplist array', toBinaryPlist([1, 2, 3])],
        () => [
          'an archive whose root is a string',
          toBinaryPlist({ $archiver: 'NSKeyedArchiver', $version: 100000, $top: { root: 'x' }, $objects: ['$null'] }),
        ],
        () => ['a deeply nested bplist', deepBinaryPlist(context.int(1000, 60_000))],
        () => ['a self-containing bplist', cyclicBinaryPlist(context.random.pick(['array', 'dict'] as const))],
        () => ["another row's blob", context.random.pick(rows(context.manifest())).file],
      ])();
      context
        .manifest()
        .prepare('UPDATE Files SET file = ? WHERE rowid = ?')
        .run(value as Buffer, row.rowid);
      return `Manifest.db row ${label(row)}: file = ${what}`;
    },
  },
  {
    name: 'row-mbfile-fields',
    async apply(context) {
      const row = pickRow(context);
      if (!Buffer.isBuffer(row.file)) return `Manifest.db row ${label(row)}: no blob to edit`;
      const file: MbFile & { relativePath: string } = {
        relativePath: String(row.relativePath),
        ...decodeMbFile(row.file),
      };
      const edits = context.random.pick<() => [string, Partial<MbFile>]>([
        () => {
          const size = context.random.pick([
            0,
            1,
            file.size - 1,
            file.size + 1,
            file.size * 2,
            2 ** 31,
            2 ** 40,
            Number.MAX_SAFE_INTEGER,
          ]);
          return [`Size ${size}`, { size }];
        },
        () => {
          const mode = context.random.pick([0, 0o40755, 0o120755, 0o20644, 0o10644, 0o140644, 0xffffffff]);
          return [`Mode 0o${mode.toString(8)}`, { mode }];
        },
        () => {
          const protectionClass = context.random.pick([0, 5, 11, 12, 99, 2 ** 31]);
          return [`ProtectionClass ${protectionClass}`, { protectionClass }];
        },
        () => {
          const n = context.random.pick([0, 4, 43, 45, 80]);
          return [`EncryptionKey of ${n} bytes`, { encryptionKey: context.bytes(n) }];
        },
        () => ['EncryptionKey of 44 random bytes', { encryptionKey: context.bytes(44) }],
        () => {
          const key = Buffer.from(file.encryptionKey ?? context.bytes(44));
          key.writeUInt32LE(context.random.pick([0, 7, 99]), 0);
          return ['EncryptionKey class prefix changed', { encryptionKey: key, protectionClass: undefined }];
        },
        () => ['Target ../../etc', { target: '../../etc', mode: 0o120755 }],
        () => {
          const seconds = context.random.pick([-1, 2 ** 31, 2 ** 53 - 1, -(2 ** 53 - 1)]);
          return [
            `LastModified and Birth ${seconds}`,
            { lastModified: seconds, birth: seconds, lastStatusChange: seconds },
          ];
        },
      ])();
      context
        .manifest()
        .prepare('UPDATE Files SET file = ? WHERE rowid = ?')
        .run(encodeMbFile({ ...file, ...edits[1] }), row.rowid);
      return `Manifest.db row ${label(row)}: MBFile ${edits[0]}`;
    },
  },
  {
    name: 'row-flags',
    async apply(context) {
      const row = pickRow(context);
      const flags = context.random.pick<unknown>([
        0,
        2,
        3,
        4,
        5,
        7,
        8,
        255,
        -1,
        2 ** 40,
        1.5,
        'file',
        null,
        Buffer.from([1]),
      ]);
      context
        .manifest()
        .prepare('UPDATE Files SET flags = ? WHERE rowid = ?')
        .run(flags as number, row.rowid);
      return `Manifest.db row ${label(row)}: flags = ${JSON.stringify(Buffer.isBuffer(flags) ? 'blob' : flags)}`;
    },
  },
  {
    name: 'row-file-id',
    async apply(context) {
      const db = context.manifest();
      const row = pickRow(context);
      const other = context.random.pick(rows(db).filter((r) => r.rowid !== row.rowid));
      const kind = context.int(0, 2);
      if (kind === 0) {
        // Two rows trade data files: each reads the other's bytes (and, encrypted, with the wrong key).
        db.transaction(() => {
          db.prepare('UPDATE Files SET fileID = ? WHERE rowid = ?').run('swap', row.rowid);
          db.prepare('UPDATE Files SET fileID = ? WHERE rowid = ?').run(row.fileID, other.rowid);
          db.prepare('UPDATE Files SET fileID = ? WHERE rowid = ?').run(other.fileID, row.rowid);
        })();
        return `Manifest.db rows ${label(row)} and ${label(other)}: fileIDs swapped`;
      }
      if (kind === 1) {
        // The primary key is case-sensitive, the reader lower-cases: two rows then name one data file.
        db.prepare('UPDATE Files SET fileID = ? WHERE rowid = ?').run(String(other.fileID).toUpperCase(), row.rowid);
        return `Manifest.db row ${label(row)}: fileID = ${label(other)}'s in upper case`;
      }
      const value = context.random.pick<unknown>([
        '../../../../etc/passwd',
        'zz',
        '',
        'g'.repeat(40),
        `${String(row.fileID)}0`,
        String(row.fileID).slice(1),
        12345,
        null,
        context.bytes(20),
      ]);
      db.prepare('UPDATE Files SET fileID = ? WHERE rowid = ?').run(value as string, row.rowid);
      return `Manifest.db row ${label(row)}: fileID = ${Buffer.isBuffer(value) ? 'a 20-byte blob' : JSON.stringify(value)}`;
    },
  },
  {
    name: 'row-path',
    async apply(context) {
      const db = context.manifest();
      const row = pickRow(context);
      const other = context.random.pick(rows(db));
      const column = context.random.pick(['domain', 'relativePath'] as const);
      const value = hostileText(context, other);
      db.prepare(`UPDATE Files SET ${column} = ? WHERE rowid = ?`).run(value as string, row.rowid);
      const shown =
        typeof value === 'string'
          ? value.length > 60
            ? `${JSON.stringify(value.slice(0, 20))}… (${value.length} chars)`
            : JSON.stringify(value)
          : Buffer.isBuffer(value)
            ? 'a blob'
            : String(value);
      return `Manifest.db row ${label(row)}: ${column} = ${shown}`;
    },
  },
  {
    name: 'row-duplicate',
    async apply(context) {
      // Another row with the same domain and path: which one a lookup finds is the manifest's choice.
      const row = pickRow(context);
      const file = context.random.chance(0.5) && Buffer.isBuffer(row.file) ? row.file : context.bytes(30);
      const fileID = context.random.chance(0.5)
        ? fileIdFor('fuzz', String(context.int(0, 1e9)))
        : cryptoHexLike(context);
      context
        .manifest()
        .prepare('INSERT INTO Files (fileID, domain, relativePath, flags, file) VALUES (?, ?, ?, ?, ?)')
        .run(fileID, row.domain, row.relativePath, row.flags, file);
      return `Manifest.db: a second row for ${label(row)} (fileID ${fileID}, ${file === row.file ? 'same' : 'random'} metadata)`;
    },
  },
  {
    name: 'row-delete',
    async apply(context) {
      const db = context.manifest();
      const victims = Array.from({ length: context.int(1, 4) }, () => pickRow(context));
      for (const v of victims) db.prepare('DELETE FROM Files WHERE rowid = ?').run(v.rowid);
      return `Manifest.db: deleted rows ${victims.map(label).join(', ')}`;
    },
  },
  {
    name: 'row-missing-data',
    async apply(context) {
      // A row whose data file is not in the backup: next to a database (a -shm or -journal the extractor copies),
      // or a fresh path.
      const base = context.pickFile((f) => f.sqlite === 'database');
      const relativePath = context.random.pick([
        `${base.relativePath}-shm`,
        `${base.relativePath}-journal`,
        `${base.relativePath}-wal`,
        `Library/fuzz-${context.int(0, 999)}`,
      ]);
      const size = context.random.pick([0, 1, 4096, 2 ** 20 + 1]);
      const fileID = fileIdFor(base.domain, relativePath);
      const metadata = encodeMbFile({
        relativePath,
        size,
        mode: 0o100644,
        protectionClass: 3,
        ...(context.sample.encrypted ? { encryptionKey: context.bytes(44) } : {}),
      });
      context
        .manifest()
        .prepare('INSERT OR REPLACE INTO Files (fileID, domain, relativePath, flags, file) VALUES (?, ?, ?, 1, ?)')
        .run(fileID, base.domain, relativePath, metadata);
      return `Manifest.db: row for ${base.domain}/${relativePath} (Size ${size}) whose data file is missing`;
    },
  },
  {
    name: 'manifest-schema',
    async apply(context) {
      const db = context.manifest();
      const edit = context.random.pick([
        'ALTER TABLE Files RENAME COLUMN flags TO flagz',
        'ALTER TABLE Files RENAME COLUMN file TO metadata',
        'ALTER TABLE Files RENAME TO Files2',
        'DROP TABLE Files',
        'DELETE FROM Files',
        'DROP INDEX FilesDomainIdx',
      ]);
      db.exec(edit);
      return `Manifest.db: ${edit}`;
    },
  },
];

function cryptoHexLike(context: MutationContext): string {
  return context.bytes(20).toString('hex');
}

// ---------------------------------------------------------------------------------------------------------------
// Manifest.db bytes, plists, data files

const PLISTS = ['Info.plist', 'Status.plist', 'Manifest.plist'] as const;

/** Byte ranges of the keybag's ITER and DPIC values inside Manifest.plist: see plistBytes. */
function keybagCostRanges(plist: Buffer): Array<[number, number]> {
  const ranges: Array<[number, number]> = [];
  for (const tag of ['ITER', 'DPIC']) {
    for (let at = plist.indexOf(tag, 0, 'latin1'); at >= 0; at = plist.indexOf(tag, at + 1, 'latin1'))
      ranges.push([at + 4, at + 12]);
  }
  return ranges;
}

async function replaceWithOddFile(context: MutationContext, path: string, name: string): Promise<string> {
  await rm(path, { recursive: true, force: true });
  const kind = context.int(0, 2);
  if (kind === 0) {
    await mkdir(path);
    return `${name} replaced by a folder`;
  }
  if (kind === 1) {
    // A link to a file outside the backup: never to be read, nor copied out.
    const secret = join(context.sentinel, 'secret.txt');
    if (!existsSync(secret)) await writeFile(secret, 'not part of the backup\n');
    await symlink(secret, path);
    return `${name} replaced by a symlink to a file outside the backup`;
  }
  execFileSync('mkfifo', [path]);
  return `${name} replaced by a FIFO`;
}

const files: Mutation[] = [
  {
    name: 'manifest-db-bytes',
    formats: ['db'],
    async apply(context) {
      await context.flushManifest();
      const path = join(context.backup, 'Manifest.db');
      const current = await readStored(path);
      if (context.sample.manifestKey && context.random.chance(0.6)) {
        // Page-level damage under the encryption, so the decrypted file is still SQLite, but a damaged one.
        let plain: Buffer;
        try {
          plain = decryptBuffer(context.sample.manifestKey, current);
        } catch (error) {
          throw new NotApplicable(`Manifest.db no longer decrypts: ${(error as Error).message}`);
        }
        const { bytes, what } = corruptSqlite(context, plain);
        await writeStored(path, encryptBuffer(context.sample.manifestKey, bytes));
        return `Manifest.db (under the encryption): ${what}`;
      }
      const { bytes, what } = context.random.chance(0.5)
        ? corruptSqlite(context, current)
        : damageBytes(context, current);
      await writeStored(path, bytes);
      return `Manifest.db bytes: ${what}`;
    },
  },
  {
    name: 'plist-bytes',
    async apply(context) {
      const name = context.random.pick(PLISTS);
      const path = join(context.backup, name);
      const current = await readStored(path);
      const { bytes, what } = damageBytes(context, current);
      // A keybag may ask for up to 10,000,000 SHA-1 and 100,000,000 SHA-256 rounds (keybag.ts MAX_ITER/MAX_DPIC, a
      // real one uses 10,000,000 SHA-256): a flip there costs minutes of PBKDF2 by design, not by bug. Put those back.
      for (const [from, to] of name === 'Manifest.plist' ? keybagCostRanges(current) : []) {
        if (bytes.length >= to) current.copy(bytes, from, from, to);
      }
      await writeStored(path, bytes);
      return `${name}: ${what}`;
    },
  },
  {
    name: 'plist-replaced',
    async apply(context) {
      const name = context.random.pick(PLISTS);
      const path = join(context.backup, name);
      const [what, bytes] = context.random.pick<() => [string, Buffer | null]>([
        () => ['an array', toBinaryPlist([1, 'two', { three: 3 }])],
        () => ['an XML string', Buffer.from(toXmlPlist('x'.repeat(100_000)))],
        () => ['a huge binary string', toBinaryPlist('y'.repeat(context.int(100_000, 2_000_000)))],
        () => ['deep XML nesting', deepXmlPlist(context.int(1000, 100_000))],
        () => ['deep binary nesting', deepBinaryPlist(context.int(1000, 100_000))],
        () => ['a self-containing binary plist', cyclicBinaryPlist(context.random.pick(['array', 'dict'] as const))],
        () => ['an empty file', Buffer.alloc(0)],
        () => ['an empty dict', toBinaryPlist({})],
        () => ['random bytes', context.bytes(context.int(1, 2000))],
        () => ['nothing (deleted)', null],
      ])();
      if (bytes === null) await rm(path, { recursive: true, force: true });
      else await writeStored(path, bytes);
      return `${name} replaced by ${what}`;
    },
  },
  {
    name: 'plist-types',
    async apply(context) {
      const name = context.random.pick(PLISTS);
      const path = join(context.backup, name);
      const raw = await readPlist(path);
      if (!isPlistDict(raw)) return `${name}: not a dict, left alone`;
      const keys = Object.keys(raw);
      const key = context.random.chance(0.3)
        ? context.random.pick(['IsEncrypted', 'BackupKeyBag', 'ManifestKey', 'Lockdown', 'SnapshotState'])
        : context.random.pick(keys);
      const value = context.random.pick<() => PlistValue>([
        () => 'a string',
        () => 'z'.repeat(context.int(1000, 300_000)),
        () => -1,
        () => 2n ** 63n - 1n,
        () => true,
        () => false,
        () => [raw[key] ?? 'x', 'y'],
        () => ({ nested: raw[key] ?? 'x' }),
        () => context.bytes(context.int(0, 64)),
        () => new Date(8.64e15),
      ])();
      const edited: PlistDict = { ...raw, [key]: value };
      await writeStored(path, name === 'Info.plist' ? Buffer.from(toXmlPlist(edited)) : toBinaryPlist(edited));
      const shown =
        typeof value === 'string' && value.length > 40
          ? `a ${value.length}-char string`
          : Buffer.isBuffer(value)
            ? `${value.length} random bytes`
            : typeof value === 'bigint'
              ? `${value}`
              : JSON.stringify(value);
      return `${name}: ${key} = ${shown}`;
    },
  },
  {
    name: 'keybag',
    async apply(context) {
      const path = join(context.backup, 'Manifest.plist');
      const raw = await readPlist(path);
      if (!isPlistDict(raw) || !Buffer.isBuffer(raw.BackupKeyBag)) return 'Manifest.plist: no keybag, left alone';
      const { bytes, what } = damageKeybag(context, raw.BackupKeyBag);
      await writeStored(path, toBinaryPlist({ ...raw, BackupKeyBag: bytes }));
      return `Manifest.plist BackupKeyBag: ${what}`;
    },
  },
  {
    name: 'plist-odd-file',
    async apply(context) {
      const name = context.random.pick([
        ...PLISTS,
        context.sample.format === 'db' ? 'Manifest.db' : 'Manifest.mbdb',
      ] as const);
      if (name === 'Manifest.db') await context.flushManifest();
      return replaceWithOddFile(context, join(context.backup, name), name);
    },
  },
  {
    name: 'data-bytes',
    async apply(context) {
      const file = context.pickFile((f) => (context.random.chance(0.6) ? f.sqlite !== null : true));
      const path = join(context.backup, file.dataPath);
      const { bytes, what } = damageBytes(context, await readStored(path));
      await writeStored(path, bytes);
      return `${file.domain}/${file.relativePath} stored bytes: ${what}`;
    },
  },
  {
    name: 'data-plain-bytes',
    async apply(context) {
      // The same, under the encryption: the decrypted bytes are what is damaged.
      const file = context.pickFile((f) => f.sqlite === null);
      const { bytes, what } = damageBytes(context, context.plain(file));
      await context.writePlain(file, bytes);
      return `${file.domain}/${file.relativePath} contents: ${what}`;
    },
  },
  {
    name: 'data-emptied',
    async apply(context) {
      const file = context.pickFile();
      const path = join(context.backup, file.dataPath);
      if (context.random.chance(0.5)) {
        await writeStored(path, Buffer.alloc(0));
        return `${file.domain}/${file.relativePath}: data file emptied`;
      }
      await readStored(path);
      await rm(path);
      return `${file.domain}/${file.relativePath}: data file deleted`;
    },
  },
  {
    name: 'data-odd-file',
    async apply(context) {
      const file = context.pickFile((f) => f.sqlite === 'database');
      return replaceWithOddFile(
        context,
        join(context.backup, file.dataPath),
        `${file.domain}/${file.relativePath}'s data file`,
      );
    },
  },
  {
    name: 'sqlite-pages',
    async apply(context) {
      const file = context.pickFile((f) => f.sqlite !== null);
      const { bytes, what } = corruptSqlite(context, context.plain(file));
      await context.writePlain(file, bytes);
      return `${file.domain}/${file.relativePath}: ${what}`;
    },
  },
  {
    name: 'sqlite-values',
    async apply(context) {
      const file = context.pickFile((f) => f.sqlite === 'database');
      const { bytes, what } = editSqliteValues(context, context.plain(file));
      await context.writePlain(file, bytes);
      return `${file.domain}/${file.relativePath}: ${what}`;
    },
  },
];

// ---------------------------------------------------------------------------------------------------------------
// Manifest.mbdb (iOS 5–9)

const mbdbRecords: Mutation[] = [
  {
    name: 'mbdb-bytes',
    formats: ['mbdb'],
    async apply(context) {
      const path = join(context.backup, 'Manifest.mbdb');
      const { bytes, what } = damageBytes(context, await readStored(path));
      await writeStored(path, bytes);
      return `Manifest.mbdb: ${what}`;
    },
  },
  {
    name: 'mbdb-record',
    formats: ['mbdb'],
    async apply(context) {
      // Decoded, edited and encoded again: the same hostile rows as in Manifest.db, in the older format.
      const path = join(context.backup, 'Manifest.mbdb');
      let parsed: ReturnType<typeof parseMbdb>;
      try {
        parsed = parseMbdb(await readStored(path));
      } catch (error) {
        throw new NotApplicable(`Manifest.mbdb no longer parses: ${(error as Error).message}`);
      }
      const records = parsed.entries
        .filter((e) => e.metadata !== null)
        .map((e) => ({ domain: e.domain, relativePath: e.relativePath, metadata: e.metadata! }));
      const regular = records.filter((r) => (r.metadata.mode & 0o170000) === 0o100000);
      if (records.length === 0) throw new NotApplicable('Manifest.mbdb has no records left');
      const record = context.random.pick(regular.length > 0 ? regular : records);
      const other = { rowid: 0, fileID: null, flags: 1, file: null, ...context.random.pick(records) };
      const text = (): string => {
        const value = hostileText(context, other);
        // Manifest.mbdb lengths are 16-bit.
        return (typeof value === 'string' ? value : String(value ?? '')).slice(0, 20_000);
      };
      const [what, edit] = context.random.pick<() => [string, () => void]>([
        () => [
          'domain',
          () => {
            record.domain = text();
          },
        ],
        () => [
          'relativePath',
          () => {
            record.relativePath = text();
          },
        ],
        () => [
          'Size',
          () => {
            record.metadata.size = context.random.pick([0, record.metadata.size + 1, 2 ** 40, 2 ** 53 - 1]);
          },
        ],
        () => [
          'Mode',
          () => {
            record.metadata.mode = context.random.pick([0, 0o40755, 0o120755, 0o10644, 0xffff]);
          },
        ],
        () => [
          'EncryptionKey',
          () => {
            record.metadata.encryptionKey = context.bytes(context.random.pick([0, 4, 44, 60]));
          },
        ],
        () => [
          'ProtectionClass',
          () => {
            record.metadata.protectionClass = context.random.pick([0, 12, 255]);
          },
        ],
        () => [
          'a duplicate',
          () => {
            records.push({ ...record, metadata: { ...record.metadata, size: record.metadata.size + 7 } });
          },
        ],
      ])();
      const label = `${record.domain}/${record.relativePath}`.slice(0, 200);
      edit();
      await writeStored(path, encodeMbdb(records));
      return `Manifest.mbdb record ${label}: ${what} edited`;
    },
  },
];

/** Keybag TLV damage that keeps its key-derivation cost small (see plist-bytes). */
function damageKeybag(context: MutationContext, bag: Buffer): { bytes: Buffer; what: string } {
  const tlv: Array<{ tag: string; value: Buffer }> = [];
  for (let at = 0; at + 8 <= bag.length; ) {
    const length = bag.readUInt32BE(at + 4);
    tlv.push({ tag: bag.toString('latin1', at, at + 4), value: bag.subarray(at + 8, at + 8 + length) });
    at += 8 + length;
  }
  const encode = (items: typeof tlv): Buffer =>
    Buffer.concat(
      items.flatMap(({ tag, value }) => {
        const head = Buffer.alloc(8);
        head.write(tag, 0, 'latin1');
        head.writeUInt32BE(value.length, 4);
        return [head, value];
      }),
    );
  const i = context.int(0, tlv.length - 1);
  const item = tlv[i]!;
  const kind = context.int(0, 4);
  if (kind === 0) return { bytes: encode(tlv.filter((_, j) => j !== i)), what: `tag ${item.tag} #${i} removed` };
  if (kind === 1)
    return {
      bytes: encode([...tlv.slice(0, i + 1), { ...item }, ...tlv.slice(i + 1)]),
      what: `tag ${item.tag} #${i} repeated`,
    };
  if (kind === 2) {
    const length = context.random.pick([0, 1, 3, 5, 39, 41]);
    return {
      bytes: encode(
        tlv.map((t, j) =>
          j === i ? { tag: t.tag, value: Buffer.concat([t.value, Buffer.alloc(64)]).subarray(0, length) } : t,
        ),
      ),
      what: `tag ${item.tag} #${i} value resized to ${length} bytes`,
    };
  }
  if (kind === 3 && (item.tag === 'CLAS' || item.tag === 'WRAP' || item.tag === 'KTYP')) {
    const value = Buffer.alloc(4);
    value.writeUInt32BE(context.random.pick([0, 1, 2, 3, 99, 0xffffffff]), 0);
    return {
      bytes: encode(tlv.map((t, j) => (j === i ? { tag: t.tag, value } : t))),
      what: `tag ${item.tag} #${i} = ${value.readUInt32BE(0)}`,
    };
  }
  const cut = context.int(0, bag.length - 1);
  return { bytes: bag.subarray(0, cut), what: `truncated to ${cut} bytes` };
}

/** A row edit SQLite refuses after an earlier edit (a UNIQUE fileID taken, a renamed column) is not applied. */
function refusedBySqlite(mutation: Mutation): Mutation {
  return {
    name: mutation.name,
    formats: ['db'],
    apply: (context) =>
      mutation.apply(context).catch((error: unknown) => {
        if ((error as { code?: string }).code?.startsWith('SQLITE_'))
          throw new NotApplicable(`SQLite refused it: ${(error as Error).message}`);
        throw error;
      }),
  };
}

export const MUTATIONS: readonly Mutation[] = [...manifestRows.map(refusedBySqlite), ...files, ...mbdbRecords];

/** One of the mutations, or of those named in `only` (IOSRESCUE_FUZZ_MUTATIONS, to aim a campaign). */
export function pickMutation(context: MutationContext, only?: readonly string[]): Mutation {
  const named = only === undefined ? MUTATIONS : MUTATIONS.filter((m) => only.includes(m.name));
  const chosen = named.filter((m) => m.formats === undefined || m.formats.includes(context.sample.format));
  if (named.length === 0)
    throw new Error(`no mutation is named ${only!.join(', ')} (known: ${MUTATIONS.map((m) => m.name).join(', ')})`);
  return context.random.pick(chosen.length > 0 ? chosen : named);
}
