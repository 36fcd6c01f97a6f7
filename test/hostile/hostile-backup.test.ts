import { spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, lstatSync, readdirSync, readFileSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, rmdir, symlink, unlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  BackupReader,
  dataFileRelativePath,
  writeSyntheticBackup,
  type BackupFileEntry,
} from '../../src/backup/index.js';
import { generateDeviceContent } from '../../src/emulator/content/index.js';
import { cliBuilt, cliPath, runCli, runProgram } from '../helpers/cli.js';

/**
 * A plain backup whose data files were swapped, as an attacker handing over a "backup" would: a symlink to a secret
 * of the examiner's, a symlink to /dev/zero, a FIFO nobody writes to, a folder. Every reading command must keep the
 * secret out of its output, write nothing without bound, name each bad entry with BACKUP_NOT_A_REGULAR_FILE, carry on
 * with the rest, and end.
 */
const hasMkfifo = spawnSync('sh', ['-c', 'command -v mkfifo'], { stdio: 'ignore' }).status === 0;
const usable = cliBuilt && hasMkfifo && process.platform !== 'win32';
if (!usable)
  console.warn(
    `skipping the hostile-backup CLI tests: ${cliBuilt ? 'mkfifo is missing' : `${cliPath} is missing (run npm run build)`}`,
  );

const TRICKS = ['link-to-secret', 'link-to-dev-zero', 'fifo', 'folder'] as const;
type Trick = (typeof TRICKS)[number];

let root: string;
let backup: string;
let secret: Buffer;
let env: NodeJS.ProcessEnv;
const victims = new Map<Trick, BackupFileEntry>();
let backupBytes = 0;

/** Every regular file under `dir`, with its bytes. */
function filesUnder(dir: string): Array<{ path: string; bytes: Buffer }> {
  const out: Array<{ path: string; bytes: Buffer }> = [];
  for (const name of readdirSync(dir, { recursive: true }) as string[]) {
    const path = join(dir, name);
    if (lstatSync(path).isFile()) out.push({ path, bytes: readFileSync(path) });
  }
  return out;
}

function expectNoSecretAndBounded(dir: string): void {
  const files = filesUnder(dir);
  for (const file of files) expect(file.bytes.includes(secret), `${file.path} holds the secret`).toBe(false);
  // Nothing can be larger than what the backup holds, twice over (reports and CSVs beside copies).
  expect(files.reduce((sum, f) => sum + f.bytes.length, 0)).toBeLessThan(2 * backupBytes + 10 * 1024 * 1024);
}

