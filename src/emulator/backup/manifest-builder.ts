import { createWriteStream } from 'node:fs';
import { once } from 'node:events';
import Database from 'better-sqlite3';
import {
  MANIFEST_DB_SCHEMA,
  MBDB_HEADER,
  encodeMbdbRecord,
  MANIFEST_FLAGS as FLAGS,
  decodeMbFile,
  encodeMbFile,
  newWrappedKey,
  type MbFile,
  type UnlockedKeybag,
} from '../../backup/index.js';
import type { PhoneContent, PhoneItem } from './phone-content.js';
import { itemFileId } from './phone-content.js';

/** Rows per transaction: big enough that SQLite's commit cost vanishes, small enough to keep the journal small. */
const ROWS_PER_TRANSACTION = 10_000;

/** One file the phone must send because the host's previous backup does not hold this version of it. */
export interface PendingUpload {
  fileID: string;
  domain: string;
  relativePath: string;
  size: number;
  /** The per-file AES key when the backup is encrypted (its wrapped form is in the new Manifest.db row). */
  key: Buffer | null;
}

export interface BuiltManifest {
  /** Files to send, in Manifest order. */
  uploads(): IterableIterator<PendingUpload>;
  uploadCount: number;
  /** Bytes the upload will put on the wire (encrypted sizes when encrypting). */
  uploadBytes: number;
  /** The two-hex-digit folders the uploads need. */
  folders: string[];
  /** Data files of the previous backup whose items are gone or changed into non-files: the host should delete them. */
  removedFileIds(): IterableIterator<string>;
  rows: number;
  /**
   * Writes the same rows as an iOS 5–9 Manifest.mbdb at `path`, streamed record by record (the SQLite file stays
   * the builder's scratch store then).
   */
  writeMbdb(path: string): Promise<void>;
  close(): void;
}

/** The size of a file's data in the backup: AES-CBC with PKCS#7 always adds 1–16 bytes. */
export function storedSize(size: number, encrypted: boolean): number {
  return encrypted ? size + 16 - (size % 16) : size;
}

/**
 * Writes the Manifest.db of a new backup at `path`, streaming the phone's items, and works out what must be sent.
 * With a previous Manifest.db (an incremental backup), an item whose size and modification time are unchanged keeps
 * its old row — and with it its EncryptionKey, so the host's data file still decrypts — and is not sent again; this is
 * how a device's incremental backup sends only what changed. Everything lives in SQLite on disk: a million items
 * cost the same memory as ten.
 */
