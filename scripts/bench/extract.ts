/**
 * Extraction speed on a generated backup the size of a well-used phone (default 100,000 messages, 20,000 photos,
 * 5,000 contacts, 5,000 calls): seconds per data type and in total, records per second, and the extraction's peak
 * RSS (measured in a child process that does only the extraction). The peer, in the same run: Debian's `sqlite3`
 * reading the same rows from copies of the same databases (WAL applied) and writing them as CSV: a floor for the
 * database part, since it does no joins of files, no escaping of HTML, no vCards, no copies of media.
 *
 *   npm run build && node dist/scripts/bench/extract.js [--messages 100000] [--photos 20000] [--contacts 5000]
 *        [--calls 5000] [--encrypted] [--dir /tmp]
 */
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { BackupReader, dataFileRelativePath, fileIdFor, writeSyntheticBackup } from '../../src/backup/index.js';
import { CONTENT_PATHS, generateDeviceContent } from '../../src/emulator/content/index.js';
import { runExtraction, type DataType } from '../../src/extract/index.js';

const PASSWORD = 'bench password';
/** The device's format with few PBKDF2 rounds, so the figure is extraction and not key derivation. */
const FAST_KDF = { dpic: 1000, iterations: 100 };

interface ChildResult {
  totalSeconds: number;
  types: Array<{ type: DataType; seconds: number; records: number; files: number; status: string }>;
  maxRssKb: number;
}

/** Child mode: open the backup and extract everything, timing each type; prints one JSON line. */
async function child(backup: string, out: string, encrypted: boolean): Promise<void> {
  const started = process.hrtime.bigint();
  const reader = await BackupReader.open(backup, encrypted ? { password: PASSWORD } : {});
  const startedType = new Map<DataType, bigint>();
  const types: ChildResult['types'] = [];
  try {
    await runExtraction(reader, {
      out,
      onType: ({ type, phase, result }) => {
        if (phase === 'start') startedType.set(type, process.hrtime.bigint());
        else
          types.push({
            type,
            seconds: Number(process.hrtime.bigint() - startedType.get(type)!) / 1e9,
            records: result!.records,
            files: result!.files,
            status: result!.status,
          });
      },
    });
  } finally {
    await reader.close();
  }
  const result: ChildResult = {
    totalSeconds: Number(process.hrtime.bigint() - started) / 1e9,
    types,
    maxRssKb: process.resourceUsage().maxRSS,
  };
  process.stdout.write(`${JSON.stringify(result)}\n`);
}

/** What each extractor reads, as one sqlite3 query over the same tables and joins (the database part only). */
const PEER_QUERIES: Array<{ type: DataType; database: keyof typeof CONTENT_PATHS; sql: string }> = [
  {
    type: 'photos',
    database: 'photosDb',
    sql: 'SELECT a.*, aa.ZORIGINALFILENAME FROM ZASSET a LEFT JOIN ZADDITIONALASSETATTRIBUTES aa ON aa.Z_PK = a.ZADDITIONALATTRIBUTES ORDER BY a.ZDATECREATED',
  },
  {
    type: 'contacts',
    database: 'addressBook',
    sql: 'SELECT p.*, m.property, m.label, m.value FROM ABPerson p LEFT JOIN ABMultiValue m ON m.record_id = p.ROWID ORDER BY p.ROWID',
  },
  {
    type: 'messages',
    database: 'smsDb',
    sql: 'SELECT m.*, h.id, cmj.chat_id FROM message m LEFT JOIN handle h ON h.ROWID = m.handle_id LEFT JOIN chat_message_join cmj ON cmj.message_id = m.ROWID ORDER BY cmj.chat_id, m.date',
  },
  { type: 'calls', database: 'callHistory', sql: 'SELECT * FROM ZCALLRECORD ORDER BY ZDATE' },
];

/** Copies a plain backup's database (and its -wal) out of the hashed layout, so sqlite3 applies the WAL to a copy. */
function copyDatabase(backup: string, location: { domain: string; relativePath: string }, into: string): string {
  const target = join(into, location.relativePath.split('/').pop()!);
  for (const suffix of ['', '-wal']) {
    const source = join(backup, dataFileRelativePath(fileIdFor(location.domain, location.relativePath + suffix)));
    if (existsSync(source)) copyFileSync(source, target + suffix);
  }
  return target;
}

