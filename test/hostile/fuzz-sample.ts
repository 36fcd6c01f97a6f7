import { copyFile, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { BackupReader, dataFileRelativePath, writeSyntheticBackup } from '../../src/backup/index.js';
import { generateDeviceContent, type DeviceContentSpec } from '../../src/emulator/content/index.js';
import { FAST_KDF, PASSWORD } from '../helpers/extract-backups.js';

/** A phone with a little of everything: every extractor and the carver have rows to read, and a run takes ~0.5 s. */
export const SMALL_PHONE: DeviceContentSpec = {
  seed: 'fuzz',
  contacts: 3,
  messages: 6,
  conversations: 2,
  photos: 2,
  calls: 3,
  events: 3,
  visits: 3,
  reminders: 2,
  voicemails: 1,
  bookmarks: 3,
  whatsappMessages: 14,
  voiceMemos: 2,
  ringtones: 1,
  tracks: 2,
  notes: 6,
  walTailMessages: 1,
};

const SQLITE_MAGIC = Buffer.from('SQLite format 3\0', 'latin1');

/** One regular file of the sample, with what a mutation needs to rewrite it. */
export interface SampleFile {
  fileId: string;
  domain: string;
  relativePath: string;
  /** Path of its data file relative to the backup root. */
  dataPath: string;
  /** The decrypted contents. */
  plain: Buffer;
  /** Its own AES key (encrypted sample): plaintext mutations are encrypted again with it. */
  key?: Buffer;
  /** SQLite main database (pages to corrupt, tables to edit) or its write-ahead log. */
  sqlite: 'database' | 'wal' | null;
}

/** A pristine backup to copy, plus the keys and the plain Manifest.db that mutations work from. */
export interface Sample {
  name: string;
  encrypted: boolean;
  /** 'db' (iOS ≥ 10, Manifest.db, hashed folders) or 'mbdb' (iOS 5–9, Manifest.mbdb, flat). */
  format: 'db' | 'mbdb';
  dir: string;
  /** Manifest.db in the clear (the decrypted copy for an encrypted sample); none for mbdb. */
  plainManifest?: string;
  /** Manifest.db's AES key (encrypted db sample). */
  manifestKey?: Buffer;
  files: SampleFile[];
}

/** Writes the small phone as a backup under `root` and learns every key a mutation needs. */
export async function buildSample(
  root: string,
  options: { encrypted: boolean; format: 'db' | 'mbdb' },
): Promise<Sample> {
  const { encrypted, format } = options;
  const name = `${encrypted ? 'encrypted' : 'plain'}-${format}`;
  const dir = join(root, name);
  const content = generateDeviceContent(SMALL_PHONE);
  await writeSyntheticBackup(dir, {
    items: content.items,
    format,
    ...(encrypted ? { password: PASSWORD, keybag: FAST_KDF } : {}),
  });
  const reader = await BackupReader.open(dir, encrypted ? { password: PASSWORD } : {});
  try {
    let plainManifest: string | undefined;
    if (format === 'db') {
      plainManifest = join(root, `${name}-Manifest.db`);
      await copyFile(reader.manifestDbPath!, plainManifest);
    }
    const manifestKey =
      encrypted && format === 'db' ? reader.keybag!.unwrapKey(reader.manifestPlist!.manifestKey!) : undefined;
    const files: SampleFile[] = [];
    for await (const entry of reader.files()) {
      if (entry.kind !== 'file' || entry.metadata === null) continue;
      const dataPath = dataFileRelativePath(entry.fileId, format === 'db' ? 'hashed' : 'flat');
      const key = encrypted
        ? reader.keybag!.unwrapKey(entry.metadata.encryptionKey!, entry.metadata.protectionClass)
        : undefined;
      const plain = await reader.readSmallFile(entry);
      if (!encrypted && !(await readFile(join(dir, dataPath))).equals(plain))
        throw new Error(`sample: ${entry.relativePath} reads back different`);
      const sqlite = plain.subarray(0, 16).equals(SQLITE_MAGIC)
        ? 'database'
        : entry.relativePath.endsWith('-wal')
          ? 'wal'
          : null;
      files.push({
        fileId: entry.fileId,
        domain: entry.domain,
        relativePath: entry.relativePath,
        dataPath,
        plain,
        key,
        sqlite,
      });
    }
    return { name, encrypted, format, dir, plainManifest, manifestKey, files };
  } finally {
    await reader.close();
  }
}
