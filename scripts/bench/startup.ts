/**
 * CLI start-up: `iosrescue --help`, `--version` and one command's `--help`, next to `node -e 0` (the floor: Node's
 * own start-up) measured in the same run, interleaved so that load on the machine hits all alike. Median of N runs.
 * Run: npm run build && node dist/scripts/bench/startup.js [--runs 30]
 */
import { spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const { values } = parseArgs({ options: { runs: { type: 'string', default: '30' } } });
const runs = Number(values.runs);
const cli = join(dirname(fileURLToPath(import.meta.url)), '../../src/cli/main.js');

const cases: Array<{ name: string; args: string[] }> = [
  { name: 'node -e 0 (floor)', args: ['-e', '0'] },
  { name: 'iosrescue --help', args: [cli, '--help'] },
  { name: 'iosrescue --version', args: [cli, '--version'] },
  { name: 'iosrescue carve --help', args: [cli, 'carve', '--help'] },
  { name: 'iosrescue extract --help', args: [cli, 'extract', '--help'] },
];

function seconds(args: string[]): number {
  const started = process.hrtime.bigint();
  const result = spawnSync(process.execPath, args, { stdio: ['ignore', 'ignore', 'inherit'] });
  if (result.status !== 0) throw new Error(`${args.join(' ')} exited ${result.status}`);
  return Number(process.hrtime.bigint() - started) / 1e9;
}

const samples = cases.map(() => [] as number[]);
for (let i = 0; i < runs; i++) cases.forEach((c, k) => samples[k]!.push(seconds(c.args)));
const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const floor = median(samples[0]!);
console.log(`start-up, median of ${runs} runs each (interleaved)`);
cases.forEach((c, k) => {
  const m = median(samples[k]!);
  console.log(`  ${c.name.padEnd(28)} ${(m * 1000).toFixed(0).padStart(5)} ms  ${(m / floor).toFixed(2)}x node -e 0`);
});
