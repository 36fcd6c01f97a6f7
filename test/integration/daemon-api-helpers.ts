import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { serveDaemon, type ServedDaemon } from '../../src/daemon/index.js';
import { createLogger, type LogLevel } from '../../src/logging.js';
import { DaemonClient } from '../../src/operations/daemon-client.js';
import { startTestEmulator, type TestEmulator } from '../helpers/emulator.js';

export interface TestDaemon {
  emu: TestEmulator;
  served: ServedDaemon;
  client: DaemonClient;
  stateDir: string;
  /** For a CLI child process: this daemon's state folder (so the CLI finds its socket) and the emulator's usbmuxd. */
  env: NodeJS.ProcessEnv;
  stop(): Promise<void>;
}

/**
 * The real daemon (engine + HTTP API) in this process against an in-process virtual iPhone, with a config that
 * starts no backup by itself (the tests start them), on a fresh state folder. IOSRESCUE_TEST_DAEMON_LOG=debug shows
 * its log.
 */
export async function startTestDaemon(
  options: { devices?: number; listen?: string; config?: Record<string, unknown> } = {},
): Promise<TestDaemon> {
  const emu = await startTestEmulator({ devices: options.devices ?? 1 });
  const dir = await mkdtemp(join(tmpdir(), 'iosr-dapi-'));
  const stateDir = join(dir, 'state');
  await mkdir(stateDir, { mode: 0o700 });
  const configPath = join(dir, 'config.json');
  await writeFile(configPath, JSON.stringify({ backup: { onAttach: 'none' }, ...options.config }));
  const level = (process.env.IOSRESCUE_TEST_DAEMON_LOG as LogLevel | undefined) ?? 'silent';
  let served: ServedDaemon;
  try {
    served = await serveDaemon({
      stateDir,
      configPath,
      usbmuxdAddress: emu.emulator.usbmuxdSocketAddress,
      logger: createLogger({ level, pretty: false }),
      listen: options.listen,
    });
  } catch (error) {
    await emu.stop();
    await rm(dir, { recursive: true, force: true });
    throw error;
  }
  return {
    emu,
    served,
    client: new DaemonClient(served.api.socketPath),
    stateDir,
    env: { ...emu.env, IOSRESCUE_STATE_DIR: stateDir },
    async stop() {
      await served.close();
      await emu.stop();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/** Waits until the daemon sees `count` phones attached (it learns of them from usbmuxd's Listen). */
export async function waitForDevices(client: DaemonClient, count: number): Promise<void> {
  for (let i = 0; i < 600; i++) {
    const devices = await client.devices();
    if (devices.filter((d) => d.state !== 'detached').length >= count) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`the daemon never saw ${count} phone(s) attached`);
}

/** Checks Prometheus text exposition format line by line; returns the sample names seen. */
export function parsePrometheusText(text: string): Map<string, number[]> {
  const samples = new Map<string, number[]>();
  const sample =
    /^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{(?:[a-zA-Z_][a-zA-Z0-9_]*="(?:[^"\\\n]|\\.)*",?)*\})? (-?[0-9.e+-]+|NaN|\+Inf|-Inf)( -?\d+)?$/;
  for (const line of text.split('\n')) {
    if (line === '') continue;
    if (/^# (HELP|TYPE) [a-zA-Z_:][a-zA-Z0-9_:]* .+$/.test(line)) continue;
    const match = sample.exec(line);
    if (!match) throw new Error(`not Prometheus text: ${line}`);
    const values = samples.get(match[1]!) ?? [];
    values.push(Number(match[3]));
    samples.set(match[1]!, values);
  }
  return samples;
}
