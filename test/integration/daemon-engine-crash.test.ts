import { type ChildProcess, spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DaemonEvent } from '../../src/daemon/engine-types.js';
import { listBackups, scanBackup } from '../../src/operations/index.js';
import { repoRoot } from '../helpers/cli.js';
import { startEngineLab, waitForEvents, type EngineLab } from './daemon-engine-harness.js';

/**
 * The daemon in a child process, killed with SIGKILL while two backups run (a third waits for a slot), then started
 * again: no job or event is missing, the previous backups are untouched, the interrupted jobs are retried and
 * succeed. Then SIGTERM while backups run: the daemon drains (jobs saved as interrupted) and exits.
 */
const built = existsSync(join(repoRoot, 'dist/src/daemon/daemon.js'));
const childScript = join(dirname(fileURLToPath(import.meta.url)), 'daemon-engine-child.mjs');
const BACKUP_FILES = ['Manifest.db', 'Manifest.plist', 'Info.plist', 'Status.plist'];

let lab: EngineLab;
let child: ChildProcess | undefined;

beforeAll(async () => {
  if (!built) return;
  lab = await startEngineLab(3, {
    backup: { onAttach: 'all', minIntervalHours: 0 },
    concurrency: { maxJobs: 2 },
    retry: { maxAttempts: 3, backoffSeconds: 0.1 },
  });
});
afterAll(async () => {
  child?.kill('SIGKILL');
  await lab?.stop();
});

