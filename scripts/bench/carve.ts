/**
 * Carver accuracy and throughput on databases written by real SQLite (better-sqlite3) with known history:
 * inserts, updates (the old version of an updated row counts as deleted: it is no longer live), deletes, then
 * churn (more inserts and updates that reuse freed space). Modes: rollback journal (DELETE) and WAL, page sizes
 * 1024/4096/8192. Recall is over deleted row versions whose text is still physically in the files; precision
 * over every record reported for the table (a record is right when all its columns equal one deleted version;
 * a live row or anything else is wrong). Throughput is measured on a larger WAL database next to two peers in
 * the same run: a plain read of the same bytes (the ceiling) and `sqlite3 .dump` of a copy.
 *
 *   npm run build && node dist/scripts/bench/carve.js [--mb 64]
 */
import Database from 'better-sqlite3';
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { carveDatabase, isUnknown, type CarvedValue } from '../../src/carve/index.js';
import { xorshift32 } from '../../src/emulator/content/seeded-random.js';

interface Version {
  text: string;
  handle: number;
  date: number;
  flags: number;
}

const WORDS =
  'hey ok see you at the station tomorrow call me when you land sure thing love it lunch meeting running late'.split(
    ' ',
  );

interface Scenario {
  mode: 'DELETE' | 'WAL';
  pageSize: number;
  rows: number;
  seed: number;
}

interface Built {
  path: string;
  live: Map<string, Version>;
  dead: Map<string, Version>;
  bytes: number;
}

/** Writes the history, then copies db (+wal/journal) while the connection is open (closing would checkpoint). */
function build(dir: string, s: Scenario): Built {
  const random = xorshift32(s.seed);
  const path = join(dir, `bench-${s.mode}-${s.pageSize}-${s.rows}.db`);
  const db = new Database(path);
  db.pragma(`page_size = ${s.pageSize}`);
  db.pragma(`journal_mode = ${s.mode}`);
  db.pragma('wal_autocheckpoint = 0');
  db.exec(
    'CREATE TABLE message (ROWID INTEGER PRIMARY KEY AUTOINCREMENT, text TEXT, handle_id INTEGER, date REAL, flags INTEGER)',
  );
  const insert = db.prepare('INSERT INTO message (text, handle_id, date, flags) VALUES (?, ?, ?, ?) RETURNING ROWID');
  const update = db.prepare('UPDATE message SET text = ?, flags = ? WHERE ROWID = ?');
  const remove = db.prepare('DELETE FROM message WHERE ROWID = ?');
  const live = new Map<number, Version>();
  const dead = new Map<string, Version>();
  let serial = 0;
  const text = (): string => {
    serial += 1;
    const n = 3 + Math.floor(random() * 12);
    return `${serial}:${Array.from({ length: n }, () => WORDS[Math.floor(random() * WORDS.length)]).join(' ')}`;
  };
  const add = (): void => {
    const v: Version = {
      text: text(),
      handle: Math.floor(random() * 500),
      date: 700_000_000 + random() * 1e8,
      flags: Math.floor(random() * 4),
    };
    const { ROWID } = insert.get(v.text, v.handle, v.date, v.flags) as { ROWID: number };
    live.set(ROWID, v);
  };
  const phase = (inserts: number, updates: number, deletes: number): void => {
    db.transaction(() => {
      for (let i = 0; i < inserts; i += 1) add();
      const ids = [...live.keys()];
      for (let i = 0; i < updates && ids.length; i += 1) {
        const id = ids[Math.floor(random() * ids.length)]!;
        const old = live.get(id);
        if (!old) continue;
        const next = { ...old, text: text(), flags: old.flags + 10 };
        update.run(next.text, next.flags, id);
        dead.set(old.text, old);
        live.set(id, next);
      }
      for (let i = 0; i < deletes && live.size; i += 1) {
        const id = ids[Math.floor(random() * ids.length)]!;
        const old = live.get(id);
        if (!old) continue;
        remove.run(id);
        dead.set(old.text, old);
        live.delete(id);
      }
    })();
  };
  phase(s.rows, 0, 0);
  if (s.mode === 'WAL') db.pragma('wal_checkpoint(TRUNCATE)');
  phase(s.rows / 10, s.rows / 20, s.rows / 5);
  // Churn after the deletes: new rows and updates that reuse the freed space.
  phase(s.rows / 20, s.rows / 50, s.rows / 50);
  const copy = join(dir, `evidence-${s.mode}-${s.pageSize}-${s.rows}.db`);
  copyFileSync(path, copy);
  let bytes = statSync(copy).size;
  for (const suffix of ['-wal', '-journal']) {
    if (existsSync(path + suffix)) {
      copyFileSync(path + suffix, copy + suffix);
      bytes += statSync(copy + suffix).size;
    }
  }
  db.close();
  return { path: copy, live: new Map([...live.values()].map((v) => [v.text, v])), dead, bytes };
}

function equalVersion(values: CarvedValue[], v: Version): boolean {
  const [, text, handle, date, flags] = values;
  const same = (a: CarvedValue | undefined, b: number | string): boolean =>
    a !== undefined &&
    !isUnknown(a) &&
    (a === b || (typeof a === 'number' && typeof b === 'number' && Math.abs(a - b) < 1e-6));
  return same(text, v.text) && same(handle, v.handle) && same(date, v.date) && same(flags, v.flags);
}