describe.skipIf(!usable)('a hostile backup (links, FIFOs, folders in place of data files)', () => {
  beforeAll(async () => {
    root = await mkdtemp(join(tmpdir(), 'iosrescue-hostile-'));
    // The commands' scratch folders go here, so a test can see that none is left behind.
    await mkdir(join(root, 'tmp'), { mode: 0o700 });
    env = { ...process.env, TMPDIR: join(root, 'tmp') };
    secret = Buffer.from(`IOSRESCUE-SECRET-${randomBytes(12).toString('hex')}`);
    await writeFile(join(root, 'id_rsa'), secret, { mode: 0o600 });
    backup = join(root, 'backup');
    const content = generateDeviceContent({ photos: 12, messages: 20, contacts: 5 });
    await writeSyntheticBackup(backup, { items: content.items });
    const reader = await BackupReader.open(backup);
    try {
      const photos: BackupFileEntry[] = [];
      for await (const entry of reader.files({ domain: 'CameraRollDomain' })) {
        if (entry.kind === 'file' && /\.(jpe?g|heic)$/i.test(entry.relativePath) && /DCIM/.test(entry.relativePath))
          photos.push(entry);
        backupBytes += entry.metadata?.size ?? 0;
      }
      for await (const entry of reader.files()) backupBytes += entry.metadata?.size ?? 0;
      expect(photos.length).toBeGreaterThanOrEqual(TRICKS.length + 2);
      TRICKS.forEach((trick, i) => victims.set(trick, photos[i]!));
    } finally {
      await reader.close();
    }
    for (const [trick, entry] of victims) {
      const path = join(backup, dataFileRelativePath(entry.fileId));
      await unlink(path);
      if (trick === 'link-to-secret') await symlink(join(root, 'id_rsa'), path);
      else if (trick === 'link-to-dev-zero') await symlink('/dev/zero', path);
      else if (trick === 'fifo') expect(spawnSync('mkfifo', [path]).status).toBe(0);
      else await mkdir(path);
    }
  });

  afterAll(async () => {
    if (root) await rm(root, { recursive: true, force: true });
  });

  it('extract skips each trick with BACKUP_NOT_A_REGULAR_FILE, copies the other photos, and never writes the secret', async () => {
    const out = join(root, 'extract-out');
    const result = await runCli(['--json', 'extract', backup, '--out', out, '--types', 'photos,messages'], env, 60_000);
    expect(result.code, result.stderr).toBe(0);
    const report = JSON.parse(readFileSync(join(out, 'extraction.json'), 'utf8')) as {
      types: Array<{ type: string; status: string; skipped?: Record<string, number>; files: number }>;
    };
    const photos = report.types.find((t) => t.type === 'photos')!;
    expect(photos.status).toBe('ok');
    expect(photos.skipped).toEqual({ BACKUP_NOT_A_REGULAR_FILE: TRICKS.length });
    const records = JSON.parse(readFileSync(join(out, 'photos', 'photos.json'), 'utf8')) as Array<{
      file: string | null;
      filename: string | null;
    }>;
    const names = new Set([...victims.values()].map((e) => e.relativePath.slice(e.relativePath.lastIndexOf('/') + 1)));
    const tricked = records.filter((r) => r.filename !== null && names.has(r.filename));
    expect(tricked).toHaveLength(TRICKS.length);
    // No file is promised for an entry that was not read.
    for (const record of tricked) expect(record.file).toBeNull();
    expect(records.filter((r) => r.file !== null).length).toBeGreaterThan(0);
    expectNoSecretAndBounded(out);
    expect(readdirSync(join(root, 'tmp'))).toEqual([]);
  });

  it.each(['backup', 'tree'] as const)(
    'decrypt --layout %s names each trick, writes the rest, and never writes the secret',
    async (layout) => {
      const out = join(root, `decrypt-${layout}`);
      const result = await runCli(['--json', 'decrypt', backup, '--out', out, '--layout', layout], env, 60_000);
      expect(result.code, result.stderr).toBe(6);
      const json = JSON.parse(result.stdout) as { files: number; problemCounts: Record<string, number> };
      expect(json.problemCounts).toEqual({ BACKUP_NOT_A_REGULAR_FILE: TRICKS.length });
      expect(json.files).toBeGreaterThan(10);
      expectNoSecretAndBounded(out);
    },
  );

  it.each(TRICKS)(
    'export-file of the %s entry fails with BACKUP_NOT_A_REGULAR_FILE (exit 6) and leaves no file',
    async (trick) => {
      const entry = victims.get(trick)!;
      const target = join(root, `export-${trick}`, 'photo.jpg');
      await mkdir(join(root, `export-${trick}`));
      const result = await runCli(
        ['--json', 'export-file', backup, entry.domain, entry.relativePath, '--out', target],
        env,
        20_000,
      );
      expect(result.code, result.stderr).toBe(6);
      expect(JSON.parse(result.stdout)).toMatchObject({ error: { code: 'BACKUP_NOT_A_REGULAR_FILE' } });
      expect(readdirSync(join(root, `export-${trick}`))).toEqual([]);
      await rmdir(join(root, `export-${trick}`));
    },
  );

  it('export-file of an untouched photo still works', async () => {
    const reader = await BackupReader.open(backup);
    let good: BackupFileEntry | undefined;
    try {
      for await (const entry of reader.files({ domain: 'CameraRollDomain' })) {
        if (
          entry.kind === 'file' &&
          /DCIM/.test(entry.relativePath) &&
          ![...victims.values()].some((v) => v.fileId === entry.fileId)
        )
          good = entry;
      }
    } finally {
      await reader.close();
    }
    const target = join(root, 'export-good.jpg');
    const result = await runCli(
      ['export-file', backup, good!.domain, good!.relativePath, '--out', target],
      env,
      20_000,
    );
    expect(result.code, result.stderr).toBe(0);
    expect((await readFile(target)).length).toBe(good!.metadata!.size);
  });

  it('carve of a FIFO or /dev/zero ends at once with CARVE_NOT_A_REGULAR_FILE', async () => {
    const fifo = join(backup, dataFileRelativePath(victims.get('fifo')!.fileId));
    for (const path of [fifo, '/dev/zero']) {
      const result = await runCli(['--json', 'carve', path], env, 10_000);
      expect(result.code, result.stderr).toBe(6);
      expect(JSON.parse(result.stdout.trim().split('\n').pop()!)).toMatchObject({
        error: { code: 'CARVE_NOT_A_REGULAR_FILE' },
      });
    }
  });

  it.each([
    ['extract', (big: string, out: string) => ['extract', big, '--out', out], 'extraction.json'],
    ['decrypt', (big: string, out: string) => ['decrypt', big, '--out', out], 'Manifest.db'],
  ] as const)(
    'SIGTERM ends %s within two seconds with exit 143, leaving no scratch folder and no output that looks complete',
    async (name, argsFor, completeMarker) => {
      const big = join(root, 'big');
      if (!existsSync(big)) {
        const content = generateDeviceContent({ photos: 3000, messages: 3000, contacts: 10 });
        await writeSyntheticBackup(big, { items: content.items });
      }
      const out = join(root, `sigterm-${name}`);
      const child = spawn(process.execPath, [cliPath, ...argsFor(big, out)], {
        env,
        stdio: ['ignore', 'ignore', 'pipe'],
      });
      let stderr = '';
      child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
      const exited = new Promise<{ code: number | null; at: number }>((done) =>
        child.once('exit', (code) => done({ code, at: Date.now() })),
      );
      // Wait until the command is under way (a scratch folder or output exists), then stop it.
      const started = (): boolean =>
        readdirSync(join(root, 'tmp')).length > 0 || (existsSync(out) && readdirSync(out).length > 0);
      for (let i = 0; i < 400 && !started(); i++) await new Promise((r) => setTimeout(r, 10));
      const sent = Date.now();
      child.kill('SIGTERM');
      const { code, at } = await exited;
      expect(code, stderr).toBe(143);
      expect(at - sent).toBeLessThan(2000);
      expect(readdirSync(join(root, 'tmp'))).toEqual([]);
      expect(existsSync(join(out, completeMarker))).toBe(false);
    },
    120_000,
  );

  it('decrypt of 100,000 rows with damaged metadata counts them in a 48 MB heap instead of keeping each one', async () => {
    const flood = join(root, 'flood');
    await writeSyntheticBackup(flood, {
      items: [{ domain: 'HomeDomain', relativePath: 'Library/Preferences/a.plist', data: Buffer.from('x') }],
    });
    const db = new Database(join(flood, 'Manifest.db'));
    const insert = db.prepare('INSERT INTO Files (fileID, domain, relativePath, flags, file) VALUES (?, ?, ?, 1, ?)');
    const ROWS = 100_000;
    db.transaction(() => {
      for (let i = 0; i < ROWS; i++) {
        insert.run(
          i.toString(16).padStart(40, '0'),
          'HomeDomain',
          `Library/flood/${'x'.repeat(100)}-${i}`,
          Buffer.from('bplist00 not really'),
        );
      }
    })();
    db.close();
    const out = join(root, 'flood-out');
    // Keeping a problem object per row (the old behaviour) needs far more than this heap; counting needs none.
    const result = await runProgram(
      process.execPath,
      ['--max-old-space-size=48', cliPath, '--json', '--log-level', 'error', 'decrypt', flood, '--out', out],
      env,
      120_000,
    );
    expect(result.code, result.stderr.slice(-2000)).toBe(6);
    const json = JSON.parse(result.stdout) as {
      files: number;
      problemCount: number;
      problemCounts: Record<string, number>;
      problems: unknown[];
    };
    expect(json.problemCounts).toEqual({ BACKUP_CORRUPT_METADATA: ROWS });
    expect(json.problemCount).toBe(ROWS);
    expect(json.problems).toHaveLength(100);
    expect(json.files).toBe(1);
  }, 180_000);
});
