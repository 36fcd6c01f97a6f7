/**
 * Backup throughput: `iosrescue backup --full` against Debian's `idevicebackup2 backup --full` (the reference host),
 * both pulling the same generated phone from the same virtual iPhone, in the same run. The emulator runs in its own
 * process (`iosrescue emulator --content generated:…`), so each tool's figures are its own: wall time, MB/s and
 * files/s of content, and peak RSS (VmHWM of the tool's process, sampled every 50 ms). Scenarios:
 *   big      1 GiB in 5,000 files (one in 50 is a large video, the rest ~50 KB photos)
 *   small    256 MiB, same shape (with big: memory must not grow with bytes)
 *   many     200,000 files, 400 MiB (one in 1,000 is large)
 *   fewer    20,000 files, 40 MiB (with many: memory must not grow with file count)
 * Each tool writes to a fresh folder on the same disk, after a `sync` so neither pays for the other's writeback;
 * each runs `--rounds` times in alternating order and its best run is reported, with all runs listed.
 * iosrescue makes the backup durable before it replaces the previous one (a filesystem sync at the commit);
 * idevicebackup2 never syncs, so it is shown twice: when it returns, and with the `sync` that puts its data on disk.
 *
 *   npm run build && node dist/scripts/bench/backup.js [--only big,many] [--rounds 2] [--dir /tmp]
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');
const cli = join(root, 'dist/src/cli/main.js');
const MiB = 1024 * 1024;

interface Scenario {
  name: string;
  files: number;
  bytes: number;
  large: number;
}

const SCENARIOS: Scenario[] = [
  { name: 'small', files: 5_000, bytes: 256 * MiB, large: 50 },
  { name: 'big', files: 5_000, bytes: 1024 * MiB, large: 50 },
  { name: 'fewer', files: 20_000, bytes: 40 * MiB, large: 1000 },
  { name: 'many', files: 200_000, bytes: 400 * MiB, large: 1000 },
];

interface Measured {
  seconds: number;
  peakRssMiB: number;
  output: string;
  code: number | null;
}

/** Runs a command to completion, sampling its VmHWM (peak resident set) until it exits. */
function measure(command: string, args: string[], env: NodeJS.ProcessEnv): Promise<Measured> {
  return new Promise((done, fail) => {
    const started = process.hrtime.bigint();
    const child = spawn(command, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output = (output + chunk.toString()).slice(-4000)));
    child.stderr.on('data', (chunk: Buffer) => (output = (output + chunk.toString()).slice(-4000)));
    let peakKb = 0;
    const sample = (): void => {
      try {
        const match = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${child.pid}/status`, 'utf8'));
        if (match) peakKb = Math.max(peakKb, Number(match[1]));
      } catch {
        // The process has just exited.
      }
    };
    const timer = setInterval(sample, 50);
    child.on('error', fail);
    child.on('exit', (code) => {
      clearInterval(timer);
      done({ seconds: Number(process.hrtime.bigint() - started) / 1e9, peakRssMiB: peakKb / 1024, output, code });
    });
  });
}

async function startEmulator(
  dir: string,
  scenario: Scenario,
): Promise<{ child: ChildProcess; env: NodeJS.ProcessEnv }> {
  const socket = join(dir, 'mux.sock');
  const child = spawn(
    process.execPath,
    [
      cli,
      '--log-level',
      'warn',
      'emulator',
      '--socket',
      socket,
      '--state-dir',
      join(dir, 'phone'),
      '--content',
      `generated:files=${scenario.files},bytes=${scenario.bytes},large=${scenario.large}`,
    ],
    {
      stdio: ['pipe', 'pipe', 'inherit'],
    },
  );
  await new Promise<void>((ready, fail) => {
    child.stdout!.on('data', (chunk: Buffer) => {
      if (chunk.toString().includes('USBMUXD_SOCKET_ADDRESS')) ready();
    });
    child.on('exit', (code) => fail(new Error(`the emulator exited (${code})`)));
  });
  return {
    child,
    env: { ...process.env, USBMUXD_SOCKET_ADDRESS: `UNIX:${socket}`, IOSRESCUE_HOME: join(dir, 'home') },
  };
}

function row(tool: string, scenario: Scenario, m: Measured): string {
  const mb = scenario.bytes / 1e6;
  return `${scenario.name.padEnd(6)} ${tool.padEnd(15)} ${m.seconds.toFixed(2).padStart(8)} s ${(mb / m.seconds).toFixed(1).padStart(8)} MB/s ${Math.round(
    scenario.files / m.seconds,
  )
    .toString()
    .padStart(8)} files/s ${m.peakRssMiB.toFixed(0).padStart(6)} MiB peak`;
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      only: { type: 'string' },
      dir: { type: 'string', default: tmpdir() },
      rounds: { type: 'string', default: '2' },
    },
  });
  const rounds = Math.max(1, Number(values.rounds));
  for (const tool of ['idevicebackup2', 'idevicepair']) {
    if (spawnSync('which', [tool]).status !== 0)
      throw new Error(`${tool} is missing: apt-get install libimobiledevice-utils (npm test installs it as root)`);
  }
  if (!existsSync(cli)) throw new Error('build first: npm run build');
  const wanted = values.only?.split(',');
  const scenarios = SCENARIOS.filter((s) => !wanted || wanted.includes(s.name));
  console.log(`backup benchmark: node ${process.version}, ${new Date().toISOString()}`);
  console.log('scenario tool            wall time     content rate    file rate    peak RSS');
  console.log('(peak RSS: VmHWM sampled every 50 ms; a C program vs Node.js, whose runtime alone is ~45 MiB)');
  const results: Array<{ scenario: Scenario; ours: Measured; theirs: Measured }> = [];
  for (const scenario of scenarios) {
    const dir = await mkdtemp(join(values.dir!, 'iosr-bench-backup-'));
    const { child, env } = await startEmulator(dir, scenario);
    try {
      const paired = spawnSync('idevicepair', ['pair'], { env, encoding: 'utf8' });
      if (!paired.stdout.includes('SUCCESS')) throw new Error(`idevicepair: ${paired.stdout}${paired.stderr}`);
      const ourPair = spawnSync(process.execPath, [cli, 'pair'], { env, encoding: 'utf8' });
      if (ourPair.status !== 0) throw new Error(`iosrescue pair: ${ourPair.stderr}`);
      // This machine's disk varied 2.5x between identical runs: each tool runs `rounds` times, in alternating order
      // (ours first in odd rounds), and the best run of each counts. Before every run `sync` empties the page
      // cache's dirty data, so neither tool pays for the other's writeback.
      const theirRuns: Measured[] = [];
      const theirDurableRuns: Measured[] = [];
      const ourRuns: Measured[] = [];
      const runTheirs = async (): Promise<void> => {
        await mkdir(join(dir, 'theirs'));
        spawnSync('sync');
        const run = await measure('idevicebackup2', ['backup', '--full', join(dir, 'theirs')], env);
        if (run.code !== 0 || !run.output.includes('Backup Successful'))
          throw new Error(`idevicebackup2 failed: ${run.output}`);
        // What idevicebackup2 left in the page cache reaching the disk: the part of a backup it does not wait for.
        const flushStarted = process.hrtime.bigint();
        spawnSync('sync');
        theirRuns.push(run);
        theirDurableRuns.push({ ...run, seconds: run.seconds + Number(process.hrtime.bigint() - flushStarted) / 1e9 });
        await rm(join(dir, 'theirs'), { recursive: true, force: true });
      };
      const runOurs = async (): Promise<void> => {
        spawnSync('sync');
        const run = await measure(
          process.execPath,
          [cli, '--log-level', 'warn', 'backup', '--full', '--out', join(dir, 'ours'), '--json'],
          env,
        );
        if (run.code !== 0) throw new Error(`iosrescue backup failed: ${run.output}`);
        ourRuns.push(run);
        await rm(join(dir, 'ours'), { recursive: true, force: true });
      };
      for (let round = 0; round < rounds; round++) {
        if (round % 2 === 0) {
          await runTheirs();
          await runOurs();
        } else {
          await runOurs();
          await runTheirs();
        }
      }
      const best = (runs: Measured[]): Measured => runs.reduce((a, b) => (b.seconds < a.seconds ? b : a));
      const spread = (runs: Measured[]): string => runs.map((r) => r.seconds.toFixed(1)).join('/');
      const theirs = best(theirRuns);
      const theirsDurable = best(theirDurableRuns);
      const ours = best(ourRuns);
      console.log(`${row('idevicebackup2', scenario, theirs)}   runs ${spread(theirRuns)} s`);
      console.log(row('  … + sync', scenario, theirsDurable));
      console.log(`${row('iosrescue', scenario, ours)}   runs ${spread(ourRuns)} s`);
      console.log(
        `${scenario.name.padEnd(6)} speed ours vs idevicebackup2: ${(theirs.seconds / ours.seconds).toFixed(2)}x (vs its return), ` +
          `${(theirsDurable.seconds / ours.seconds).toFixed(2)}x (vs its data on disk); memory ${(ours.peakRssMiB / theirs.peakRssMiB).toFixed(1)}x`,
      );
      results.push({ scenario, ours, theirs });
    } finally {
      child.kill('SIGINT');
      await new Promise((r) => child.once('exit', r));
      await rm(dir, { recursive: true, force: true });
    }
  }
  const pairs: Array<[string, string]> = [
    ['small', 'big'],
    ['fewer', 'many'],
  ];
  for (const [a, b] of pairs) {
    const x = results.find((r) => r.scenario.name === a);
    const y = results.find((r) => r.scenario.name === b);
    if (x && y)
      console.log(
        `memory growth ${a} → ${b}: iosrescue ${x.ours.peakRssMiB.toFixed(0)} → ${y.ours.peakRssMiB.toFixed(0)} MiB, idevicebackup2 ${x.theirs.peakRssMiB.toFixed(0)} → ${y.theirs.peakRssMiB.toFixed(0)} MiB`,
      );
  }
}

main().catch((error: unknown) => {
  console.error((error as Error).message);
  process.exit(1);
});
