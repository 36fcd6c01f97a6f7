/**
 * The daemon under load: 1, 4 and 16 virtual phones backing up at once through `iosrescue daemon` (jobs submitted
 * over its HTTP API), against the same backups done by as many `iosrescue backup --no-daemon` processes at once
 * (the peer, measured in the same run, on the same emulator and disk). Printed per count: wall time, aggregate MB/s
 * and files/s, and peak RSS (VmHWM) of the daemon process vs the largest and the sum of the CLI processes'.
 * Then, while 16 backups run and 50 SSE clients listen, the latency of `GET /v1/devices` and `GET /v1/jobs`
 * (p50/p99), next to the same requests against the same daemon idle (no job, no stream) in the same run.
 * The emulator, the daemon and each CLI run in their own processes; each daemon run starts on a fresh state folder.
 *
 *   npm run build && node dist/scripts/bench/daemon.js [--files 1000] [--mb 32] [--counts 1,4,16] [--sse 50]
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { DaemonClient, type DaemonJob } from '../../src/operations/index.js';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');
const cli = join(root, 'dist/src/cli/main.js');

interface Peak {
  stop(): number;
}

/** Samples a process's VmHWM (peak resident set, MiB) every 50 ms until stopped or it exits. */
function samplePeak(pid: number): Peak {
  let peakKb = 0;
  const sample = (): void => {
    try {
      const match = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
      if (match) peakKb = Math.max(peakKb, Number(match[1]));
    } catch {
      // exited
    }
  };
  const timer = setInterval(sample, 50);
  sample();
  return {
    stop() {
      sample();
      clearInterval(timer);
      return peakKb / 1024;
    },
  };
}

/** Every emulator and daemon started, so a run that fails leaves none behind. */
const started = new Set<ChildProcess>();

/** Starts a child and resolves once a line of its stdout passes `ready`. */
function startChild(args: string[], env: NodeJS.ProcessEnv, ready: (line: string) => boolean): Promise<ChildProcess> {
  const child = spawn(process.execPath, [cli, ...args], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  started.add(child);
  child.on('exit', () => started.delete(child));
  let stderr = '';
  child.stderr!.on('data', (chunk: Buffer) => (stderr = (stderr + chunk.toString()).slice(-4000)));
  return new Promise((done, fail) => {
    let buffered = '';
    child.stdout!.on('data', (chunk: Buffer) => {
      buffered += chunk.toString();
      if (buffered.split('\n').some(ready)) done(child);
    });
    child.on('exit', (code) => fail(new Error(`${args.join(' ')} exited (${code}): ${stderr}`)));
  });
}

async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return;
  await new Promise<void>((done) => {
    child.once('exit', () => done());
    child.kill('SIGTERM');
  });
}

interface RunFigures {
  seconds: number;
  bytes: number;
  files: number;
  peakMiB: number;
  /** CLI peer only: the largest single process. */
  maxMiB?: number;
  note?: string;
}

async function startDaemon(dir: string, env: NodeJS.ProcessEnv, phones: number) {
  const maxJobs = phones;
  const stateDir = join(dir, `daemon-${Date.now()}`);
  await mkdir(stateDir, { mode: 0o700 });
  const config = join(stateDir, 'config.json');
  await writeFile(config, JSON.stringify({ backup: { onAttach: 'none', full: true }, concurrency: { maxJobs } }));
  const child = await startChild(
    ['--json', '--log-level', 'warn', 'daemon', '--state-dir', stateDir, '--config', config],
    env,
    (line) => line.includes('"ready"'),
  );
  const client = new DaemonClient(join(stateDir, 'daemon.sock'));
  // Measured from when every phone is paired: the daemon pairs (or checks the pairing of) each phone on attach.
  for (let i = 0; i < 1200; i++) {
    const devices = await client.devices();
    if (devices.length >= phones && devices.every((d) => d.state === 'paired' || d.state === 'idle')) break;
    await new Promise((r) => setTimeout(r, 100));
  }
  return { child, client, stateDir };
}

/** Submits one full backup per phone and waits (by polling the job list) until all end. */
async function daemonBackups(
  client: DaemonClient,
  udids: string[],
  out: string,
): Promise<RunFigures & { jobs: DaemonJob[] }> {
  const started = performance.now();
  const submitted = await Promise.all(udids.map((udid) => client.submitJob({ type: 'backup', udid, full: true, out })));
  const ids = new Set(submitted.map((j) => j.id));
  let jobs: DaemonJob[] = [];
  for (;;) {
    jobs = (await client.listJobs({ type: 'backup', limit: 500 })).jobs.filter((j) => ids.has(j.id));
    if (jobs.every((j) => ['succeeded', 'failed', 'cancelled'].includes(j.state))) break;
    await new Promise((r) => setTimeout(r, 100));
  }
  const seconds = (performance.now() - started) / 1000;
  const failed = jobs.filter((j) => j.state !== 'succeeded');
  if (failed.length > 0) throw new Error(`daemon jobs failed: ${JSON.stringify(failed.map((j) => j.error))}`);
  const bytes = jobs.reduce((sum, j) => sum + Number(j.result?.bytes ?? 0), 0);
  const files = jobs.reduce((sum, j) => sum + Number(j.result?.files ?? 0), 0);
  const mean = (f: (j: DaemonJob) => number): number => jobs.reduce((sum, j) => sum + f(j), 0) / jobs.length / 1000;
  const queued = mean((j) => Date.parse(j.startedAt!) - Date.parse(j.createdAt));
  const ran = mean((j) => Date.parse(j.endedAt!) - Date.parse(j.startedAt!));
  return {
    seconds,
    bytes,
    files,
    peakMiB: 0,
    jobs,
    note: `jobs: ${queued.toFixed(2)} s queued, ${ran.toFixed(2)} s running (mean)`,
  };
}

