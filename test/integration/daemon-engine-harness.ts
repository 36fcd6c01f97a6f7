import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createLogger, type LogLevel } from '../../src/logging.js';
import { startDaemon } from '../../src/daemon/daemon.js';
import type { DaemonEvent, DaemonHandle, JobView } from '../../src/daemon/engine-types.js';
import { generateDeviceContent } from '../../src/emulator/content/index.js';
import { itemsContent } from '../../src/emulator/index.js';
import { startTestEmulator, type TestEmulator } from '../helpers/emulator.js';

/** A small phone (a few dozen files), so eight backups take seconds: the daemon's logic is under test, not bulk. */
export const SMALL_PHONE = generateDeviceContent({
  seed: 'daemon-engine',
  contacts: 3,
  messages: 4,
  conversations: 2,
  photos: 1,
  calls: 3,
  events: 2,
  visits: 2,
  reminders: 2,
  voicemails: 1,
  bookmarks: 2,
  whatsappMessages: 2,
  voiceMemos: 1,
  ringtones: 1,
  tracks: 1,
  notes: 6,
});

export interface EngineLab {
  emu: TestEmulator;
  dir: string;
  stateDir: string;
  configPath: string;
  pairRecordDir: string;
  start(): Promise<DaemonHandle>;
  stop(): Promise<void>;
}

/** An emulator with `devices` small phones and a daemon state folder with `config` written as its config file. */
export async function startEngineLab(devices: number, config: Record<string, unknown>): Promise<EngineLab> {
  const dir = await mkdtemp(join(tmpdir(), 'iosr-dmn-'));
  const emu = await startTestEmulator({
    devices,
    seed: 'daemon-engine',
    backup: { content: async () => itemsContent(SMALL_PHONE.items), keybag: { iterations: 10, dpic: 10 } },
  });
  const stateDir = join(dir, 'state');
  const configPath = join(dir, 'config.json');
  const pairRecordDir = join(dir, 'pair-records');
  await writeFile(configPath, JSON.stringify(config));
  const level = (process.env.IOSRESCUE_TEST_DAEMON_LOG as LogLevel | undefined) ?? 'silent';
  const handles: DaemonHandle[] = [];
  return {
    emu,
    dir,
    stateDir,
    configPath,
    pairRecordDir,
    async start() {
      const handle = await startDaemon({
        stateDir,
        configPath,
        pairRecordDir,
        usbmuxdAddress: emu.emulator.usbmuxdSocketAddress,
        logger: createLogger({ level, pretty: false }),
        reconnect: { initialMs: 50, maxMs: 400 },
      });
      handles.push(handle);
      return handle;
    },
    async stop() {
      for (const handle of handles) await handle.close();
      await emu.stop();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/** Resolves when `test` holds for the engine's persisted events (checked on every new event), or fails after `ms`. */
export function waitForEvents(
  handle: DaemonHandle,
  test: (events: DaemonEvent[]) => boolean,
  what: string,
  ms = 30_000,
): Promise<DaemonEvent[]> {
  return new Promise((resolve, reject) => {
    const check = (): boolean => {
      const events = handle.engine.events.since(0, 100_000);
      if (!test(events)) return false;
      clearTimeout(timer);
      clearInterval(poll);
      unsubscribe();
      resolve(events);
      return true;
    };
    // Some conditions (a job slot freed) change just after the last event: look again now and then too.
    const poll = setInterval(() => void check(), 100);
    const timer = setTimeout(() => {
      clearInterval(poll);
      unsubscribe();
      const tail = handle.engine.events
        .since(0, 100_000)
        .slice(-15)
        .map((e) => `${e.id} ${e.kind} ${e.udid ?? ''} ${e.jobId ?? ''} ${JSON.stringify(e.data).slice(0, 160)}`);
      reject(new Error(`timed out waiting for ${what}; last events:\n${tail.join('\n')}`));
    }, ms);
    const unsubscribe = handle.engine.events.subscribe(() => void check());
    check();
  });
}

/** Jobs of one type in a final or given state, from the engine's list. */
export function jobsIn(handle: DaemonHandle, state: JobView['state'], type: JobView['type'] = 'backup'): JobView[] {
  return handle.engine.listJobs({ state, type, limit: 500 }).jobs;
}

/** The device.state sequence of one phone, in event order. */
export function deviceStates(events: DaemonEvent[], udid: string): string[] {
  return events.filter((e) => e.kind === 'device.state' && e.udid === udid).map((e) => String(e.data.state));
}

/** The most jobs running at once, replayed from job.state events. */
export function peakRunning(events: DaemonEvent[]): number {
  const running = new Set<string>();
  let peak = 0;
  for (const e of events) {
    if (e.kind !== 'job.state' || !e.jobId) continue;
    if (e.data.state === 'running') running.add(e.jobId);
    else running.delete(e.jobId);
    peak = Math.max(peak, running.size);
  }
  return peak;
}