async function score(built: Built): Promise<{
  recall: number;
  precision: number;
  present: number;
  found: number;
  reported: number;
  wrong: number;
  liveReported: number;
}> {
  const files = ['', '-wal', '-journal']
    .filter((s) => existsSync(built.path + s))
    .map((s) => readFileSync(built.path + s));
  const present = [...built.dead.values()].filter((v) => files.some((f) => f.includes(Buffer.from(v.text))));
  const found = new Set<string>();
  let reported = 0;
  let wrong = 0;
  let liveReported = 0;
  for await (const record of carveDatabase(built.path)) {
    if (record.table !== 'message') continue;
    reported += 1;
    const text = record.values[1];
    const dead = typeof text === 'string' ? built.dead.get(text) : undefined;
    if (dead && equalVersion(record.values, dead)) found.add(dead.text);
    else {
      wrong += 1;
      if (typeof text === 'string' && built.live.has(text)) liveReported += 1;
    }
  }
  const foundPresent = present.filter((v) => found.has(v.text)).length;
  return {
    recall: present.length ? foundPresent / present.length : 1,
    precision: reported ? (reported - wrong) / reported : 1,
    present: present.length,
    found: foundPresent,
    reported,
    wrong,
    liveReported,
  };
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { mb: { type: 'string', default: '64' }, dir: { type: 'string' } } });
  const dir = mkdtempSync(join(values.dir ?? tmpdir(), 'carve-bench-'));
  try {
    console.log(
      'mode    page   rows   deleted-present  recovered  recall  reported  wrong  live-as-deleted  precision',
    );
    let totalPresent = 0;
    let totalFound = 0;
    let totalReported = 0;
    let totalWrong = 0;
    for (const mode of ['DELETE', 'WAL'] as const) {
      for (const pageSize of [1024, 4096, 8192]) {
        const built = build(dir, { mode, pageSize, rows: 4000, seed: pageSize + (mode === 'WAL' ? 7 : 3) });
        const s = await score(built);
        totalPresent += s.present;
        totalFound += s.found;
        totalReported += s.reported;
        totalWrong += s.wrong;
        console.log(
          `${mode.padEnd(7)} ${String(pageSize).padStart(5)}  ${String(4000).padStart(5)}  ${String(s.present).padStart(15)}  ${String(s.found).padStart(9)}  ${s.recall.toFixed(3)}  ${String(s.reported).padStart(8)}  ${String(s.wrong).padStart(5)}  ${String(s.liveReported).padStart(15)}  ${s.precision.toFixed(4)}`,
        );
      }
    }
    console.log(
      `overall: recall ${(totalFound / totalPresent).toFixed(3)} (${totalFound}/${totalPresent}), precision ${((totalReported - totalWrong) / totalReported).toFixed(4)} (${totalReported - totalWrong}/${totalReported})`,
    );

    // Throughput: a WAL database of about --mb megabytes (main file + WAL), 10% deleted, churned.
    const rows = Math.round((Number(values.mb) * 1024 * 1024) / 95);
    const big = build(dir, { mode: 'WAL', pageSize: 4096, rows, seed: 99 });
    const mb = big.bytes / (1024 * 1024);
    let started = process.hrtime.bigint();
    let count = 0;
    for await (const _ of carveDatabase(big.path)) count += 1;
    const carveSeconds = Number(process.hrtime.bigint() - started) / 1e9;
    started = process.hrtime.bigint();
    for (const s of ['', '-wal']) if (existsSync(big.path + s)) readFileSync(big.path + s);
    const readSeconds = Number(process.hrtime.bigint() - started) / 1e9;
    console.log(`throughput on ${mb.toFixed(1)} MB (db + wal, ${rows} rows inserted):`);
    console.log(
      `  carve (ours)          ${(mb / carveSeconds).toFixed(1).padStart(8)} MB/s  ${carveSeconds.toFixed(2)} s, ${count} records`,
    );
    console.log(
      `  plain read (ceiling)  ${(mb / readSeconds).toFixed(1).padStart(8)} MB/s  ${readSeconds.toFixed(2)} s`,
    );
    const dumpDir = mkdtempSync(join(dir, 'dump-'));
    copyFileSync(big.path, join(dumpDir, 'x.db'));
    if (existsSync(`${big.path}-wal`)) copyFileSync(`${big.path}-wal`, join(dumpDir, 'x.db-wal'));
    started = process.hrtime.bigint();
    const dump = spawnSync('sqlite3', [join(dumpDir, 'x.db'), '.dump'], { stdio: ['ignore', 'ignore', 'pipe'] });
    const dumpSeconds = Number(process.hrtime.bigint() - started) / 1e9;
    if (dump.error) console.log('  sqlite3 .dump         (sqlite3 not installed)');
    else
      console.log(
        `  sqlite3 .dump (copy)  ${(mb / dumpSeconds).toFixed(1).padStart(8)} MB/s  ${dumpSeconds.toFixed(2)} s (live rows only, no carving)`,
      );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
