import { createHash, randomUUID } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import Database from 'better-sqlite3';
import { EncryptStream, newWrappedKey } from './encrypt.js';
import { backupEraOf } from './backup-era.js';
import { buildInfoPlist } from './info-plist.js';
import type { UnlockedKeybag } from './keybag.js';
import { buildBackupKeybag, type KeybagOptions } from './keybag-builder.js';
import { dataFileRelativePath, fileIdFor } from './layout.js';
import { encodeMbFile, type MbFile } from './mb-file.js';
import { MANIFEST_FLAGS as FLAGS } from './file-entry.js';
import { MANIFEST_DB_SCHEMA } from './manifest-db.js';
import { encodeMbdb } from './manifest-mbdb.js';
import { buildManifestPlist } from './manifest-plist.js';
import { buildStatusPlist } from './status-plist.js';

/** One item of a generated backup. Data is a buffer, or a size plus a stream factory for big files. */
export interface SyntheticItem {
  domain: string;
  relativePath: string;
  kind?: 'file' | 'directory' | 'symlink';
  data?: Buffer | { size: number; open: () => Readable };
  target?: string;
  protectionClass?: number;
  /** Unix seconds; defaults to the backup date. */
  mtime?: number;
  /** Size written to the manifest instead of the real one (for malformed-backup tests). */
  recordedSize?: number;
}

export interface SyntheticDevice {
  udid: string;
  deviceName: string;
  productType: string;
  productVersion: string;
  buildVersion: string;
  serialNumber: string;
}

export interface SyntheticBackupSpec {
  items: SyntheticItem[];
  /** Encrypts the backup (keybag, ManifestKey, per-file keys) as a device does. */
  password?: string;
  keybag?: KeybagOptions;
  device?: Partial<SyntheticDevice>;
  date?: Date;
  /**
   * 'db' (iOS ≥ 10, hashed folders) or 'mbdb' (iOS 5–9, flat layout, pre-10.2 keybag); default: what the device's
   * productVersion used (mbdb up to 9).
   */
  format?: 'db' | 'mbdb';
  /** Status.plist SnapshotState; anything but "finished" marks an interrupted backup. */
  snapshotState?: string;
  /** Rows written into Manifest.db exactly as given (for malformed-backup tests). */
  rawRows?: Array<{ fileID: string; domain: string; relativePath: string; flags: number; file: Buffer | null }>;
}

export const DEFAULT_DEVICE: SyntheticDevice = {
  udid: '00008030-001A2B3C4D5E802E',
  deviceName: "Test's iPhone",
  productType: 'iPhone12,1',
  productVersion: '17.5.1',
  buildVersion: '21F90',
  serialNumber: 'F2LZK0AAAAAA',
};

const MODE = { file: 0o100644, directory: 0o40755, symlink: 0o120755 } as const;

function itemSize(item: SyntheticItem): number {
  if (item.data === undefined) return 0;
  return Buffer.isBuffer(item.data) ? item.data.length : item.data.size;
}

function itemStream(item: SyntheticItem): Readable {
  if (item.data === undefined) return Readable.from([]);
  return Buffer.isBuffer(item.data) ? Readable.from([item.data]) : item.data.open();
}

/**
 * Writes a realistic backup folder: Info.plist (XML, as the host writes it), Status.plist and Manifest.plist
 * (binary, as the device writes them), Manifest.db with NSKeyedArchiver MBFile blobs (or Manifest.mbdb), and data
 * files under `<id[0:2]>/<id>`. With a password: a keybag from `buildBackupKeybag`, every file encrypted with its
 * own wrapped key, and Manifest.db encrypted with the ManifestKey. Memory stays flat for big files.
 */
