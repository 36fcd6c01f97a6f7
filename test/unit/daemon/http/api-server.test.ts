import { mkdtemp, rm, stat } from 'node:fs/promises';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startApiServer, type ApiServer } from '../../../../src/daemon/http/index.js';
import { FakeEngine } from './fake-engine.js';
import { send, type Target } from './http-request.js';

/** The HTTP layer over real sockets with a stand-in engine: auth, validation, errors, redaction. */
describe('daemon HTTP API (server)', () => {
  let dir: string;
  let engine: FakeEngine;
  let server: ApiServer;
  let unix: Target;
  let tcp: Target;
  const logLines: string[] = [];

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'iosr-api-'));
    engine = new FakeEngine(dir);
    const sink = new Writable({
      write(chunk, _encoding, next) {
        logLines.push(String(chunk));
        next();
      },
    });
    server = await startApiServer({
      engine,
      socketPath: join(dir, 'daemon.sock'),
      listen: '127.0.0.1:0',
      logger: pino({ level: 'trace' }, sink),
    });
    unix = { socketPath: server.socketPath };
    tcp = { host: '127.0.0.1', port: server.tcp!.port };
  });
  afterAll(async () => {
    await server?.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('creates the unix socket and the token file owner-only (0600)', async () => {
    expect((await stat(server.socketPath)).mode & 0o777).toBe(0o600);
    expect((await stat(join(dir, 'token'))).mode & 0o777).toBe(0o600);
    expect(server.token).toMatch(/^[0-9a-f]{64}$/);
  });

  it('answers health with ok and the version over the unix socket, no token needed', async () => {
    const reply = await send(unix, 'GET', '/v1/health');
    expect(reply.status).toBe(200);
    expect(reply.json()).toMatchObject({ ok: true, version: '9.9.9-test' });
  });

  it('refuses TCP requests without the token, or with a wrong one (401), and serves them with it', async () => {
    const none = await send(tcp, 'GET', '/v1/devices');
    expect(none.status).toBe(401);
    expect(none.json().code).toBe('API_UNAUTHORIZED');
    const wrong = await send(tcp, 'GET', '/v1/devices', { headers: { authorization: `Bearer ${'0'.repeat(64)}` } });
    expect(wrong.status).toBe(401);
    const right = await send(tcp, 'GET', '/v1/devices', { headers: { authorization: `Bearer ${server.token}` } });
    expect(right.status).toBe(200);
    expect(right.json()).toEqual([expect.objectContaining({ udid: 'FAKE-0001', state: 'idle' })]);
  });

  it('never runs a TCP request without the token, even when its client hangs up at once', async () => {
    const before = engine.submitted.length;
    const body = JSON.stringify({ type: 'backup', udid: 'FAKE-0001' });
    const request = `POST /v1/jobs HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: ${body.length}\r\n\r\n${body}`;
    await Promise.all(
      Array.from(
        { length: 20 },
        () =>
          new Promise<void>((done) => {
            const socket = connect(server.tcp!.port, '127.0.0.1', () => {
              socket.end(request);
              socket.destroy();
            });
            socket.on('close', () => done());
            socket.on('error', () => undefined);
          }),
      ),
    );
    // The server answers a request it already read before it sees the hang-up: one more makes sure all are done.
    expect((await send(tcp, 'GET', '/v1/health')).status).toBe(401);
    expect(engine.submitted.length).toBe(before);
  });

  it('answers invalid job bodies with 400 and a code, and never reaches the engine with them', async () => {
    const before = engine.submitted.length;
    const cases: Array<[string | object, string]> = [
      [{ type: 'backup' }, 'API_VALIDATION'],
      [{ type: 'reboot', udid: 'FAKE-0001' }, 'API_VALIDATION'],
      [{ type: 'backup', udid: 'FAKE-0001', full: 'yes please' }, 'API_VALIDATION'],
      [{ type: 'backup', udid: 'FAKE-0001', rm: '-rf /' }, 'API_VALIDATION'],
      [{ type: 'encryption', udid: 'FAKE-0001', action: 'explode' }, 'API_VALIDATION'],
      ['{"type": "backup", "udid": ', 'API_BAD_JSON'],
      ['', 'API_BAD_JSON'],
    ];
    for (const [body, code] of cases) {
      const reply = await send(unix, 'POST', '/v1/jobs', { body });
      expect({ body, status: reply.status, code: reply.json().code }).toEqual({ body, status: 400, code });
      expect(typeof reply.json().message).toBe('string');
    }
    expect(engine.submitted.length).toBe(before);
  });

  it('answers 404 with a code for an unknown device, job or endpoint', async () => {
    const device = await send(unix, 'GET', '/v1/devices/NOPE-1234');
    expect([device.status, device.json().code]).toEqual([404, 'DAEMON_UNKNOWN_DEVICE']);
    const backup = await send(unix, 'POST', '/v1/jobs', { body: { type: 'backup', udid: 'NOPE-1234' } });
    expect([backup.status, backup.json().code]).toEqual([404, 'DAEMON_UNKNOWN_DEVICE']);
    const job = await send(unix, 'GET', '/v1/jobs/99999');
    expect([job.status, job.json().code]).toEqual([404, 'DAEMON_UNKNOWN_JOB']);
    const route = await send(unix, 'GET', '/v2/anything');
    expect([route.status, route.json().code]).toEqual([404, 'API_ROUTE_NOT_FOUND']);
  });

  it('queues a valid job with 201 and lists and cancels it', async () => {
    const created = await send(unix, 'POST', '/v1/jobs', { body: { type: 'backup', udid: 'FAKE-0001', full: true } });
    expect(created.status).toBe(201);
    const { id } = created.json();
    expect((await send(unix, 'GET', `/v1/jobs/${id}`)).json()).toMatchObject({ id, type: 'backup', state: 'queued' });
    const page = (await send(unix, 'GET', '/v1/jobs?state=queued&limit=10')).json();
    expect(page.jobs.map((j: { id: string }) => j.id)).toContain(id);
    expect((await send(unix, 'GET', '/v1/jobs?limit=100000')).status).toBe(400);
    const cancelled = await send(unix, 'POST', `/v1/jobs/${id}/cancel`);
    expect([cancelled.status, cancelled.json().state]).toEqual([200, 'cancelled']);
  });

  it('never writes a password from a request body to the log', async () => {
    const secret = 'pw-Zq81-never-logged';
    const reply = await send(unix, 'POST', '/v1/jobs', {
      body: { type: 'extract', backup: '/tmp/x', password: secret },
    });
    expect(reply.status).toBe(201);
    expect(reply.text).not.toContain(secret);
    const bad = await send(unix, 'POST', '/v1/jobs', { body: { type: 'extract', password: secret } });
    expect(bad.status).toBe(400);
    expect(bad.text).not.toContain(secret);
    expect(engine.submitted.at(-1)).toMatchObject({ password: secret });
    expect(logLines.length).toBeGreaterThan(0);
    // The route logs the request (app.ts redacts it): the password's place says so.
    expect(logLines.join('')).toContain('[redacted]');
    expect(logLines.join('')).not.toContain(secret);
  });

  it('serves Prometheus metrics with the named series', async () => {
    engine.metricsSink!.received('FAKE-0001', 1234, 5);
    const reply = await send(unix, 'GET', '/metrics');
    expect(reply.status).toBe(200);
    expect(reply.headers['content-type']).toMatch(/^text\/plain/);
    expect(reply.text).toMatch(/^iosrescue_devices\{state="idle"\} 1$/m);
    expect(reply.text).toMatch(/^iosrescue_received_bytes_total\{udid="FAKE-0001"\} 1234$/m);
    expect(reply.text).toContain('# TYPE iosrescue_backup_duration_seconds histogram');
  });

  it('serves an OpenAPI 3 document that names every endpoint of the Interface', async () => {
    const doc = (await send(unix, 'GET', '/openapi.json')).json();
    expect(doc.openapi).toMatch(/^3\./);
    expect(Object.keys(doc.paths)).toEqual(
      expect.arrayContaining([
        '/metrics',
        '/v1/backups',
        '/v1/devices',
        '/v1/devices/{udid}',
        '/v1/events',
        '/v1/health',
        '/v1/jobs',
        '/v1/jobs/{id}',
        '/v1/jobs/{id}/cancel',
        '/v1/jobs/{id}/password',
      ]),
    );
  });
});
