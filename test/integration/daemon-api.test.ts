import { spawn } from 'node:child_process';
import { readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { formatOpenApiDocument, OPENAPI_DOCUMENT_PATH } from '../../src/daemon/http/index.js';
import { scanBackup } from '../../src/operations/index.js';
import type { DaemonEventMessage, DaemonJob } from '../../src/operations/daemon-client.js';
import { send } from '../unit/daemon/http/http-request.js';
import { cliBuilt, cliPath, repoRoot, runCli } from '../helpers/cli.js';
import { parsePrometheusText, startTestDaemon, waitForDevices, type TestDaemon } from './daemon-api-helpers.js';

/** The daemon's HTTP API with the real engine, over real sockets, against a virtual iPhone. */
describe('daemon API (real engine, virtual iPhone)', () => {
  let daemon: TestDaemon;
  let udid: string;

  beforeAll(async () => {
    daemon = await startTestDaemon({ devices: 1, listen: '127.0.0.1:0' });
    udid = daemon.emu.udids[0]!;
    await waitForDevices(daemon.client, 1);
  });
  afterAll(async () => daemon?.stop());

  /** Follows the stream from `after` until the job ends; returns every event seen (all kinds, all jobs). */
  async function followToEnd(after: number, jobId: string): Promise<DaemonEventMessage[]> {
    const seen: DaemonEventMessage[] = [];
    const controller = new AbortController();
    for await (const event of daemon.client.events({ after, signal: controller.signal })) {
      seen.push(event);
      const state = (event.data as { state?: string }).state;
      if (
        event.kind === 'job.state' &&
        event.jobId === jobId &&
        ['succeeded', 'failed', 'cancelled'].includes(state!)
      ) {
        controller.abort();
      }
    }
    return seen;
  }

  it('serves the unix socket 0600, and over TCP only with the bearer token (401 without)', async () => {
    const { api } = daemon.served;
    expect((await stat(api.socketPath)).mode & 0o777).toBe(0o600);
    const tcp = { host: '127.0.0.1', port: api.tcp!.port };
    const token = (await readFile(join(daemon.stateDir, 'token'), 'utf8')).trim();
    for (const path of ['/v1/health', '/v1/devices', '/v1/jobs', '/metrics', '/openapi.json', '/v1/events']) {
      const refused = await send(tcp, 'GET', path);
      expect({ path, status: refused.status, code: refused.json().code }).toEqual({
        path,
        status: 401,
        code: 'API_UNAUTHORIZED',
      });
    }
    const ok = await send(tcp, 'GET', '/v1/health', { headers: { authorization: `Bearer ${token}` } });
    expect(ok.json()).toMatchObject({ ok: true, version: expect.any(String) });
  });

  it('answers invalid bodies with 400 and a code, and unknown phones and jobs with 404', async () => {
    const unix = { socketPath: daemon.served.api.socketPath };
    const bad = await send(unix, 'POST', '/v1/jobs', { body: { type: 'backup', udid, full: 'maybe' } });
    expect([bad.status, bad.json().code]).toEqual([400, 'API_VALIDATION']);
    const types = await send(unix, 'POST', '/v1/jobs', { body: { type: 'extract', backup: '/x', types: ['nope'] } });
    expect(types.status).toBe(400);
    expect(types.json().code).toMatch(/^[A-Z_]+$/);
    const phone = await send(unix, 'POST', '/v1/jobs', { body: { type: 'backup', udid: '00008030-0000000000000000' } });
    expect([phone.status, phone.json().code]).toEqual([404, 'DAEMON_UNKNOWN_DEVICE']);
    const device = await send(unix, 'GET', '/v1/devices/00008030-0000000000000000');
    expect(device.status).toBe(404);
    const job = await send(unix, 'GET', '/v1/jobs/424242');
    expect([job.status, job.json().code]).toEqual([404, 'DAEMON_UNKNOWN_JOB']);
  });

  it('serves the OpenAPI document that is committed (npm run openapi regenerates it)', async () => {
    const served = (await send({ socketPath: daemon.served.api.socketPath }, 'GET', '/openapi.json')).json();
    const committed = await readFile(join(repoRoot, OPENAPI_DOCUMENT_PATH), 'utf8');
    expect(formatOpenApiDocument(served)).toBe(committed);
  });

  it('backs up through the API; the SSE stream resumed from any Last-Event-ID gives every later event once', async () => {
    const { lastEventId = 0 } = await daemon.client.health();
    const job = await daemon.client.submitJob({ type: 'backup', udid, full: true });
    expect(job).toMatchObject({ type: 'backup', udid, state: expect.stringMatching(/queued|running/) });
    const all = await followToEnd(lastEventId, job.id);
    const ids = all.map((e) => e.id);
    // Ids grow by one: nothing between two events was skipped.
    expect(ids.every((id, i) => id === lastEventId + 1 + i)).toBe(true);
    const states = all.filter((e) => e.kind === 'job.state' && e.jobId === job.id).map((e) => e.data.state);
    expect(states).toEqual(expect.arrayContaining(['running', 'succeeded']));
    expect(states.indexOf('running')).toBeLessThan(states.indexOf('succeeded'));

    // Resume from the middle, as a client that lost its connection does: exactly the rest, in order.
    const middle = ids[Math.floor(ids.length / 2)]!;
    const resumed: number[] = [];
    const controller = new AbortController();
    for await (const event of daemon.client.events({ after: middle, signal: controller.signal })) {
      resumed.push(event.id);
      if (event.id >= ids.at(-1)!) controller.abort();
    }
    expect(resumed).toEqual(ids.filter((id) => id > middle));

    const done: DaemonJob = await daemon.client.getJob(job.id);
    expect(done.state).toBe('succeeded');
    expect(done.backupDir).toBe(join(daemon.stateDir, 'backups', udid));
    const scan = await scanBackup({ backup: done.backupDir! });
    expect(scan.types.some((t) => t.present && t.records > 0)).toBe(true);
  });

  it('serves /metrics as Prometheus text with the named series, counting what the backup received', async () => {
    const reply = await send({ socketPath: daemon.served.api.socketPath }, 'GET', '/metrics');
    expect(reply.status).toBe(200);
    const samples = parsePrometheusText(reply.text);
    for (const name of [
      'iosrescue_devices',
      'iosrescue_jobs',
      'iosrescue_jobs_ended_total',
      'iosrescue_received_bytes_total',
      'iosrescue_received_files_total',
      'iosrescue_backup_duration_seconds_bucket',
      'iosrescue_backup_duration_seconds_count',
      'iosrescue_backup_duration_seconds_sum',
    ]) {
      expect(samples.has(name), name).toBe(true);
    }
    expect(samples.get('iosrescue_received_bytes_total')!.reduce((a, b) => a + b)).toBeGreaterThan(0);
    expect(samples.get('iosrescue_received_files_total')!.reduce((a, b) => a + b)).toBeGreaterThan(0);
    expect(samples.get('iosrescue_backup_duration_seconds_count')!.reduce((a, b) => a + b)).toBeGreaterThanOrEqual(1);
    expect(reply.text).toMatch(/^iosrescue_jobs_ended_total\{type="backup",outcome="succeeded"\} [1-9]/m);
  });

  it.skipIf(!cliBuilt)(
    'CLI backup goes through the running daemon; two at once on one phone share one job and the backup scans',
    async () => {
      const before = (await daemon.client.listJobs({ type: 'backup' })).jobs.length;
      const [first, second] = await Promise.all([
        runCli(['--json', 'backup', '-u', udid], daemon.env, 120_000),
        runCli(['--json', 'backup', '-u', udid], daemon.env, 120_000),
      ]);
      expect([first.code, second.code], first.stderr + second.stderr).toEqual([0, 0]);
      const results = [first, second].map((r) =>
        JSON.parse(
          r.stdout
            .trim()
            .split('\n')
            .filter((l) => l.includes('"result"'))
            .at(-1)!,
        ),
      );
      const path = join(daemon.stateDir, 'backups', udid);
      expect(results.map((r) => r.path)).toEqual([path, path]);
      const jobs = (await daemon.client.listJobs({ type: 'backup' })).jobs;
      // Through the daemon: the jobs are its, and the second request joined the first's job or queued behind it.
      expect(jobs.length - before).toBeGreaterThanOrEqual(1);
      expect(jobs.length - before).toBeLessThanOrEqual(2);
      expect(jobs.slice(0, jobs.length - before).every((j) => j.state === 'succeeded' && j.origin === 'api')).toBe(
        true,
      );
      const scan = await scanBackup({ backup: path });
      expect(scan.types.some((t) => t.present && t.records > 0)).toBe(true);
    },
  );

  it.skipIf(!cliBuilt)('CLI extract goes through the running daemon and reports like the direct run', async () => {
    const backup = join(daemon.stateDir, 'backups', udid);
    const out = join(daemon.stateDir, 'extract-cli');
    const result = await runCli(
      ['--json', 'extract', backup, '--out', out, '--types', 'contacts'],
      daemon.env,
      120_000,
    );
    expect(result.code, result.stderr).toBe(0);
    const report = JSON.parse(result.stdout.trim().split('\n').at(-1)!);
    expect(report).toMatchObject({ out, types: [expect.objectContaining({ type: 'contacts', status: 'ok' })] });
    const job = await daemon.client.getJob(report.jobId);
    expect(job).toMatchObject({ type: 'extract', state: 'succeeded', origin: 'api', outDir: out });
    expect((await stat(join(out, 'report.html'))).isFile()).toBe(true);
  });

  it.skipIf(!cliBuilt)(
    'CLI backup --no-daemon is refused while the daemon backs the phone up, and job cancel stops that backup cleanly',
    async () => {
      // The phone stops talking halfway through the upload: the daemon's job stays running until cancelled.
      daemon.emu.emulator.backup.faults.stall = 'mid-upload';
      try {
        const { lastEventId = 0 } = await daemon.client.health();
        const job = await daemon.client.submitJob({ type: 'backup', udid, full: true });
        const controller = new AbortController();
        for await (const event of daemon.client.events({ after: lastEventId, signal: controller.signal })) {
          if (event.jobId === job.id && event.kind === 'job.progress' && event.data.phase === 'transferring') {
            controller.abort();
          }
        }
        const direct = await runCli(['--json', 'backup', '--no-daemon', '-u', udid], daemon.env);
        expect(direct.code, direct.stderr).toBe(4);
        expect(JSON.parse(direct.stdout).error.code).toBe('DAEMON_CLIENT_PHONE_BUSY');
        const cancel = await runCli(['--json', 'job', 'cancel', job.id], daemon.env);
        expect(cancel.code, cancel.stderr).toBe(0);
        let view = await daemon.client.getJob(job.id);
        for (let i = 0; i < 200 && view.state !== 'cancelled'; i++) {
          await new Promise((r) => setTimeout(r, 50));
          view = await daemon.client.getJob(job.id);
        }
        expect(view.state).toBe('cancelled');
        // The backup before it is untouched and still reads.
        const scan = await scanBackup({ backup: join(daemon.stateDir, 'backups', udid) });
        expect(scan.types.some((t) => t.present && t.records > 0)).toBe(true);
      } finally {
        daemon.emu.emulator.backup.faults.stall = undefined;
      }
    },
  );

  it.skipIf(!cliBuilt)('Ctrl-C on a CLI backup that became a daemon job cancels the job and exits 130', async () => {
    daemon.emu.emulator.backup.faults.stall = 'mid-upload';
    try {
      const { lastEventId = 0 } = await daemon.client.health();
      const child = spawn(process.execPath, [cliPath, '--json', 'backup', '--full', '-u', udid], {
        env: daemon.env,
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      const exited = new Promise<number | null>((done) => child.on('exit', (code) => done(code)));
      // The command says when the job is queued; from then on Ctrl-C must cancel it.
      const queued = new Promise<void>((done) => {
        let stderr = '';
        child.stderr.on('data', (chunk: Buffer) => {
          stderr += chunk.toString();
          if (stderr.includes('queued as daemon job') || stderr.includes('already has')) done();
        });
      });
      let jobId: string | undefined;
      const controller = new AbortController();
      for await (const event of daemon.client.events({ after: lastEventId, signal: controller.signal })) {
        if (event.kind === 'job.created') jobId = event.jobId;
        // Ctrl-C while files flow (a cancel in the job's first milliseconds is the engine's own race, not this).
        if (event.jobId === jobId && event.kind === 'job.progress' && event.data.phase === 'transferring') {
          controller.abort();
        }
      }
      await queued;
      child.kill('SIGINT');
      expect(await exited).toBe(130);
      let view = await daemon.client.getJob(jobId!);
      for (let i = 0; i < 200 && view.state !== 'cancelled'; i++) {
        await new Promise((r) => setTimeout(r, 50));
        view = await daemon.client.getJob(jobId!);
      }
      expect(view).toMatchObject({ state: 'cancelled', origin: 'api' });
    } finally {
      daemon.emu.emulator.backup.faults.stall = undefined;
    }
  });

  it.skipIf(!cliBuilt)('CLI jobs, job show, job cancel and devices read the daemon', async () => {
    const [jobs, devices] = await Promise.all([
      runCli(['--json', 'jobs', '--type', 'backup', '--state', 'succeeded', '--limit', '2'], daemon.env),
      runCli(['--json', 'devices'], daemon.env),
    ]);
    expect(jobs.code, jobs.stderr).toBe(0);
    const page = JSON.parse(jobs.stdout);
    expect(page.jobs.length).toBeGreaterThan(0);
    expect(page.jobs.length).toBeLessThanOrEqual(2);
    expect(devices.code, devices.stderr).toBe(0);
    const phone = JSON.parse(devices.stdout).find((d: { udid: string }) => d.udid === udid);
    expect(phone.daemon.state).toMatch(/^(paired|idle|done)$/);
    const id = page.jobs[0].id;
    const [show, cancel, missing] = await Promise.all([
      runCli(['--json', 'job', 'show', id], daemon.env),
      runCli(['--json', 'job', 'cancel', id], daemon.env),
      runCli(['--json', 'job', 'show', '987654'], daemon.env),
    ]);
    expect(JSON.parse(show.stdout)).toMatchObject({
      id,
      type: 'backup',
      backupDir: join(daemon.stateDir, 'backups', udid),
    });
    // A finished job is answered as it is.
    expect(JSON.parse(cancel.stdout)).toMatchObject({ id, state: 'succeeded' });
    expect(missing.code).toBe(3);
    expect(JSON.parse(missing.stdout).error.code).toBe('DAEMON_UNKNOWN_JOB');
  });
});
