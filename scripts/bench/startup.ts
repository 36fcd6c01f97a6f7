/**
 * CLI start-up: `iosrescue --help`, `--version`, one command's `--help` and a whole `carve --json` of a two-page
 * database (start-up is nearly all of it), next to `node -e 0` (the floor: Node's own start-up) measured in the same
 * run, interleaved so that load on the machine hits all alike. Median (and minimum) of N runs.
 * Run: npm run build && node dist/scripts/bench/startup.js [--runs 30]
 */
import Database from 'better-sqlite3';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const { values } = parseArgs({ options: { runs: { type: 'string', default: '30' } } });
const runs = Number(values.runs);
const cli = join(dirname(fileURLToPath(import.meta.url)), '../../src/cli/main.js');

/** A table with one deleted row, so the carve has a record to print. */
function tinyDatabase(dir: string): string {
  const path = join(dir, 'tiny.db');
  const db = new Database(path);
  db.exec("CREATE TABLE t (a INTEGER, b TEXT); INSERT INTO t VALUES (1, 'kept'), (2, 'deleted row');");
  db.exec('DELETE FROM t WHERE a = 2');
  db.close();
  return path;
}
const scratch = mkdtempSync(join(tmpdir(), 'startup-bench-'));
const tiny = tinyDatabase(scratch);

const cases: Array<{ name: string; args: string[] }> = [
  { name: 'node -e 0 (floor)', args: ['-e', '0'] },
  { name: 'iosrescue --help', args: [cli, '--help'] },
  { name: 'iosrescue --version', args: [cli, '--version'] },
  { name: 'iosrescue carve --help', args: [cli, 'carve', '--help'] },
  { name: 'iosrescue extract --help', args: [cli, 'extract', '--help'] },
  { name: 'iosrescue --json carve tiny.db', args: [cli, '--json', 'carve', tiny] },
];

function seconds(args: string[]): number {
  const started = process.hrtime.bigint();
  const result = spawnSync(process.execPath, args, { stdio: ['ignore', 'ignore', 'inherit'] });
  if (result.status !== 0) throw new Error(`${args.join(' ')} exited ${result.status}`);
  return Number(process.hrtime.bigint() - started) / 1e9;
}

const samples = cases.map(() => [] as number[]);
try {
  for (let i = 0; i < runs; i++) cases.forEach((c, k) => samples[k]!.push(seconds(c.args)));
} finally {
  rmSync(scratch, { recursive: true, force: true });
}
const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const floor = median(samples[0]!);
console.log(`start-up, median (min) of ${runs} runs each (interleaved), load ${loadavg()[0]!.toFixed(2)}`);
cases.forEach((c, k) => {
  const m = median(samples[k]!);
  const min = Math.min(...samples[k]!);
  console.log(
    `  ${c.name.padEnd(30)} ${(m * 1000).toFixed(0).padStart(5)} ms (${(min * 1000).toFixed(0).padStart(4)})  ${(m / floor).toFixed(2)}x node -e 0`,
  );
});
