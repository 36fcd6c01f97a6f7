import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BackupReader, writeSyntheticBackup, type SyntheticItem } from '../../src/backup/index.js';
import {
  generateDeviceContent,
  type DeviceContentSpec,
  type DeviceContentTruth,
} from '../../src/emulator/content/index.js';
import {
  runExtraction,
  scanBackupContent,
  type DataType,
  type ExtractionReport,
  type TypeScan,
} from '../../src/extract/index.js';
import { FAST_KDF, PASSWORD } from './extract-backups.js';

/** Generates content, writes it as a plain or encrypted backup and returns what `scanBackupContent` counts of the
 * types. */
export async function scanGenerated(options: {
  encrypted: boolean;
  spec: DeviceContentSpec;
  types: DataType[];
}): Promise<{ scan: TypeScan[]; truth: DeviceContentTruth }> {
  const root = await mkdtemp(join(tmpdir(), 'iosrescue-scan-test-'));
  try {
    const content = generateDeviceContent(options.spec);
    await writeSyntheticBackup(join(root, 'backup'), {
      items: content.items,
      ...(options.encrypted ? { password: PASSWORD, keybag: FAST_KDF } : {}),
    });
    const reader = await BackupReader.open(join(root, 'backup'), options.encrypted ? { password: PASSWORD } : {});
    try {
      return { scan: await scanBackupContent(reader, { types: options.types, tempDir: root }), truth: content.truth };
    } finally {
      await reader.close();
    }
  } finally {
    await rm(root, { recursive: true, force: true });
  }
}

/**
 * A plain backup of exactly these items, extracted (types as given); `damage` may change the written backup
 * first (e.g. remove a data file). The caller removes `root`.
 */
export async function extractItems(
  root: string,
  items: SyntheticItem[],
  types: DataType[],
  damage?: (backup: string) => Promise<void>,
): Promise<{ report: ExtractionReport; scan: TypeScan[]; out: string }> {
  await writeSyntheticBackup(join(root, 'backup'), { items });
  await damage?.(join(root, 'backup'));
  const reader = await BackupReader.open(join(root, 'backup'));
  try {
    const out = join(root, 'out');
    const report = await runExtraction(reader, { out, types, tempDir: root });
    return { report, scan: await scanBackupContent(reader, { types, tempDir: root }), out };
  } finally {
    await reader.close();
  }
}