function startChild(): Promise<ChildProcess> {
  const options = {
    stateDir: lab.stateDir,
    configPath: lab.configPath,
    pairRecordDir: lab.pairRecordDir,
    usbmuxdAddress: lab.emu.emulator.usbmuxdSocketAddress,
  };
  const proc = spawn(process.execPath, [childScript, JSON.stringify(options)], {
    env: { ...process.env, IOSRESCUE_LOG_LEVEL: 'warn' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  proc.stderr!.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  return new Promise((resolve, reject) => {
    proc.stdout!.once('data', () => resolve(proc));
    proc.once('exit', (code) => reject(new Error(`the daemon child exited (${code}) before starting:\n${stderr}`)));
  });
}

/** The daemon's database as another process sees it (read-only, beside the writer: WAL). */
function readDb(): { jobs: Array<Record<string, unknown>>; events: DaemonEvent[] } {
  const db = new Database(join(lab.stateDir, 'daemon.db'), { readonly: true, fileMustExist: true });
  try {
    const jobs = db.prepare('SELECT * FROM jobs ORDER BY id').all() as Array<Record<string, unknown>>;
    const rows = db.prepare('SELECT * FROM events ORDER BY id').all() as Array<Record<string, string | number | null>>;
    const events = rows.map((r) => ({
      id: Number(r.id),
      time: String(r.time),
      kind: r.kind as DaemonEvent['kind'],
      ...(r.udid !== null && { udid: String(r.udid) }),
      ...(r.job_id !== null && { jobId: String(r.job_id) }),
      data: JSON.parse(String(r.data)) as Record<string, unknown>,
    }));
    return { jobs, events };
  } finally {
    db.close();
  }
}

async function until(test: () => boolean, what: string, ms = 30_000): Promise<void> {
  const end = Date.now() + ms;
  while (!test()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** Two backups transferring (the phones stall mid-upload) and the third waiting for a slot. */
function twoTransferring(): boolean {
  const { jobs } = readDb();
  const running = jobs.filter((j) => j.state === 'running' && String(j.progress ?? '').includes('transferring'));
  return running.length === 2 && jobs.some((j) => j.state === 'queued');
}

async function fingerprint(backupDir: string): Promise<string> {
  const hash = createHash('sha256');
  for (const name of BACKUP_FILES) hash.update(name).update(await readFile(join(backupDir, name)));
  return hash.digest('hex');
}

describe.skipIf(!built)('daemon engine after kill -9 (needs the build: npm run build)', () => {
  it('loses no job or event, keeps previous backups, retries interrupted jobs', { timeout: 150_000 }, async () => {
    // First generation: every phone backed up by an in-process daemon.
    const first = await lab.start();
    await waitForEvents(
      first,
      () => lab.emu.udids.every((u) => first.engine.device(u)?.state === 'done'),
      'the first backups',
      60_000,
    );
    await first.close();
    const previous = new Map<string, string>();
    for (const udid of lab.emu.udids) previous.set(udid, await fingerprint(join(lab.stateDir, 'backups', udid)));

    // Second generation in a child process, killed while the phones are mid-upload.
    lab.emu.emulator.backup.faults.stall = 'mid-upload';
    child = await startChild();
    await until(twoTransferring, 'two backups transferring');
    const before = readDb();
    child.kill('SIGKILL');
    await new Promise((resolve) => child!.once('exit', resolve));
    child = undefined;
    const atKill = readDb();
    const interruptedIds = atKill.jobs.filter((j) => j.state === 'running').map((j) => String(j.id));
    expect(interruptedIds).toHaveLength(2);
    for (const udid of lab.emu.udids)
      expect(await fingerprint(join(lab.stateDir, 'backups', udid)), udid).toBe(previous.get(udid));

    // Restart with well-behaved phones.
    delete lab.emu.emulator.backup.faults.stall;
    const again = await lab.start();
    const events = await waitForEvents(
      again,
      () => again.engine.stats().runningJobs === 0 && again.engine.listJobs({ state: 'succeeded' }).jobs.length === 6,
      'the interrupted and queued backups to finish',
      60_000,
    );

    // No job missing, none duplicated: three from the first run, three from the killed one.
    const jobs = again.engine.listJobs({ limit: 100 }).jobs;
    expect(jobs.map((j) => j.id).sort()).toEqual(atKill.jobs.map((j) => String(j.id)).sort());
    // No event lost: every event the killed daemon saved is there, unchanged, and ids only grew.
    const byId = new Map(events.map((e) => [e.id, e]));
    for (const saved of atKill.events) expect(byId.get(saved.id)).toEqual(saved);
    expect(atKill.events.length).toBeGreaterThanOrEqual(before.events.length);
    expect(events.map((e) => e.id)).toEqual(events.map((e) => e.id).toSorted((a, b) => a - b));

    for (const id of interruptedIds) {
      const states = events
        .filter((e) => e.jobId === id && e.kind === 'job.state' && e.id > atKill.events.at(-1)!.id)
        .map((e) => e.data.state);
      expect(states, `job ${id}`).toEqual(['interrupted', 'running', 'succeeded']);
      const recovered = events.find((e) => e.jobId === id && e.data.state === 'interrupted')!;
      expect(recovered.data.error).toMatchObject({ code: 'DAEMON_INTERRUPTED' });
      expect(again.engine.getJob(id)).toMatchObject({ state: 'succeeded', attempts: 2 });
    }
    const found = await listBackups({ dirs: [join(lab.stateDir, 'backups')], includeDefaults: false });
    expect(found.map((b) => b.complete)).toEqual([true, true, true]);
    for (const backup of found) await scanBackup({ backup: backup.path, types: ['contacts'] });
    await again.close();
  });

  it('drains on SIGTERM: running backups stop cleanly, are saved as interrupted, and the daemon exits', async () => {
    lab.emu.emulator.backup.faults.stall = 'mid-upload';
    child = await startChild();
    await until(twoTransferring, 'two backups transferring');
    const exited = new Promise<number | null>((resolve) => child!.once('exit', resolve));
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
    child = undefined;
    const { jobs, events } = readDb();
    const stopping = events.findLast((e) => e.kind === 'daemon.stopping')!;
    expect(stopping.data).toMatchObject({ runningJobs: 2 });
    const drained = events.filter((e) => e.id > stopping.id && e.kind === 'job.state');
    expect(drained.map((e) => e.data.state)).toEqual(['interrupted', 'interrupted']);
    for (const e of drained) {
      expect(e.data.error).toMatchObject({ code: 'DAEMON_INTERRUPTED' });
      expect(jobs.find((j) => String(j.id) === e.jobId)).toMatchObject({ state: 'interrupted' });
    }
    const found = await listBackups({ dirs: [join(lab.stateDir, 'backups')], includeDefaults: false });
    expect(found.map((b) => b.complete)).toEqual([true, true, true]);
    delete lab.emu.emulator.backup.faults.stall;
  });
});
