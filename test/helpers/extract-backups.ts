import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BackupReader, writeSyntheticBackup } from '../../src/backup/index.js';
import {
  generateDeviceContent,
  type DeviceContent,
  type DeviceContentSpec,
  type DeviceContentTruth,
} from '../../src/emulator/content/index.js';
import { runExtraction, type ExtractionReport, type ExtractOptions } from '../../src/extract/index.js';

export const PASSWORD = 'correct horse';
/** Few PBKDF2 rounds: the same format a device writes, unlocked in milliseconds. */
export const FAST_KDF = { dpic: 1000, iterations: 100 };

export interface ExtractedBackup {
  truth: DeviceContentTruth;
  out: string;
  report: ExtractionReport;
  cleanup(): Promise<void>;
}

/** Generates content, writes it as a plain or encrypted backup, opens it with BackupReader and runs the extraction. */
export async function extractGenerated(options: {
  encrypted: boolean;
  spec?: DeviceContentSpec;
  /** Content generated beforehand (e.g. with a database edited); default: generateDeviceContent(spec). */
  content?: DeviceContent;
  extract?: Omit<ExtractOptions, 'out'>;
  /** Manifest.db (default) or the Manifest.mbdb of iOS ≤ 9. */
  format?: 'db' | 'mbdb';
}): Promise<ExtractedBackup> {
  const root = await mkdtemp(join(tmpdir(), 'iosrescue-extract-test-'));
  const content = options.content ?? generateDeviceContent(options.spec);
  const backup = join(root, 'backup');
  // Info.plist and Manifest.plist report the version the content imitates (content built by hand may have none).
  const device = content.device && {
    productVersion: content.device.productVersion,
    buildVersion: content.device.buildVersion,
    productType: content.device.productType,
  };
  await writeSyntheticBackup(backup, {
    items: content.items,
    device,
    format: options.format,
    ...(options.encrypted ? { password: PASSWORD, keybag: FAST_KDF } : {}),
  });
  const reader = await BackupReader.open(backup, options.encrypted ? { password: PASSWORD } : {});
  const out = join(root, 'out');
  try {
    const report = await runExtraction(reader, { out, tempDir: root, ...options.extract });
    return { truth: content.truth, out, report, cleanup: () => rm(root, { recursive: true, force: true }) };
  } finally {
    await reader.close();
  }
}