export async function buildManifest(options: {
  path: string;
  content: PhoneContent;
  keybag: UnlockedKeybag | undefined;
  previousDbPath: string | undefined;
}): Promise<BuiltManifest> {
  const db = new Database(options.path);
  db.pragma('journal_mode = OFF');
  db.pragma('synchronous = OFF');
  db.exec(MANIFEST_DB_SCHEMA);
  // The agent's own bookkeeping goes in a temporary schema so that it never reaches the host's Manifest.db.
  db.exec(
    'CREATE TEMP TABLE uploads (fileID TEXT PRIMARY KEY, domain TEXT, relativePath TEXT, size INTEGER, key BLOB)',
  );
  if (options.previousDbPath !== undefined) db.prepare('ATTACH DATABASE ? AS previous').run(options.previousDbPath);
  const previousRow =
    options.previousDbPath === undefined
      ? undefined
      : db.prepare('SELECT flags, file FROM previous.Files WHERE fileID = ?');
  const insertRow = db.prepare(
    'INSERT OR REPLACE INTO Files (fileID, domain, relativePath, flags, file) VALUES (?, ?, ?, ?, ?)',
  );
  const insertUpload = db.prepare(
    'INSERT OR REPLACE INTO temp.uploads (fileID, domain, relativePath, size, key) VALUES (?, ?, ?, ?, ?)',
  );
  const encrypted = options.keybag !== undefined;

  let rows = 0;
  let uploadBytes = 0;
  let batch: PhoneItem[] = [];
  const flush = db.transaction((items: PhoneItem[]) => {
    for (const item of items) {
      const fileID = itemFileId(item);
      const flags = FLAGS[item.kind];
      let blob: Buffer | undefined;
      if (item.kind === 'file') {
        const kept =
          previousRow === undefined
            ? undefined
            : keptVersion(
                previousRow.get(fileID) as { flags: number; file: Buffer | null } | undefined,
                item.metadata,
                encrypted,
              );
        if (kept !== undefined) blob = kept;
        else {
          const metadata: MbFile & { relativePath: string } = { ...item.metadata, relativePath: item.relativePath };
          let key: Buffer | null = null;
          if (options.keybag !== undefined) {
            const fresh = newWrappedKey(options.keybag, item.metadata.protectionClass ?? 3);
            metadata.encryptionKey = fresh.wrapped;
            key = fresh.key;
          }
          blob = encodeMbFile(metadata);
          insertUpload.run(fileID, item.domain, item.relativePath, item.metadata.size, key);
          uploadBytes += storedSize(item.metadata.size, encrypted);
        }
      }
      insertRow.run(
        fileID,
        item.domain,
        item.relativePath,
        flags,
        blob ?? encodeMbFile({ ...item.metadata, relativePath: item.relativePath }),
      );
      rows++;
    }
  });
  for await (const item of options.content.items()) {
    batch.push(item);
    if (batch.length >= ROWS_PER_TRANSACTION) {
      flush(batch);
      batch = [];
    }
  }
  flush(batch);

  const uploadCount = (db.prepare('SELECT count(*) AS n FROM temp.uploads').get() as { n: number }).n;
  const folders = (
    db.prepare('SELECT DISTINCT substr(fileID, 1, 2) AS folder FROM temp.uploads ORDER BY folder').all() as Array<{
      folder: string;
    }>
  ).map((r) => r.folder);
  return {
    uploads: () =>
      db
        .prepare('SELECT fileID, domain, relativePath, size, key FROM temp.uploads ORDER BY rowid')
        .iterate() as IterableIterator<PendingUpload>,
    uploadCount,
    uploadBytes,
    folders,
    removedFileIds: function* () {
      if (options.previousDbPath === undefined) return;
      const gone = db.prepare(`
        SELECT p.fileID AS fileID FROM previous.Files AS p LEFT JOIN main.Files AS n ON n.fileID = p.fileID
        WHERE p.flags = 1 AND (n.fileID IS NULL OR n.flags != 1)`);
      for (const row of gone.iterate() as IterableIterator<{ fileID: string }>) yield row.fileID;
    },
    rows,
    writeMbdb: async (path) => {
      const out = createWriteStream(path, { mode: 0o600 });
      const done = once(out, 'finish');
      const write = async (bytes: Buffer): Promise<void> => {
        if (!out.write(bytes)) await once(out, 'drain');
      };
      await write(MBDB_HEADER);
      const rowsInOrder = db.prepare('SELECT domain, relativePath, file FROM Files ORDER BY rowid');
      for (const row of rowsInOrder.iterate() as IterableIterator<{
        domain: string;
        relativePath: string;
        file: Buffer;
      }>)
        await write(encodeMbdbRecord(row.domain, row.relativePath, decodeMbFile(row.file)));
      out.end();
      await done;
    },
    close: () => db.close(),
  };
}

/**
 * The previous backup's row for a file when that version is still what the phone holds (same size and
 * modification time, and an EncryptionKey exactly when this backup is encrypted); undefined means send it again.
 */
function keptVersion(
  row: { flags: number; file: Buffer | null } | undefined,
  now: MbFile,
  encrypted: boolean,
): Buffer | undefined {
  if (row === undefined || row.flags !== FLAGS.file || row.file === null) return undefined;
  let before: MbFile;
  try {
    before = decodeMbFile(row.file);
  } catch {
    return undefined;
  }
  if (before.size !== now.size || before.lastModified !== now.lastModified) return undefined;
  if ((before.encryptionKey !== undefined) !== encrypted) return undefined;
  return row.file;
}
