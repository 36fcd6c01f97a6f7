/**
 * Media pull throughput: `iosrescue media pull` over AFC from the virtual iPhone serving a folder (`emulator --media
 * DIR`), next to a plain `cp -r` of the same folder on the same disk (the ceiling: no protocol, no phone) and, with
 * --appium, appium-ios-device's AFC client pulling the same tree (walkDir + createReadStream, as its README shows), in
 * the same run. The tree is `--files` JPEG-like files (a JPEG header, then bytes cut from a seeded random pool, so
 * nothing compresses) totalling `--bytes`, in DCIM/100APPLE… folders of 1,000 like a phone's. Each tool copies into a
 * fresh folder after a `sync`, `--rounds` times in alternating order; the best run counts, all are listed. Figures:
 * wall time, MB/s and files/s, and peak RSS (VmHWM of the tool's process, sampled every 50 ms). The emulator runs in
 * its own process, so its work is not in our RSS; it shares the machine's cores with the tool being measured.
 *
 *   npm run build && node dist/scripts/bench/media.js [--files 5000] [--bytes 2G] [--rounds 2] [--appium] [--dir /tmp]
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { createWriteStream, existsSync, readFileSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');
const cli = join(root, 'dist/src/cli/main.js');
const self = fileURLToPath(import.meta.url);
const POOL_BYTES = 16 * 1024 * 1024;

interface Measured {
  seconds: number;
  peakRssMiB: number;
  output: string;
  code: number | null;
}

function parseSize(text: string): number {
  const match = /^(\d+(?:\.\d+)?)([kmg]?)$/i.exec(text.trim());
  if (!match) throw new Error(`not a size: ${text}`);
  const unit = { '': 1, k: 1024, m: 1024 ** 2, g: 1024 ** 3 }[match[2]!.toLowerCase() as '' | 'k' | 'm' | 'g'];
  return Math.round(Number(match[1]) * unit);
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

/** File i's size: the average ±50 %, fixed by i, and the last file takes what is left so the total is exact. */
function sizes(files: number, bytes: number): number[] {
  const average = bytes / files;
  const out = Array.from({ length: files }, (_, i) =>
    Math.max(4, Math.floor(average * (0.5 + ((i * 7919) % 1000) / 1000))),
  );
  const sum = out.reduce((a, b) => a + b, 0);
  out[files - 1] = Math.max(4, out[files - 1]! + bytes - sum);
  return out;
}

async function makeTree(dir: string, files: number, bytes: number): Promise<void> {
  const pool = randomBytes(POOL_BYTES);
  const jpegHead = Buffer.from([0xff, 0xd8, 0xff, 0xe0]);
  const all = sizes(files, bytes);
  for (let i = 0; i < files; i++) {
    const folder = join(dir, 'DCIM', `${100 + Math.floor(i / 1000)}APPLE`);
    if (i % 1000 === 0) await mkdir(folder, { recursive: true });
    const size = all[i]!;
    const start = (i * 104_729) % (POOL_BYTES - 1);
    async function* body(): AsyncGenerator<Buffer> {
      yield jpegHead.subarray(0, Math.min(4, size));
      let left = size - Math.min(4, size);
      let at = start;
      while (left > 0) {
        const piece = pool.subarray(at, Math.min(POOL_BYTES, at + left));
        yield piece;
        left -= piece.length;
        at = 0;
      }
    }
    await pipeline(body(), createWriteStream(join(folder, `IMG_${String(i + 1).padStart(4, '0')}.JPG`)));
  }
}

async function treeDigest(dir: string): Promise<string> {
  const hash = createHash('sha256');
  const entries = (await readdir(dir, { recursive: true, withFileTypes: true }))
    .filter((e) => e.isFile() && !e.name.startsWith('.iosrescue'))
    .map((e) => join(e.parentPath, e.name))
    .sort();
  for (const file of entries) {
    hash.update(relative(dir, file));
    hash.update(readFileSync(file));
  }
  return hash.digest('hex');
}

async function startEmulator(dir: string, media: string): Promise<{ child: ChildProcess; env: NodeJS.ProcessEnv }> {
  const socket = join(dir, 'mux.sock');
  const child = spawn(
    process.execPath,
    [cli, '--log-level', 'warn', 'emulator', '--socket', socket, '--state-dir', join(dir, 'phone'), '--media', media],
    { stdio: ['pipe', 'pipe', 'inherit'] },
  );
  await new Promise<void>((ready, fail) => {
    child.stdout!.on('data', (chunk: Buffer) => {
      if (chunk.toString().includes('USBMUXD_SOCKET_ADDRESS')) ready();
    });
    child.on('exit', (code) => fail(new Error(`the emulator exited (${code})`)));
  });
  return {
    child,
    env: { ...process.env, USBMUXD_SOCKET_ADDRESS: `UNIX:${socket}`, IOSRESCUE_HOME: join(dir, 'home'), _TESTING: '1' },
  };
}

/** `--appium-worker SOCKET OUT`: appium-ios-device pulls /DCIM into OUT (run in its own process for its RSS). */
async function appiumWorker(socketPath: string, out: string): Promise<void> {
  const { getDefaultSocket, Usbmux } = await import('appium-ios-device/build/lib/usbmux/index.js');
  const { startAfcService } = await import('appium-ios-device/build/lib/services.js');
  const usbmux = new Usbmux(await getDefaultSocket({ socketPath }));
  const [device] = (await usbmux.listDevices()) as Array<{ Properties: { SerialNumber: string } }>;
  usbmux.close();
  // Each step opens its own usbmuxd connection from USBMUXD_SOCKET_ADDRESS (a socket passed in would be reused).
  const afc = await startAfcService(device!.Properties.SerialNumber);
  const files: string[] = [];
  await afc.walkDir('/DCIM', true, async (path: string, isDirectory: boolean) => {
    if (isDirectory) await mkdir(join(out, path), { recursive: true });
    else files.push(path);
  });
  for (const path of files) await pipeline(await afc.createReadStream(path, {}), createWriteStream(join(out, path)));
  afc.close();
}

