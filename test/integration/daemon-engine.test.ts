import { readFile, readdir } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DaemonHandle, JobView } from '../../src/daemon/engine-types.js';
import { listBackups, scanBackup } from '../../src/operations/index.js';
import {
  deviceStates,
  jobsIn,
  peakRunning,
  startEngineLab,
  waitForEvents,
  type EngineLab,
} from './daemon-engine-harness.js';

/**
 * The daemon's engine against the virtual iPhone over real sockets: phones plugged in and out over time are each
 * backed up once per policy, never more than `maxJobs` at once, every transition persisted in order; the hooks hear
 * every job; a usbmuxd restart is survived.
 */
const MAX_JOBS = 3;
let lab: EngineLab;
let daemon: DaemonHandle;
let hookServer: Server;
const posted: JobView[] = [];

beforeAll(async () => {
  hookServer = createServer((req, res) => {
    let body = '';
    req.setEncoding('utf8').on('data', (chunk: string) => (body += chunk));
    req.on('end', () => {
      posted.push(JSON.parse(body) as JobView);
      res.writeHead(204).end();
    });
  });
  await new Promise<void>((done) => hookServer.listen(0, '127.0.0.1', done));
  const port = (hookServer.address() as AddressInfo).port;
  lab = await startEngineLab(0, {});
  const hookDir = join(lab.dir, 'hook-out');
  await import('node:fs/promises').then((fs) => fs.mkdir(hookDir));
  await import('node:fs/promises').then((fs) =>
    fs.writeFile(
      lab.configPath,
      JSON.stringify({
        backup: { onAttach: 'all', minIntervalHours: 24 },
        concurrency: { maxJobs: MAX_JOBS },
        hooks: {
          command: `cat > "${hookDir}/$IOSRESCUE_JOB_ID.json"`,
          url: `http://127.0.0.1:${port}/job-ended`,
        },
      }),
    ),
  );
  daemon = await lab.start();
});

afterAll(async () => {
  await lab?.stop();
  await new Promise<void>((done) => hookServer?.close(() => done()));
});

