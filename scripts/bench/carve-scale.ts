/**
 * The carver at scale: sms.db-shaped databases (iOS's own schema) of 3k–330k messages, rollback-journal (DELETE)
 * and WAL, with scattered and clustered deletes and churn after them (scripts/bench/carve-scale/generate.ts). The
 * truth is which deleted rows' text is still in the files and where (truth.ts); recall and precision are reported
 * by rowid varint width and by location, with table-attribution errors, live rows reported, whole-process MB/s and
 * peak RSS (GNU time). Peers in the same run, on the same files: sqlite-dissect (DC3's Python source, run with
 * Debian's python3) and FQLite 1.5.6 (its Java source built with javac); see carve-scale/peers.ts for where their
 * sources must be (outside the repository) — when missing, the bench says why and goes on.
 *
 *   npm run build && node dist/scripts/bench/carve-scale.js [--sizes 3000,40000,120000,330000] [--modes delete,wal]
 *       [--workers N] [--peers sqlite-dissect,fqlite|none] [--gb 1] [--dir DIR] [--keep]
 *
 * --gb N adds a database of about N GB (rollback journal; ours only: memory and speed at that size).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { generateSmsDb, type GeneratedDb, type JournalMode } from './carve-scale/generate.js';
import { runPeers } from './carve-scale/peers.js';
import { measure } from './carve-scale/run.js';
import { BANDS, scoreOurs, type Score, type Tally } from './carve-scale/score.js';
import { LOCATIONS, locateDeadRows, type PresentRow } from './carve-scale/truth.js';

const cli = join(dirname(fileURLToPath(import.meta.url)), '../../src/cli/main.js');

function ratio(t: Tally | undefined): string {
  if (!t || t.present === 0) return '   -   ';
  return `${(t.found / t.present).toFixed(3)}/${t.present}`.padEnd(7);
}

function recallLine(label: string, s: Pick<Score, 'byWidth' | 'byLocation' | 'present' | 'found'>): string {
  const widths = BANDS.map((b) => `w${b} ${ratio(s.byWidth.get(b))}`).join('  ');
  const places = LOCATIONS.filter((l) => (s.byLocation.get(l)?.present ?? 0) > 0)
    .map((l) => `${l} ${ratio(s.byLocation.get(l))}`)
    .join('  ');
  const all = s.present ? (s.found / s.present).toFixed(3) : '-';
  return `  ${label.padEnd(15)} recall ${all} (${s.found}/${s.present})  by width: ${widths}  by location: ${places}`;
}

async function runOurs(db: GeneratedDb, present: PresentRow[], workers: string | undefined): Promise<void> {
  const out = `${db.path}.ours.jsonl`;
  const args = [cli, '--json', 'carve', db.path, ...(workers ? ['--workers', workers] : [])];
  const run = await measure(process.execPath, args, out);
  if (run.status !== 0) {
    console.log(`  ours: exited ${run.status}: ${run.stderr.slice(0, 500)}`);
    return;
  }
  const s = await scoreOurs(out, db, present);
  const mb = db.bytes / 1e6;
  console.log(recallLine('iosrescue', s));
  console.log(
    `  ${''.padEnd(15)} precision ${s.reported ? (s.correct / s.reported).toFixed(4) : '-'} (${s.correct}/${s.reported} message records right), ` +
      `wrong table ${s.misattributed}, live rows reported ${s.liveReported}; ${(mb / run.seconds).toFixed(1)} MB/s ` +
      `(${run.seconds.toFixed(2)} s whole process, ${run.cpuSeconds?.toFixed(2) ?? '?'} CPU-s), peak RSS ${run.peakRssMb?.toFixed(0) ?? '?'} MB`,
  );
  rmSync(out, { force: true });
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      sizes: { type: 'string', default: '3000,40000,120000,330000' },
      modes: { type: 'string', default: 'delete,wal' },
      workers: { type: 'string' },
      peers: { type: 'string', default: 'sqlite-dissect,fqlite' },
      gb: { type: 'string' },
      dir: { type: 'string' },
      keep: { type: 'boolean', default: false },
    },
  });
  const dir = mkdtempSync(join(values.dir ?? tmpdir(), 'carve-scale-'));
  const peers = values.peers === 'none' ? [] : values.peers.split(',');
  console.log(
    `carve at scale: ${cpus().length} cores, load average ${loadavg()
      .map((l) => l.toFixed(2))
      .join(' ')} at start; workers ${values.workers ?? 'default (1 on 2 cores; cores - 1 from 256 MB on more)'}`,
  );
  try {
    const jobs: Array<{ messages: number; mode: JournalMode }> = [];
    for (const size of values.sizes.split(',').filter(Boolean))
      for (const mode of values.modes.split(','))
        jobs.push({ messages: Number(size), mode: mode.toUpperCase() as JournalMode });
    // A message with its join row, index entries and attachments takes ~565 bytes here (120k messages: 67.7 MB).
    if (values.gb) jobs.push({ messages: Math.round((Number(values.gb) * 1e9) / 565), mode: 'DELETE' });
    for (const job of jobs) {
      const started = Date.now();
      const db = generateSmsDb(dir, { ...job, seed: job.messages + (job.mode === 'WAL' ? 7 : 3), pageSize: 4096 });
      const present = locateDeadRows(db);
      const huge = values.gb !== undefined && job === jobs[jobs.length - 1];
      console.log(
        `\n${job.messages} messages, ${job.mode === 'WAL' ? 'WAL' : 'rollback journal'}: ${(db.bytes / 1e6).toFixed(1)} MB, ` +
          `${db.dead.size} dead versions, ${present.length} with their text still in the files ` +
          `(generated in ${((Date.now() - started) / 1000).toFixed(0)} s, load ${loadavg()[0]!.toFixed(2)})`,
      );
      await runOurs(db, present, values.workers);
      if (!huge) for (const line of await runPeers(peers, db, present, recallLine)) console.log(line);
      if (!values.keep) for (const s of ['', '-wal', '-journal']) rmSync(db.path + s, { force: true });
    }
  } finally {
    if (!values.keep) rmSync(dir, { recursive: true, force: true });
    else console.log(`kept in ${dir}`);
  }
}

await main();