/** The peer: one `iosrescue backup --no-daemon --full` process per phone, all at once. */
async function cliBackups(udids: string[], out: string, env: NodeJS.ProcessEnv): Promise<RunFigures> {
  const started = performance.now();
  const runs = await Promise.all(
    udids.map(
      (udid) =>
        new Promise<{ bytes: number; files: number; peak: number }>((done, fail) => {
          const child = spawn(
            process.execPath,
            [cli, '--json', 'backup', '--no-daemon', '--full', '-u', udid, '--out', out],
            { env, stdio: ['ignore', 'pipe', 'pipe'] },
          );
          const peak = samplePeak(child.pid!);
          let stdout = '';
          let stderr = '';
          child.stdout!.on('data', (c: Buffer) => (stdout += c.toString()));
          child.stderr!.on('data', (c: Buffer) => (stderr = (stderr + c.toString()).slice(-2000)));
          child.on('exit', (code) => {
            const peakMiB = peak.stop();
            if (code !== 0) return fail(new Error(`backup ${udid} exited ${code}: ${stderr}`));
            const result = JSON.parse(
              stdout
                .trim()
                .split('\n')
                .filter((l) => l.includes('"result"'))
                .at(-1)!,
            );
            done({ bytes: result.bytes, files: result.files, peak: peakMiB });
          });
        }),
    ),
  );
  return {
    seconds: (performance.now() - started) / 1000,
    bytes: runs.reduce((s, r) => s + r.bytes, 0),
    files: runs.reduce((s, r) => s + r.files, 0),
    peakMiB: runs.reduce((s, r) => s + r.peak, 0),
    maxMiB: Math.max(...runs.map((r) => r.peak)),
  };
}

/** Opens `count` SSE streams that read (and count) every event until closed. */
function listen(socketPath: string, count: number): { events(): number; close(): void } {
  let events = 0;
  const requests = Array.from({ length: count }, () => {
    const req = request({ socketPath, path: '/v1/events', headers: { accept: 'text/event-stream' } }, (res) => {
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (events += chunk.split('\n\n').length - 1));
      res.on('error', () => undefined);
    });
    req.on('error', () => undefined);
    req.end();
    return req;
  });
  return { events: () => events, close: () => requests.forEach((r) => r.destroy()) };
}

/** GETs `path` back to back until `until()` says stop (at least `min` times); returns the latencies in ms. */
async function latencies(client: DaemonClient, path: string, until: () => boolean, min: number): Promise<number[]> {
  const times: number[] = [];
  while (times.length < min || !until()) {
    const t0 = performance.now();
    await client.request('GET', path);
    times.push(performance.now() - t0);
    await new Promise((r) => setTimeout(r, 10));
  }
  return times;
}

/** The daemon's event-loop delay (prom-client's monitorEventLoopDelay, reset at each scrape): whether slow replies
 * come from the daemon blocking its loop or from waiting for a CPU on a busy machine. */
function eventLoopLag(socketPath: string): Promise<string> {
  return new Promise((done, fail) => {
    const req = request({ socketPath, path: '/metrics' }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (text += chunk));
      res.on('end', () => {
        const value = (name: string): string => {
          const match = new RegExp(`^iosrescue_nodejs_eventloop_lag_${name}_seconds (\\S+)$`, 'm').exec(text);
          return match ? `${(Number(match[1]) * 1000).toFixed(0)} ms` : '?';
        };
        done(`p50 ${value('p50')}, p99 ${value('p99')}, max ${value('max')}`);
      });
    });
    req.on('error', fail);
    req.end();
  });
}

function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