describe('daemon engine with 8 virtual phones', () => {
  const udids: string[] = [];

  it('backs up each phone plugged in over time, at most maxJobs at once, every transition in order', async () => {
    const { emulator } = lab.emu;
    await waitForEvents(daemon, (ev) => ev.some((e) => e.kind === 'usbmuxd.connected'), 'the usbmuxd Listen');
    // Five phones at once, then three more while the first backups run.
    for (let i = 0; i < 5; i++) udids.push((await emulator.addDevice()).udid);
    await waitForEvents(
      daemon,
      (ev) => ev.some((e) => e.kind === 'job.state' && e.data.state === 'running'),
      'a start',
    );
    for (let i = 0; i < 3; i++) udids.push((await emulator.addDevice()).udid);
    const events = await waitForEvents(
      daemon,
      () => udids.every((udid) => daemon.engine.device(udid)?.state === 'done'),
      'eight phones backed up',
      60_000,
    );

    expect(peakRunning(events)).toBeGreaterThan(1);
    expect(peakRunning(events)).toBeLessThanOrEqual(MAX_JOBS);
    expect(events.map((e) => e.id)).toEqual([...events.map((e) => e.id)].sort((a, b) => a - b));
    expect(new Set(events.map((e) => e.id)).size).toBe(events.length);

    const jobs = jobsIn(daemon, 'succeeded');
    expect(new Set(jobs.map((j) => j.udid))).toEqual(new Set(udids));
    for (const udid of udids) {
      // attached → paired → backing-up → done (no Trust dialog: the emulator's phones accept at once).
      const states = deviceStates(events, udid).filter((s) => s !== 'waiting-for-trust');
      expect(states, udid).toEqual(['attached', 'paired', 'backing-up', 'done']);
      const job = jobs.find((j) => j.udid === udid)!;
      const sequence = events
        .filter((e) => e.jobId === job.id && (e.kind === 'job.created' || e.kind === 'job.state'))
        .map((e) => (e.kind === 'job.state' ? e.data.state : e.kind));
      expect(sequence.slice(0, 3), udid).toEqual(['job.created', 'running', 'succeeded']);
      expect(job).toMatchObject({ origin: 'policy', attempts: 1, backupDir: join(lab.stateDir, 'backups', udid) });
      expect(daemon.engine.device(udid)).toMatchObject({ state: 'done', lastBackupAt: job.endedAt });
    }
  });

  it('leaves every backup complete and readable by scan', async () => {
    const found = await listBackups({ dirs: [join(lab.stateDir, 'backups')], includeDefaults: false });
    expect(found).toHaveLength(8);
    for (const backup of found) {
      expect(backup.complete, backup.path).toBe(true);
      const scan = await scanBackup({ backup: backup.path, types: ['contacts', 'messages'] });
      expect(scan.types.find((t) => t.type === 'contacts')?.present).toBe(true);
    }
    const views = await daemon.engine.backups();
    expect(views.every((v) => v.jobId !== undefined && v.complete)).toBe(true);
  });

  it('calls the hook command and the hook URL with each job JSON', async () => {
    await waitForEvents(daemon, (ev) => ev.filter((e) => e.kind === 'job.hook').length >= 16, 'both hooks for 8 jobs');
    const jobs = jobsIn(daemon, 'succeeded');
    const hookDir = join(lab.dir, 'hook-out');
    expect((await readdir(hookDir)).sort()).toEqual(jobs.map((j) => `${j.id}.json`).sort());
    for (const job of jobs) {
      const fromCommand = JSON.parse(await readFile(join(hookDir, `${job.id}.json`), 'utf8')) as JobView;
      expect(fromCommand).toEqual(job);
      expect(posted.find((p) => p.id === job.id)).toEqual(job);
    }
    expect(posted).toHaveLength(8);
  });

  it('does not back up a re-plugged phone again within minIntervalHours, and reports detach and re-attach', async () => {
    const { emulator } = lab.emu;
    const udid = udids[0]!;
    const index = emulator.indexOf(udid)!;
    emulator.removeDevice(udid);
    await waitForEvents(daemon, () => daemon.engine.device(udid)?.state === 'detached', 'the detach');
    await emulator.addDevice({ index });
    const events = await waitForEvents(
      daemon,
      () => daemon.engine.device(udid)?.state === 'idle',
      'idle after re-plug',
    );
    expect(deviceStates(events, udid).slice(-4)).toEqual(['detached', 'attached', 'paired', 'idle']);
    expect(daemon.engine.listJobs({ udid, type: 'backup' }).jobs).toHaveLength(1);
  });

  it('survives a restart of usbmuxd: reconnects, and sees phones plugged in and out afterwards', async () => {
    const { emulator } = lab.emu;
    const before = daemon.engine.events.lastId();
    await emulator.restartUsbmuxd(300);
    const events = await waitForEvents(
      daemon,
      (ev) => ev.some((e) => e.id > before && e.kind === 'usbmuxd.connected'),
      'the reconnection',
    );
    const after = events.filter((e) => e.id > before).map((e) => e.kind);
    expect(after.indexOf('usbmuxd.disconnected')).toBeLessThan(after.indexOf('usbmuxd.connected'));
    // The phones stayed plugged in: none was reported detached.
    expect(events.some((e) => e.id > before && e.kind === 'device.state' && e.data.state === 'detached')).toBe(false);

    const gone = udids[1]!;
    emulator.removeDevice(gone);
    const fresh = (await emulator.addDevice()).udid;
    await waitForEvents(
      daemon,
      () =>
        daemon.engine.device(gone)?.state === 'detached' &&
        daemon.engine.device(fresh)?.state === 'done' &&
        daemon.engine.stats().runningJobs === 0,
      'a detach and a new backup after the restart',
    );
    expect(daemon.engine.stats()).toMatchObject({ usbmuxdConnected: true, runningJobs: 0 });
  });
});

