import { BackupReader, type OpenBackupOptions } from '../backup/index.js';
import { scanBackupContent, type DataType, type TypeScan } from '../extract/index.js';

export interface ScanBackupOptions extends OpenBackupOptions {
  backup: string;
  types?: DataType[];
}

export interface ScanBackupResult {
  backup: string;
  device: { name: string | null; productType: string | null; iosVersion: string | null; lastBackup: string | null };
  encrypted: boolean;
  types: TypeScan[];
}

/** What a backup holds per data type: counts, date range, sizes, deleted counts. Reads databases, writes nothing
 * outside a temp folder. */
export async function scanBackup(options: ScanBackupOptions): Promise<ScanBackupResult> {
  const reader = await BackupReader.open(options.backup, options);
  try {
    const info = reader.info;
    return {
      backup: options.backup,
      device: {
        name: info?.deviceName ?? null,
        productType: info?.productType ?? null,
        iosVersion: info?.productVersion ?? null,
        lastBackup: info?.lastBackupDate?.toISOString() ?? null,
      },
      encrypted: reader.isEncrypted,
      types: await scanBackupContent(reader, { types: options.types, tempDir: options.tempDir }),
    };
  } finally {
    await reader.close();
  }
}