function timeSqlite3(database: string, sql: string, output: string): number {
  const started = process.hrtime.bigint();
  const run = spawnSync('sqlite3', ['-csv', '-header', database, `.output ${output}`, sql]);
  if (run.status !== 0) throw new Error(`sqlite3 failed: ${run.stderr.toString()}`);
  return Number(process.hrtime.bigint() - started) / 1e9;
}

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    messages: { type: 'string', default: '100000' },
    photos: { type: 'string', default: '20000' },
    contacts: { type: 'string', default: '5000' },
    calls: { type: 'string', default: '5000' },
    encrypted: { type: 'boolean', default: false },
    dir: { type: 'string' },
    child: { type: 'boolean', default: false },
  },
});

if (values.child) {
  await child(positionals[0]!, positionals[1]!, values.encrypted);
} else {
  if (spawnSync('sqlite3', ['-version']).status !== 0)
    throw new Error('sqlite3 is needed for the peer figures (apt-get install sqlite3)');
  const dir = await mkdtemp(join(values.dir ?? tmpdir(), 'iosrescue-bench-extract-'));
  try {
    const spec = {
      seed: 'bench-extract',
      messages: Number(values.messages),
      conversations: Math.max(5, Math.round(Number(values.messages) / 500)),
      photos: Number(values.photos),
      contacts: Number(values.contacts),
      calls: Number(values.calls),
    };
    const started = Date.now();
    const content = generateDeviceContent(spec);
    const backup = join(dir, 'backup');
    await writeSyntheticBackup(backup, {
      items: content.items,
      ...(values.encrypted ? { password: PASSWORD, keybag: FAST_KDF } : {}),
    });
    process.stdout.write(
      `generated ${content.items.length} backup items (${spec.messages} messages, ${spec.photos} photos, ${spec.contacts} contacts, ${spec.calls} calls; ${values.encrypted ? 'encrypted' : 'plain'}) in ${((Date.now() - started) / 1000).toFixed(1)} s\n`,
    );

    const runs: ChildResult[] = [];
    for (let round = 0; round < 2; round += 1) {
      spawnSync('sync');
      const out = join(dir, `out-${round}`);
      const run = spawnSync(
        process.execPath,
        [fileURLToPath(import.meta.url), '--child', backup, out, ...(values.encrypted ? ['--encrypted'] : [])],
        { encoding: 'utf8', maxBuffer: 1 << 24 },
      );
      if (run.status !== 0) throw new Error(`extraction failed: ${run.stderr}`);
      runs.push(JSON.parse(run.stdout.trim().split('\n').pop()!) as ChildResult);
      await rm(out, { recursive: true, force: true });
    }
    const best = runs.reduce((a, b) => (b.totalSeconds < a.totalSeconds ? b : a));

    // The peer reads plain copies (for an encrypted backup, its plain twin would be the fair input; decryption is
    // measured by bench/decrypt), so it is only run on plain backups.
    const peer = new Map<DataType, number>();
    if (!values.encrypted) {
      const copies = join(dir, 'copies');
      mkdirSync(copies);
      for (const q of PEER_QUERIES) {
        const database = copyDatabase(backup, CONTENT_PATHS[q.database], copies);
        timeSqlite3(database, q.sql, '/dev/null');
        peer.set(
          q.type,
          Math.min(
            timeSqlite3(database, q.sql, join(copies, `${q.type}.csv`)),
            timeSqlite3(database, q.sql, join(copies, `${q.type}.csv`)),
          ),
        );
      }
    }

    const rows = [['type', 'records', 'files', 'iosrescue s', 'records/s', 'sqlite3 rows→CSV s']];
    for (const t of best.types) {
      const p = peer.get(t.type);
      rows.push([
        t.type,
        String(t.records),
        String(t.files),
        t.seconds.toFixed(2),
        t.seconds > 0 ? Math.round(t.records / t.seconds).toLocaleString('en-US') : '-',
        p === undefined ? '-' : p.toFixed(2),
      ]);
    }
    rows.push([
      'total',
      String(best.types.reduce((n, t) => n + t.records, 0)),
      String(best.types.reduce((n, t) => n + t.files, 0)),
      best.totalSeconds.toFixed(2),
      '',
      peer.size ? [...peer.values()].reduce((a, b) => a + b, 0).toFixed(2) : '-',
    ]);
    const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => r[i]!.length)));
    for (const r of rows)
      process.stdout.write(
        `${r.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ')}\n`,
      );
    process.stdout.write(
      `best of ${runs.length} runs (totals ${runs.map((r) => r.totalSeconds.toFixed(2)).join(', ')} s, including opening the backup); peak RSS of the extraction: ${runs.map((r) => (r.maxRssKb / 1024).toFixed(0)).join(', ')} MiB\n`,
    );
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