export async function writeSyntheticBackup(
  dir: string,
  spec: SyntheticBackupSpec,
): Promise<{ dir: string; keybag?: UnlockedKeybag; device: SyntheticDevice }> {
  const device = { ...DEFAULT_DEVICE, ...spec.device };
  const date = spec.date ?? new Date('2025-01-15T10:30:00Z');
  const seconds = Math.floor(date.getTime() / 1000);
  const era = backupEraOf(device.productVersion);
  const format = spec.format ?? era.manifest;
  await mkdir(dir, { recursive: true });
  // Keybags before iOS 10.2 have only the SHA-1 round set (no DPSL/DPIC), whatever rounds the caller asked for.
  const legacyKeybag = format === 'mbdb' || !era.dataProtectionRounds;
  const built =
    spec.password === undefined
      ? undefined
      : await buildBackupKeybag(spec.password, legacyKeybag ? { ...spec.keybag, dpic: null } : spec.keybag);
  const keybag = built?.unlocked;

  const records: Array<{ fileID: string; domain: string; relativePath: string; flags: number; metadata: MbFile }> = [];
  let inode = 100_000;
  for (const item of spec.items) {
    const kind = item.kind ?? 'file';
    const fileID = fileIdFor(item.domain, item.relativePath);
    const size = kind === 'file' ? itemSize(item) : 0;
    const protectionClass = item.protectionClass ?? 3;
    const metadata: MbFile = {
      size: item.recordedSize ?? size,
      mode: MODE[kind],
      userId: 501,
      groupId: 501,
      inode: inode++,
      lastModified: item.mtime ?? seconds,
      lastStatusChange: item.mtime ?? seconds,
      birth: item.mtime ?? seconds,
      protectionClass,
      relativePath: item.relativePath,
      target: kind === 'symlink' ? (item.target ?? '') : undefined,
    };
    if (kind === 'file') {
      const out = join(dir, dataFileRelativePath(fileID, format === 'db' ? 'hashed' : 'flat'));
      await mkdir(dirname(out), { recursive: true });
      if (keybag) {
        const { key, wrapped } = newWrappedKey(keybag, protectionClass);
        metadata.encryptionKey = wrapped;
        await pipeline(itemStream(item), new EncryptStream(key), createWriteStream(out));
      } else {
        const digest = createHash('sha1');
        await pipeline(
          itemStream(item),
          async function* (source: AsyncIterable<Buffer>) {
            for await (const chunk of source) {
              digest.update(chunk);
              yield chunk;
            }
          },
          createWriteStream(out),
        );
        if (format === 'mbdb') metadata.digest = digest.digest();
      }
    }
    records.push({ fileID, domain: item.domain, relativePath: item.relativePath, flags: FLAGS[kind], metadata });
  }

  let manifestKey: Buffer | undefined;
  if (format === 'mbdb') {
    await writeFile(join(dir, 'Manifest.mbdb'), encodeMbdb(records));
  } else {
    const plainPath = join(dir, keybag ? 'Manifest.db.plain' : 'Manifest.db');
    writeManifestDb(plainPath, records, spec.rawRows ?? []);
    if (keybag) {
      const { key, wrapped } = newWrappedKey(keybag, 3);
      manifestKey = wrapped;
      await pipeline(createReadStream(plainPath), new EncryptStream(key), createWriteStream(join(dir, 'Manifest.db')));
      await rm(plainPath);
    }
  }
  await writeFile(join(dir, 'Info.plist'), buildInfoPlist({ ...device, date }));
  await writeFile(
    join(dir, 'Status.plist'),
    buildStatusPlist({ date, uuid: randomUUID().toUpperCase(), snapshotState: spec.snapshotState }),
  );
  await writeFile(
    join(dir, 'Manifest.plist'),
    buildManifestPlist({ date, device, keybag: built?.bytes, isEncrypted: built !== undefined, manifestKey }),
  );
  return { dir, keybag, device };
}

/** Manifest.db with the schema and indexes found in device-made files (native-notes/protocols/backup-format.md
 * "Manifest.db"). */
function writeManifestDb(
  path: string,
  records: Array<{ fileID: string; domain: string; relativePath: string; flags: number; metadata: MbFile }>,
  rawRows: NonNullable<SyntheticBackupSpec['rawRows']>,
): void {
  const db = new Database(path);
  try {
    db.exec(MANIFEST_DB_SCHEMA);
    const insert = db.prepare(
      'INSERT OR REPLACE INTO Files (fileID, domain, relativePath, flags, file) VALUES (?, ?, ?, ?, ?)',
    );
    db.transaction(() => {
      for (const r of records)
        insert.run(
          r.fileID,
          r.domain,
          r.relativePath,
          r.flags,
          encodeMbFile({ ...r.metadata, relativePath: r.relativePath }),
        );
      for (const r of rawRows) insert.run(r.fileID, r.domain, r.relativePath, r.flags, r.file);
    })();
  } finally {
    db.close();
  }
}