describe('daemon engine jobs from the API side', () => {
  it('refuses a job for an unknown phone or with a bad body, with typed codes', () => {
    expect(() => daemon.engine.submitJob({ type: 'backup', udid: '00008030-0000000000000000' })).toThrow(
      expect.objectContaining({ code: 'DAEMON_UNKNOWN_DEVICE', category: 'not-found' }),
    );
    expect(() => daemon.engine.submitJob({ type: 'nap' } as never)).toThrow(
      expect.objectContaining({ code: 'DAEMON_BAD_REQUEST', category: 'usage' }),
    );
    const udid = lab.emu.emulator.devices[0]!.udid;
    expect(() => daemon.engine.submitJob({ type: 'encryption', udid, action: 'on' })).toThrow(/newPassword/);
  });

  it('cancels a running backup cleanly: the previous backup stays as it was', async () => {
    const udid = lab.emu.emulator.devices[0]!.udid;
    const backupDir = join(lab.stateDir, 'backups', udid);
    const before = await readFile(join(backupDir, 'Manifest.db'));
    lab.emu.emulator.backup.faults.stall = 'mid-upload';
    try {
      const job = daemon.engine.submitJob({ type: 'backup', udid, full: true });
      expect(daemon.engine.submitJob({ type: 'backup', udid }).id).toBe(job.id);
      await waitForEvents(daemon, () => daemon.engine.getJob(job.id)?.progress?.phase === 'transferring', 'transfer');
      const cancelled = await daemon.engine.cancelJob(job.id);
      expect(cancelled).toMatchObject({ state: 'cancelled', error: { code: 'DAEMON_CANCELLED' } });
      expect(daemon.engine.device(udid)?.state).toBe('idle');
    } finally {
      delete lab.emu.emulator.backup.faults.stall;
    }
    expect((await readFile(join(backupDir, 'Manifest.db'))).equals(before)).toBe(true);
    const [summary] = await listBackups({ dirs: [backupDir], includeDefaults: false });
    expect(summary?.complete).toBe(true);
  });

  it('extracts a finished backup as a job', async () => {
    const udid = lab.emu.emulator.devices[0]!.udid;
    const job = daemon.engine.submitJob({
      type: 'extract',
      backup: join(lab.stateDir, 'backups', udid),
      types: ['contacts'],
    });
    expect(job).toMatchObject({ type: 'extract', udid, state: 'queued' });
    await waitForEvents(daemon, () => daemon.engine.getJob(job.id)?.state === 'succeeded', 'the extraction');
    const done = daemon.engine.getJob(job.id)!;
    expect(done.outDir).toBe(join(lab.stateDir, 'extracts', `${udid}-${job.id}`));
    const report = JSON.parse(await readFile(join(done.outDir!, 'extraction.json'), 'utf8'));
    expect(report.types).toEqual([expect.objectContaining({ type: 'contacts', status: 'ok' })]);
  });

  it('reloads its config (what SIGHUP does) and keeps the old one when the new one is bad', async () => {
    const { writeFile } = await import('node:fs/promises');
    await writeFile(lab.configPath, JSON.stringify({ concurrency: { maxJobs: 1 }, backup: { onAttach: 'none' } }));
    await daemon.reloadConfig();
    expect(daemon.engine.stats().maxConcurrentJobs).toBe(1);
    expect(daemon.engine.events.since(0, 100_000).findLast((e) => e.kind === 'daemon.config-reloaded')).toMatchObject({
      kind: 'daemon.config-reloaded',
      data: { maxJobs: 1 },
    });
    await writeFile(lab.configPath, JSON.stringify({ concurrency: { maxJobs: 'many' } }));
    await expect(daemon.reloadConfig()).rejects.toMatchObject({ code: 'DAEMON_BAD_CONFIG' });
    expect(daemon.engine.stats().maxConcurrentJobs).toBe(1);
    // Reloading did not touch what the phones show.
    expect(daemon.engine.devices().filter((d) => d.state === 'idle' && /onAttach/.test(d.message ?? ''))).toEqual([]);
  });

  it('changes backup encryption, backs up encrypted, and extracts with a password it never stores', async () => {
    const udid = lab.emu.emulator.devices[0]!.udid;
    const secret = 'lab secret 7f3a';
    const finished = async (id: string): Promise<JobView> => {
      await waitForEvents(
        daemon,
        () => ['succeeded', 'failed'].includes(daemon.engine.getJob(id)?.state ?? ''),
        `job ${id}`,
      );
      return daemon.engine.getJob(id)!;
    };
    const on = daemon.engine.submitJob({ type: 'encryption', udid, action: 'on', newPassword: secret });
    expect(await finished(on.id)).toMatchObject({ state: 'succeeded', result: { encrypted: true } });
    const backup = daemon.engine.submitJob({ type: 'backup', udid });
    expect(await finished(backup.id)).toMatchObject({ state: 'succeeded', result: { encrypted: true } });
    const dir = daemon.engine.getJob(backup.id)!.backupDir!;
    const without = daemon.engine.submitJob({ type: 'extract', backup: dir, types: ['contacts'] });
    expect(await finished(without.id)).toMatchObject({ state: 'failed', error: { code: 'BACKUP_PASSWORD_REQUIRED' } });
    const withPassword = daemon.engine.submitJob({
      type: 'extract',
      backup: dir,
      types: ['contacts'],
      password: secret,
    });
    expect(await finished(withPassword.id)).toMatchObject({ state: 'succeeded' });
    // The password is in no job, no event, and nowhere in the database files.
    expect(JSON.stringify(daemon.engine.listJobs({ limit: 500 }))).not.toContain(secret);
    expect(JSON.stringify(daemon.engine.events.since(0, 100_000))).not.toContain(secret);
    for (const name of await readdir(lab.stateDir))
      if (name.startsWith('daemon.db'))
        expect((await readFile(join(lab.stateDir, name))).includes(secret), name).toBe(false);
  });

  it('says a new phone waits for Trust, then pairs it (no backup: the reloaded config has onAttach none)', async () => {
    const device = await lab.emu.emulator.addDevice({ trust: 'pending:1' });
    const events = await waitForEvents(
      daemon,
      () => daemon.engine.device(device.udid)?.state === 'idle',
      'the trusted phone paired',
    );
    expect(deviceStates(events, device.udid)).toEqual(['attached', 'waiting-for-trust', 'paired', 'idle']);
    const waiting = events.find((e) => e.udid === device.udid && e.data.state === 'waiting-for-trust')!;
    expect(waiting.data.message).toMatch(/Trust/);
  });
});
