import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { BackupReader, writeSyntheticBackup, type SyntheticItem } from '../../src/backup/index.js';
import { runExtraction } from '../../src/extract/index.js';
import { EXTRACTOR_LIST } from '../../src/extract/registry.js';
import { corpusRoot, repoRoot } from '../helpers/backup-corpus.js';

/**
 * Issue 13: no extractor may end with UNEXPECTED on a real database, whatever schema or damage it has. Every SQLite
 * file of the shared corpus and of test/fixtures is put, with its -wal/-journal/-shm, where each extractor looks for
 * its database, and the whole pipeline runs on it. Each "layer" places the file at the n-th database path of every
 * extractor at once (sms.db, AddressBook, CallHistory.storedata… in layer 0; call_history.db, notes.sqlite, the
 * HomeDomain Safari files… in layer 1…), so every reader — current and legacy — sees every file. An unknown schema
 * must be EXTRACT_SCHEMA_UNSUPPORTED (or the type's own typed code), never UNEXPECTED.
 *
 * A file costs about a second (four backups), so CI tries the first file of each corpus folder (one per app
 * database and device image; of the generic SQLite test cases, every third case) and every fixture, ~35 files;
 * IOSRESCUE_CORPUS_FULL=1 tries all ~170 corpus files.
 */

const SIDECARS = ['-wal', '-journal', '-shm'];

function sqliteFiles(root: string): string[] {
  if (!existsSync(root)) return [];
  return readdirSync(root, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile() && !SIDECARS.some((s) => e.name.endsWith(s)))
    .map((e) => join(e.parentPath, e.name))
    .filter((path) => readFileSync(path).subarray(0, 16).toString('latin1') === 'SQLite format 3\0')
    .sort();
}

const corpus = sqliteFiles(corpusRoot);
if (corpus.length === 0)
  console.log(`skipping the shared corpus: ${corpusRoot} is absent (it is not part of a clone); fixtures still run`);
const full = process.env.IOSRESCUE_CORPUS_FULL === '1';
const firstOfFolder = (path: string, i: number, all: string[]): boolean =>
  i === 0 || dirname(all[i - 1]!) !== dirname(path);
// The generic SQLite test cases (no iOS schema; one folder per case) are tried a third of the folders at a time.
const GENERIC = 'nemetz-sqlite-forensic-corpus-v2';
const genericFolders = [...new Set(corpus.filter((p) => p.includes(GENERIC)).map((p) => dirname(p)))];
const sampled = corpus
  .filter(firstOfFolder)
  .filter((p) => !p.includes(GENERIC) || genericFolders.indexOf(dirname(p)) % 3 === 0);
const databases = [...(full ? corpus : sampled), ...sqliteFiles(join(repoRoot, 'test/fixtures'))];

/** Database paths (domain + relativePath) of each extractor, a glob's `*` filled with a plausible name. */
const layers: Array<Array<{ domain: string; relativePath: string }>> = [];
for (const extractor of EXTRACTOR_LIST) {
  const paths = extractor.sources
    .filter((s) => !s.path.includes('**') && /\.(db|sqlite|sqlitedb|storedata)$/.test(s.path))
    .map((s) => ({ domain: s.domain, relativePath: s.path.replace('*', 'Data-00000000-0000-0000-0000-000000000000') }));
  paths.forEach((p, i) => {
    layers[i] ??= [];
    if (!layers[i]!.some((q) => q.domain === p.domain && q.relativePath === p.relativePath)) layers[i]!.push(p);
  });
}

const root = await mkdtemp(join(tmpdir(), 'iosrescue-corpus-unexpected-'));
afterAll(() => rm(root, { recursive: true, force: true }));

function itemsFor(file: string, layer: Array<{ domain: string; relativePath: string }>): SyntheticItem[] {
  const items: SyntheticItem[] = [];
  for (const place of layer) {
    items.push({ ...place, data: readFileSync(file) });
    for (const s of SIDECARS)
      if (existsSync(`${file}${s}`))
        items.push({
          domain: place.domain,
          relativePath: `${place.relativePath}${s}`,
          data: readFileSync(`${file}${s}`),
        });
  }
  return items;
}

describe('no extractor ends with UNEXPECTED on a real database', () => {
  it('has databases and layers to try', () => {
    expect(layers.length).toBeGreaterThan(1);
    expect(databases.length).toBeGreaterThan(0);
  });

  // One at a time, to keep the machine's load (and the test's time) even; extractions side by side are safe since
  // TextSink tracks open files per run (test/unit/extract/text-sink.test.ts).
  it.each(databases.map((file) => ({ file, name: relative(join(repoRoot, '..'), file) })))(
    '$name',
    async ({ file }) => {
      for (const [n, layer] of layers.entries()) {
        const dir = await mkdtemp(join(root, 'b-'));
        await writeSyntheticBackup(join(dir, 'backup'), { items: itemsFor(file, layer) });
        const reader = await BackupReader.open(join(dir, 'backup'));
        try {
          const report = await runExtraction(reader, { out: join(dir, 'out'), tempDir: dir });
          const unexpected = report.types
            .filter((t) => t.error?.code === 'UNEXPECTED')
            .map((t) => `${t.type}: ${t.error!.message}`);
          expect(unexpected, `layer ${n}`).toEqual([]);
        } finally {
          await reader.close();
          await rm(dir, { recursive: true, force: true });
        }
      }
    },
    60_000,
  );
});
