/**
 * What the commit's data-size check (checkDataSizes: every regular file's data file no larger than its Manifest.db
 * Size) adds to a backup of many files. Builds a plain backup folder with N rows and N small data files, then times,
 * in the same run: the check itself, the Manifest.db pass alone (rows decoded, no lstat), and a walk of the data
 * files (what any per-file work over the folder costs), and the check again on a WAL-mode Manifest.db as phones
 * write it. Memory: RSS before and after the passes.
 *
 *   npm run build && node dist/scripts/bench/manifest-size-check.js [--files 200000] [--dir /tmp]
 */
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import Database from 'better-sqlite3';
import { checkDataSizes } from '../../src/backup/data-size-check.js';
import { regularFilesUnder } from '../../src/backup/fs-durability.js';
import { MANIFEST_DB_SCHEMA, ManifestDb } from '../../src/backup/manifest-db.js';
import { buildManifestPlist } from '../../src/backup/manifest-plist.js';
import { encodeMbFile } from '../../src/backup/mb-file.js';
import { dataFileRelativePath, fileIdFor } from '../../src/backup/layout.js';

const { values } = parseArgs({
  options: { files: { type: 'string', default: '200000' }, dir: { type: 'string', default: tmpdir() } },
});
const files = Number(values.files);

async function time<T>(label: string, work: () => Promise<T>): Promise<T> {
  const started = process.hrtime.bigint();
  const result = await work();
  const ms = Number(process.hrtime.bigint() - started) / 1e6;
  console.log(`${label.padEnd(44)} ${(ms / 1000).toFixed(2)} s  (${((ms * 1000) / files).toFixed(1)} µs a file)`);
  return result;
}

const root = await mkdtemp(join(values.dir!, 'iosr-sizecheck-'));
try {
  console.log(`building a plain backup of ${files.toLocaleString('en')} files in ${root}…`);
  for (let i = 0; i < 256; i++) await mkdir(join(root, i.toString(16).padStart(2, '0')));
  const db = new Database(join(root, 'Manifest.db'));
  db.exec(MANIFEST_DB_SCHEMA);
  const insert = db.prepare('INSERT INTO Files (fileID, domain, relativePath, flags, file) VALUES (?, ?, ?, 1, ?)');
  const now = Math.floor(Date.now() / 1000);
  db.exec('BEGIN');
  for (let i = 0; i < files; i++) {
    const relativePath = `Media/DCIM/100APPLE/IMG_${i}.JPG`;
    const data = Buffer.from(`photo ${i}\n`);
    const fileId = fileIdFor('CameraRollDomain', relativePath);
    insert.run(
      fileId,
      'CameraRollDomain',
      relativePath,
      encodeMbFile({
        relativePath,
        size: data.length,
        mode: 0o100644,
        lastModified: now,
        birth: now,
        lastStatusChange: now,
        protectionClass: 3,
      }),
    );
    await writeFile(join(root, dataFileRelativePath(fileId)), data);
  }
  db.exec('COMMIT');
  db.close();
  await writeFile(
    join(root, 'Manifest.plist'),
    buildManifestPlist({
      date: new Date(),
      device: {
        udid: 'BENCH',
        deviceName: 'bench',
        productType: 'iPhone15,2',
        productVersion: '17.0',
        buildVersion: '21A329',
        serialNumber: 'BENCH',
      },
      isEncrypted: false,
    }),
  );

  const rssBefore = process.memoryUsage().rss;
  await time('Manifest.db rows decoded (no lstat)', async () => {
    const manifest = await ManifestDb.open(join(root, 'Manifest.db'));
    let n = 0;
    for await (const entry of manifest.files()) if (entry.metadata !== null) n += 1;
    manifest.close();
    return n;
  });
  await time('walk of the data files (opendir)', async () => {
    let n = 0;
    for await (const _ of regularFilesUnder(root)) n += 1;
    return n;
  });
  const report = await time('checkDataSizes (rows + an lstat each)', () => checkDataSizes(root));
  console.log(
    `checked ${report.checked.toLocaleString('en')} files; RSS ${(rssBefore / 2 ** 20).toFixed(0)} MiB before the passes, ${(process.memoryUsage().rss / 2 ** 20).toFixed(0)} MiB after`,
  );
  // Phones write Manifest.db in WAL mode; ManifestDb then reads a private copy (one more pass over the file).
  const wal = new Database(join(root, 'Manifest.db'));
  wal.pragma('journal_mode = WAL');
  wal.close();
  await time("checkDataSizes, WAL-mode Manifest.db (a phone's)", () => checkDataSizes(root));
} finally {
  await rm(root, { recursive: true, force: true });
}