const mb = (bytes: number): string => (bytes / 1e6).toFixed(0);
function row(who: string, count: number, f: RunFigures): string {
  const rss =
    f.maxMiB === undefined
      ? `${f.peakMiB.toFixed(0)} MiB daemon`
      : `${f.peakMiB.toFixed(0)} MiB sum, ${f.maxMiB.toFixed(0)} max`;
  return `${String(count).padStart(2)} phones  ${who.padEnd(20)} ${f.seconds.toFixed(2).padStart(7)} s  ${(f.bytes / 1e6 / f.seconds).toFixed(1).padStart(6)} MB/s  ${Math.round(
    f.files / f.seconds,
  )
    .toString()
    .padStart(6)} files/s  ${mb(f.bytes)} MB ${f.files} files  peak RSS ${rss}`;
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      files: { type: 'string', default: '1000' },
      mb: { type: 'string', default: '32' },
      counts: { type: 'string', default: '1,4,16' },
      sse: { type: 'string', default: '50' },
      dir: { type: 'string', default: tmpdir() },
    },
  });
  const counts = values.counts.split(',').map(Number);
  const phones = Math.max(16, ...counts);
  const dir = await mkdtemp(join(values.dir, 'iosr-bench-daemon-'));
  const socket = join(dir, 'mux.sock');
  const baseEnv = { ...process.env, USBMUXD_SOCKET_ADDRESS: `UNIX:${socket}`, IOSRESCUE_HOME: join(dir, 'home') };
  const emulator = await startChild(
    [
      '--log-level',
      'warn',
      'emulator',
      '--socket',
      socket,
      '--devices',
      String(phones),
      '--state-dir',
      join(dir, 'phones'),
      '--content',
      `generated:files=${values.files},bytes=${values.mb}M`,
    ],
    baseEnv,
    (line) => line.includes('USBMUXD_SOCKET_ADDRESS'),
  );
  try {
    const probe = await startDaemon(dir, baseEnv, phones);
    const udids = (await probe.client.devices()).map((d) => d.udid).sort();
    await stopChild(probe.child);
    process.stdout.write(
      `${phones} virtual phones, each ${values.files} files / ${values.mb} MiB; load average ${readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ')}\n`,
    );
    let latencyReport = '';
    for (const count of counts) {
      const chosen = udids.slice(0, count);
      // The daemon first, then the CLI processes, each writing fresh backups to its own folder.
      const daemon = await startDaemon(dir, baseEnv, phones);
      const peak = samplePeak(daemon.child.pid!);
      let streams: ReturnType<typeof listen> | undefined;
      let figures: RunFigures;
      if (count === Math.max(...counts)) {
        // Idle baseline first (same daemon, no job, no stream), then the same requests under load.
        const idleDevices = await latencies(daemon.client, '/v1/devices', () => true, 100);
        const idleJobs = await latencies(daemon.client, '/v1/jobs', () => true, 100);
        const idleLag = await eventLoopLag(join(daemon.stateDir, 'daemon.sock'));
        streams = listen(join(daemon.stateDir, 'daemon.sock'), Number(values.sse));
        let done = false;
        const run = daemonBackups(daemon.client, chosen, join(dir, `out-daemon-${count}`)).finally(() => (done = true));
        const [busyDevices, busyJobs, result] = await Promise.all([
          latencies(daemon.client, '/v1/devices', () => done, 20),
          latencies(daemon.client, '/v1/jobs', () => done, 20),
          run,
        ]);
        figures = result;
        const busyLag = await eventLoopLag(join(daemon.stateDir, 'daemon.sock'));
        const fmt = (label: string, busy: number[], idle: number[]): string =>
          `  ${label.padEnd(16)} p50 ${percentile(busy, 50).toFixed(1)} ms, p99 ${percentile(busy, 99).toFixed(1)} ms (${busy.length} requests) | idle p50 ${percentile(idle, 50).toFixed(1)} ms, p99 ${percentile(idle, 99).toFixed(1)} ms`;
        latencyReport =
          `API latency while ${count} backups run and ${values.sse} SSE clients listen (${streams.events()} events delivered to them):\n` +
          `${fmt('GET /v1/devices', busyDevices, idleDevices)}\n${fmt('GET /v1/jobs', busyJobs, idleJobs)}\n` +
          `  daemon event-loop delay during the backups: ${busyLag} (while idle before: ${idleLag})\n`;
        streams.close();
      } else {
        figures = await daemonBackups(daemon.client, chosen, join(dir, `out-daemon-${count}`));
      }
      figures.peakMiB = peak.stop();
      await stopChild(daemon.child);
      await rm(join(dir, `out-daemon-${count}`), { recursive: true, force: true });
      process.stdout.write(`${row('daemon jobs', count, figures)}\n           ${figures.note}\n${latencyReport}`);
      latencyReport = '';
      const peer = await cliBackups(chosen, join(dir, `out-cli-${count}`), baseEnv);
      await rm(join(dir, `out-cli-${count}`), { recursive: true, force: true });
      process.stdout.write(`${row('backup --no-daemon', count, peer)}\n`);
      process.stdout.write(`           daemon / CLI throughput: ${(peer.seconds / figures.seconds).toFixed(2)}×\n`);
    }
    process.stdout.write(
      `load average after: ${readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ')}\n`,
    );
  } finally {
    for (const child of started) if (child !== emulator) await stopChild(child);
    await stopChild(emulator);
    await rm(dir, { recursive: true, force: true });
  }
}

await main();