function row(tool: string, bytes: number, files: number, m: Measured): string {
  return `${tool.padEnd(22)} ${m.seconds.toFixed(2).padStart(8)} s ${(bytes / 1e6 / m.seconds).toFixed(1).padStart(8)} MB/s ${Math.round(
    files / m.seconds,
  )
    .toString()
    .padStart(7)} files/s ${m.peakRssMiB.toFixed(0).padStart(6)} MiB peak`;
}

async function main(): Promise<void> {
  if (process.argv[2] === '--appium-worker') return appiumWorker(process.argv[3]!, process.argv[4]!);
  const { values } = parseArgs({
    options: {
      files: { type: 'string', default: '500' },
      bytes: { type: 'string', default: '200M' },
      rounds: { type: 'string', default: '2' },
      appium: { type: 'boolean', default: false },
      dir: { type: 'string', default: tmpdir() },
    },
  });
  if (!existsSync(cli)) throw new Error('build first: npm run build');
  const files = Number(values.files);
  const bytes = parseSize(values.bytes!);
  const rounds = Math.max(1, Number(values.rounds));
  const dir = await mkdtemp(join(values.dir!, 'iosr-bench-media-'));
  const media = join(dir, 'phone-media');
  let emulator: ChildProcess | undefined;
  try {
    console.log(
      `media benchmark: node ${process.version}, ${new Date().toISOString()}, load ${readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ')}`,
    );
    const made = Date.now();
    await makeTree(media, files, bytes);
    console.log(`tree: ${files} files, ${(bytes / 1e6).toFixed(0)} MB in ${((Date.now() - made) / 1000).toFixed(1)} s`);
    const source = await treeDigest(media);
    const started = await startEmulator(dir, media);
    emulator = started.child;
    const { env } = started;
    const paired = spawnSync(process.execPath, [cli, 'pair'], { env, encoding: 'utf8' });
    if (paired.status !== 0) throw new Error(`iosrescue pair: ${paired.stderr}`);
    if (values.appium) {
      const theirs = spawnSync('idevicepair', ['pair'], { env, encoding: 'utf8' });
      if (!theirs.stdout?.includes('SUCCESS'))
        throw new Error('--appium needs idevicepair (libimobiledevice-utils) to pair through usbmuxd');
    }
    const runs: Record<string, Measured[]> = { 'cp -r': [], 'iosrescue media pull': [], 'appium-ios-device AFC': [] };
    const check = async (out: string, tool: string): Promise<void> => {
      const digest = await treeDigest(out);
      if (digest !== source) throw new Error(`${tool}: the copy differs from the source tree`);
      await rm(out, { recursive: true, force: true });
    };
    const tools: Array<[string, () => Promise<void>]> = [
      [
        'cp -r',
        async () => {
          spawnSync('sync');
          const out = join(dir, 'cp');
          await mkdir(out, { recursive: true });
          const run = await measure('cp', ['-r', join(media, 'DCIM'), join(out, 'DCIM')], env);
          if (run.code !== 0) throw new Error(`cp -r failed: ${run.output}`);
          runs['cp -r']!.push(run);
          await check(out, 'cp -r');
        },
      ],
      [
        'iosrescue media pull',
        async () => {
          spawnSync('sync');
          const out = join(dir, 'ours');
          const run = await measure(
            process.execPath,
            [cli, '--log-level', 'warn', 'media', 'pull', '--out', out, '--json'],
            env,
          );
          if (run.code !== 0) throw new Error(`iosrescue media pull failed: ${run.output}`);
          runs['iosrescue media pull']!.push(run);
          await check(out, 'iosrescue');
        },
      ],
    ];
    if (values.appium)
      tools.push([
        'appium-ios-device AFC',
        async () => {
          spawnSync('sync');
          const out = join(dir, 'appium');
          const run = await measure(process.execPath, [self, '--appium-worker', join(dir, 'mux.sock'), out], env);
          if (run.code !== 0) throw new Error(`appium-ios-device pull failed: ${run.output}`);
          runs['appium-ios-device AFC']!.push(run);
          await check(out, 'appium-ios-device');
        },
      ]);
    for (let round = 0; round < rounds; round++) {
      const order = round % 2 === 0 ? tools : [...tools].reverse();
      for (const [, runTool] of order) await runTool();
    }
    console.log('tool                   wall time     content rate  file rate    peak RSS');
    const best = (list: Measured[]): Measured => list.reduce((a, b) => (b.seconds < a.seconds ? b : a));
    for (const [tool, list] of Object.entries(runs)) {
      if (list.length === 0) continue;
      console.log(`${row(tool, bytes, files, best(list))}   runs ${list.map((r) => r.seconds.toFixed(1)).join('/')} s`);
    }
    const ours = best(runs['iosrescue media pull']!);
    const cp = best(runs['cp -r']!);
    console.log(`iosrescue media pull reaches ${((cp.seconds / ours.seconds) * 100).toFixed(0)}% of cp -r's MB/s`);
    if (runs['appium-ios-device AFC']!.length > 0)
      console.log(
        `iosrescue vs appium-ios-device: ${(best(runs['appium-ios-device AFC']!).seconds / ours.seconds).toFixed(1)}x faster`,
      );
    console.log('(every copy was checked equal to the source tree, names and bytes)');
  } finally {
    emulator?.kill();
    await rm(dir, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
