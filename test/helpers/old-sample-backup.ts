import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { BackupReader, writeSyntheticBackup } from '../../src/backup/index.js';
import { runExtraction, type ExtractionReport } from '../../src/extract/index.js';
import { repoRoot } from './backup-corpus.js';

/** test/fixtures/ios-old: real old-iOS databases the project may redistribute (test/fixtures/PROVENANCE.md). */
export const oldFixtures = resolve(repoRoot, 'test/fixtures/ios-old');

/**
 * A real sample that is not redistributed, in the folder IOSRESCUE_OLD_SAMPLES names (PROVENANCE.md says where each
 * comes from); undefined, with a note on the console, when that is unset or lacks the file.
 */
export function externalSample(relative: string): string | undefined {
  const root = process.env.IOSRESCUE_OLD_SAMPLES;
  const path = root ? resolve(root, relative) : undefined;
  if (path && existsSync(path)) return path;
  console.log(
    `skipping the test on ${relative}: set IOSRESCUE_OLD_SAMPLES to a folder holding it (see test/fixtures/PROVENANCE.md)`,
  );
  return undefined;
}

export interface SampleExtraction {
  out: string;
  report: ExtractionReport;
  json<T>(path: string): Promise<T>;
  cleanup(): Promise<void>;
}

/** Puts real database files at their place in an iOS ≤ 9 (Manifest.mbdb) backup and extracts `types` from it. */
export async function extractSamples(
  files: Array<{ domain: string; relativePath: string; path: string }>,
  types: string[],
): Promise<SampleExtraction> {
  const root = await mkdtemp(join(tmpdir(), 'iosrescue-old-sample-'));
  const items = await Promise.all(
    files.map(async (f) => ({ domain: f.domain, relativePath: f.relativePath, data: await readFile(f.path) })),
  );
  await writeSyntheticBackup(join(root, 'backup'), { items, format: 'mbdb' });
  const reader = await BackupReader.open(join(root, 'backup'));
  const out = join(root, 'out');
  try {
    const report = await runExtraction(reader, { out, tempDir: root, types: types as never });
    return {
      out,
      report,
      json: async <T>(path: string) => JSON.parse(await readFile(join(out, path), 'utf8')) as T,
      cleanup: () => rm(root, { recursive: true, force: true }),
    };
  } finally {
    await reader.close();
  }
}
