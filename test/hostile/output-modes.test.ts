import { chmod, lstat, mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { BackupReader, writeSyntheticBackup } from '../../src/backup/index.js';
import { generateDeviceContent } from '../../src/emulator/content/index.js';
import { OutputFolder, outputPermissions, runExtraction, type OutputMode } from '../../src/extract/index.js';
import { TextSink } from '../../src/extract/exporters/text-sink.js';
import { decryptBackup } from '../../src/operations/decrypt-backup.js';
import { exportBackupFile } from '../../src/operations/export-backup-file.js';
import { writeStreamThroughPartial } from '../../src/operations/write-stream-file.js';
import { runCliInProcess } from '../helpers/cli.js';
import { FAST_KDF, PASSWORD } from '../helpers/extract-backups.js';

/**
 * What extract, decrypt and export-file write holds someone's messages, contacts and photos: it is owner-only
 * (folders 0700, files 0600) whatever the umask, unless --output-mode shared asks for the umask's modes.
 */
const PASSWORD_ENV = 'IOSRESCUE_OUTPUT_MODES_PASSWORD';
const SMS = { domain: 'HomeDomain', relativePath: 'Library/SMS/sms.db' };

let root: string;
let plain: string;
let encrypted: string;
let smsBytes: Buffer;
let savedUmask: number;
let counter = 0;

/** A fresh path under the test folder (not created). */
function fresh(name: string): string {
  return join(root, `${name}-${++counter}`);
}

interface Walked {
  folders: number;
  files: number;
  /** Everything whose mode is not the expected one, or that is neither a folder nor a regular file. */
  wrong: string[];
}

/** lstat's every path under `top` (itself included) and lists those whose permission bits are not the expected ones. */
async function walk(top: string, dirMode: number, fileMode: number, includeTop = true): Promise<Walked> {
  const result: Walked = { folders: 0, files: 0, wrong: [] };
  const visit = async (path: string, check: boolean): Promise<void> => {
    const stat = await lstat(path);
    const mode = stat.mode & 0o777;
    if (stat.isDirectory()) {
      if (check) {
        result.folders++;
        if (mode !== dirMode) result.wrong.push(`${path}: folder ${mode.toString(8)}`);
      }
      for (const name of await readdir(path)) await visit(join(path, name), true);
    } else if (stat.isFile()) {
      result.files++;
      if (mode !== fileMode) result.wrong.push(`${path}: file ${mode.toString(8)}`);
    } else {
      result.wrong.push(`${path}: neither a folder nor a regular file`);
    }
  };
  await visit(top, includeTop);
  return result;
}

async function extract(backup: string, out: string, outputMode?: OutputMode): Promise<void> {
  const reader = await BackupReader.open(backup, backup === encrypted ? { password: PASSWORD } : {});
  try {
    const report = await runExtraction(reader, { out, tempDir: root, outputMode });
    expect(report.types.filter((t) => t.status !== 'ok')).toEqual([]);
  } finally {
    await reader.close();
  }
}

beforeAll(async () => {
  savedUmask = process.umask(0o022);
  root = await mkdtemp(join(tmpdir(), 'iosrescue-output-modes-'));
  const content = generateDeviceContent({ seed: 'output-modes' });
  const sms = content.items.find((i) => i.domain === SMS.domain && i.relativePath === SMS.relativePath)?.data;
  if (!Buffer.isBuffer(sms)) throw new Error('the generated content has no sms.db in memory');
  smsBytes = sms;
  plain = join(root, 'plain-backup');
  encrypted = join(root, 'encrypted-backup');
  await writeSyntheticBackup(plain, { items: content.items });
  await writeSyntheticBackup(encrypted, { items: content.items, password: PASSWORD, keybag: FAST_KDF });
  process.env[PASSWORD_ENV] = PASSWORD;
});

afterAll(async () => {
  delete process.env[PASSWORD_ENV];
  process.umask(savedUmask);
  await rm(root, { recursive: true, force: true });
});

// A test that changes the umask puts 022 back for the next one.
afterEach(() => {
  process.umask(0o022);
});

describe('private output (the default), under umask 022', () => {
  it.each(['plain', 'encrypted'] as const)(
    'extract from a %s backup: every folder 0700, every file 0600, and report.html says so',
    async (kind) => {
      const out = fresh(`extract-${kind}`);
      await extract(kind === 'plain' ? plain : encrypted, out);
      const walked = await walk(out, 0o700, 0o600);
      expect(walked.wrong).toEqual([]);
      // Photos, attachments, conversations, CSVs, vCards, .ics, report.html, extraction.json: not a vacuous walk.
      expect(walked.files).toBeGreaterThan(40);
      expect(walked.folders).toBeGreaterThan(10);
      const report = await readFile(join(out, 'report.html'), 'utf8');
      expect(report).toMatch(/Files in this folder are readable only by .+ \(owner-only: files 0600, folders 0700\)/);
      expect(JSON.parse(await readFile(join(out, 'extraction.json'), 'utf8')).outputMode).toBe('private');
    },
  );

  it('the extract command: every folder 0700, every file 0600', async () => {
    const out = fresh('cli-extract');
    const run = await runCliInProcess(['extract', encrypted, '--out', out, '--password-env', PASSWORD_ENV]);
    expect(run.status).toBe(0);
    expect((await walk(out, 0o700, 0o600)).wrong).toEqual([]);
  });

  it.each(['backup', 'tree'] as const)(
    'decrypt (%s layout) of an encrypted backup: every folder 0700, every file 0600',
    async (layout) => {
      const out = fresh(`decrypt-${layout}`);
      const run = await runCliInProcess([
        'decrypt',
        encrypted,
        '--out',
        out,
        '--layout',
        layout,
        '--password-env',
        PASSWORD_ENV,
      ]);
      expect(run.status).toBe(0);
      const walked = await walk(out, 0o700, 0o600);
      expect(walked.wrong).toEqual([]);
      expect(walked.files).toBeGreaterThan(10);
    },
  );

  it('decrypt of a plain backup: the manifest and plists, copied from 0644 sources, are 0600 too', async () => {
    expect((await lstat(join(plain, 'Info.plist'))).mode & 0o777).toBe(0o644);
    const out = fresh('decrypt-plain');
    await decryptBackup({ backup: plain, out });
    expect((await walk(out, 0o700, 0o600)).wrong).toEqual([]);
    for (const name of ['Manifest.db', 'Manifest.plist', 'Info.plist', 'Status.plist'])
      expect((await lstat(join(out, name))).isFile()).toBe(true);
  });

  it('export-file: the file 0600 and the folders it created 0700', async () => {
    const parent = fresh('export');
    const out = join(parent, 'deeper', 'sms.db');
    const run = await runCliInProcess([
      'export-file',
      encrypted,
      SMS.domain,
      SMS.relativePath,
      '--out',
      out,
      '--password-env',
      PASSWORD_ENV,
    ]);
    expect(run.status).toBe(0);
    expect((await readFile(out)).equals(smsBytes)).toBe(true);
    const walked = await walk(parent, 0o700, 0o600);
    expect(walked.wrong).toEqual([]);
    expect(walked).toMatchObject({ folders: 2, files: 1 });
  });

  it('an --out folder that already exists keeps its own mode; what is written inside is private', async () => {
    const out = fresh('existing');
    await mkdir(out);
    await chmod(out, 0o755);
    await extract(plain, out);
    expect((await lstat(out)).mode & 0o777).toBe(0o755);
    expect((await walk(out, 0o700, 0o600, false)).wrong).toEqual([]);
  });

  it('a file left world-readable by an interrupted run is made private when rewritten', async () => {
    const out = fresh('leftover');
    await mkdir(join(out, 'contacts'), { recursive: true, mode: 0o700 });
    await chmod(out, 0o700);
    for (const name of ['contacts.vcf', 'contacts.json']) {
      await writeFile(join(out, 'contacts', name), 'old');
      await chmod(join(out, 'contacts', name), 0o644);
    }
    await extract(plain, out);
    expect((await walk(out, 0o700, 0o600)).wrong).toEqual([]);
  });
});

describe('private output whatever the umask', () => {
  it.each(['000', '002'])(
    'umask %s: extraction, decrypt and export-file are still exactly 0700/0600',
    async (umask) => {
      process.umask(Number.parseInt(umask, 8));
      const top = fresh(`umask-${umask}`);
      await extract(plain, join(top, 'extract-plain'));
      await extract(encrypted, join(top, 'extract-encrypted'));
      await decryptBackup({ backup: encrypted, out: join(top, 'decrypt'), password: PASSWORD, layout: 'tree' });
      await exportBackupFile({ backup: plain, ...SMS, out: join(top, 'export', 'sms.db') });
      expect((await walk(top, 0o700, 0o600)).wrong).toEqual([]);
    },
  );

  // 277 takes the owner's own write bit away: only setting the modes after creating gives 0700/0600.
  it.each(['000', '277'])('every OutputFolder writer and TextSink, under umask %s', async (umask) => {
    const top = fresh('writers');
    const source = join(root, `source-${counter}`);
    await writeFile(source, 'copied', { mode: 0o666 });
    await chmod(source, 0o666);
    process.umask(Number.parseInt(umask, 8));
    const out = new OutputFolder(top);
    await out.writeFile('a/file.txt', 'text');
    await out.writeSmallFile('b/small.bin', Buffer.from('small'));
    await out.writeStream('c/d/stream.bin', Readable.from([Buffer.alloc(3 << 20, 1)]));
    await out.copyFile('e/copy.bin', source);
    const sink = new TextSink(await out.absolute('f/sink.csv'));
    await sink.write('a,b\r\n');
    await sink.close();
    const page = new TextSink(join(top, 'page.html'), outputPermissions('private'));
    await page.close();
    const walked = await walk(top, 0o700, 0o600);
    expect(walked.wrong).toEqual([]);
    expect(walked).toMatchObject({ folders: 7, files: 6 });
  });
});

describe('--output-mode shared: the umask decides', () => {
  it('extract --output-mode shared under umask 022: folders 0755, files 0644, and report.html says so', async () => {
    const out = fresh('cli-extract-shared');
    const run = await runCliInProcess(['extract', plain, '--out', out, '--output-mode', 'shared']);
    expect(run.status).toBe(0);
    const walked = await walk(out, 0o755, 0o644);
    expect(walked.wrong).toEqual([]);
    expect(walked.files).toBeGreaterThan(40);
    expect(await readFile(join(out, 'report.html'), 'utf8')).toMatch(
      /--output-mode shared: their modes follow the umask/,
    );
  });

  it('an encrypted backup extracted shared: folders 0755, files 0644', async () => {
    const out = fresh('extract-shared-encrypted');
    await extract(encrypted, out, 'shared');
    expect((await walk(out, 0o755, 0o644)).wrong).toEqual([]);
  });

  it.each(['backup', 'tree'] as const)(
    'decrypt --output-mode shared (%s layout): folders 0755, files 0644',
    async (layout) => {
      const out = fresh(`decrypt-shared-${layout}`);
      const run = await runCliInProcess([
        'decrypt',
        encrypted,
        '--out',
        out,
        '--layout',
        layout,
        '--output-mode',
        'shared',
        '--password-env',
        PASSWORD_ENV,
      ]);
      expect(run.status).toBe(0);
      expect((await walk(out, 0o755, 0o644)).wrong).toEqual([]);
    },
  );

  it('export-file --output-mode shared: folder 0755, file 0644', async () => {
    const parent = fresh('export-shared');
    const run = await runCliInProcess([
      'export-file',
      plain,
      SMS.domain,
      SMS.relativePath,
      '--out',
      join(parent, 'sms.db'),
      '--output-mode',
      'shared',
    ]);
    expect(run.status).toBe(0);
    expect(await walk(parent, 0o755, 0o644)).toMatchObject({ wrong: [], folders: 1, files: 1 });
  });

  it('shared under umask 077 gives 0700/0600: the umask, not us, decides', async () => {
    process.umask(0o077);
    const out = fresh('extract-shared-077');
    await extract(plain, out, 'shared');
    expect((await walk(out, 0o700, 0o600)).wrong).toEqual([]);
  });

  it('an unknown --output-mode is a usage error', async () => {
    const run = await runCliInProcess(['extract', plain, '--out', fresh('bad-mode'), '--output-mode', 'public']);
    expect(run.status).toBe(2);
  });
});

describe('export-file temporary files', () => {
  let folder: string;
  beforeEach(async () => {
    folder = fresh('partial');
    await mkdir(folder);
  });

  it('a stale .partial left by a killed run blocks nothing, and is left alone', async () => {
    const out = join(folder, 'sms.db');
    await writeFile(`${out}.partial`, 'stale');
    await writeFile(join(folder, '.sms.db.0123456789ab.partial'), 'stale');
    const result = await exportBackupFile({ backup: plain, ...SMS, out });
    expect(result.bytes).toBe(smsBytes.length);
    expect((await readFile(out)).equals(smsBytes)).toBe(true);
    expect((await readdir(folder)).sort()).toEqual(['.sms.db.0123456789ab.partial', 'sms.db', 'sms.db.partial']);
  });

  it('an aborted export (Ctrl-C) removes its temporary file and writes nothing', async () => {
    const out = join(folder, 'slow.bin');
    const controller = new AbortController();
    // One chunk, then nothing: the copy is under way when the abort comes.
    const source = new Readable({ read() {} });
    source.push(Buffer.alloc(1024, 7));
    const copying = writeStreamThroughPartial(source, out, { signal: controller.signal });
    let names: string[] = [];
    for (let i = 0; i < 200 && names.length === 0; i++) {
      await new Promise((resolve) => setTimeout(resolve, 5));
      names = await readdir(folder);
    }
    expect(names).toEqual([expect.stringMatching(/^\.slow\.bin\.[0-9a-f]{12}\.partial$/)]);
    expect((await lstat(join(folder, names[0]!))).mode & 0o777).toBe(0o600);
    controller.abort(new Error('interrupted'));
    await expect(copying).rejects.toThrow();
    expect(await readdir(folder)).toEqual([]);
  });

  it('an export that fails part-way removes its temporary file', async () => {
    const out = join(folder, 'broken.bin');
    const source = new Readable({ read() {} });
    source.push(Buffer.alloc(1024, 7));
    setTimeout(() => source.destroy(Object.assign(new Error('truncated'), { code: 'BACKUP_TRUNCATED' })), 20);
    await expect(writeStreamThroughPartial(source, out)).rejects.toMatchObject({ code: 'BACKUP_TRUNCATED' });
    expect(await readdir(folder)).toEqual([]);
  });

  it('an export with an already aborted signal leaves nothing behind', async () => {
    const controller = new AbortController();
    controller.abort(new Error('interrupted'));
    await expect(
      exportBackupFile({ backup: plain, ...SMS, out: join(folder, 'sms.db'), signal: controller.signal }),
    ).rejects.toThrow();
    expect(await readdir(folder)).toEqual([]);
  });
});
