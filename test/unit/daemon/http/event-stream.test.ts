import { mkdtemp, rm } from 'node:fs/promises';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startApiServer, type ApiServer } from '../../../../src/daemon/http/index.js';
import { silentLogger } from '../../../../src/logging.js';
import { DaemonClient, parseSseMessage } from '../../../../src/operations/daemon-client.js';
import { FakeEngine } from './fake-engine.js';

/** The SSE plumbing over the real unix socket: resume, order, no gaps or repeats, slow clients. */
describe('daemon HTTP API (event stream)', () => {
  let dir: string;
  let engine: FakeEngine;
  let server: ApiServer;
  let client: DaemonClient;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'iosr-sse-'));
    engine = new FakeEngine(dir);
    server = await startApiServer({
      engine,
      socketPath: join(dir, 'daemon.sock'),
      logger: silentLogger,
      keepAliveMs: 50,
    });
    client = new DaemonClient(server.socketPath);
  });
  afterAll(async () => {
    await server?.close();
    await rm(dir, { recursive: true, force: true });
  });

  /** Reads `count` events from the stream, then stops it. */
  async function take(
    count: number,
    options: { after?: number; jobId?: string },
    whileOpen?: () => void,
  ): Promise<number[]> {
    // A stream an earlier test closed may still be unsubscribing: the count below must be this stream's.
    await waitFor(() => engine.subscribers === 0);
    const controller = new AbortController();
    const ids: number[] = [];
    const stream = client.events({ ...options, signal: controller.signal });
    const first = stream.next();
    // The stream is subscribed once its headers arrived; the caller's events come after that.
    await waitFor(() => engine.subscribers > 0);
    whileOpen?.();
    const head = await first;
    if (!head.done) ids.push(head.value.id);
    for await (const event of stream) {
      if (ids.length >= count) break;
      ids.push(event.id);
      if (ids.length >= count) break;
    }
    controller.abort();
    await waitFor(() => engine.subscribers === 0);
    return ids;
  }

  it('resumes after Last-Event-ID with every later event, in order, then the live ones', async () => {
    const start = engine.events.lastId();
    for (let i = 0; i < 5; i++) engine.emit('device.state', { state: 'attached', i });
    const ids = await take(8, { after: start + 2 }, () => {
      for (let i = 0; i < 5; i++) engine.emit('job.progress', { i });
    });
    expect(ids).toEqual(Array.from({ length: 8 }, (_, i) => start + 3 + i));
  });

  it('misses and repeats nothing while events arrive faster than a replay sends them', async () => {
    const start = engine.events.lastId();
    for (let i = 0; i < 1500; i++) engine.emit('job.progress', { i });
    const ids = await take(3000, { after: start }, () => {
      for (let i = 0; i < 1500; i++) engine.emit('job.progress', { i, live: true });
    });
    expect(ids.length).toBe(3000);
    expect(ids.every((id, i) => id === start + 1 + i)).toBe(true);
  });

  it('lets a client that stops reading catch up from the log without a gap', async () => {
    const start = engine.events.lastId();
    const padding = 'x'.repeat(2000);
    const got: number[] = [];
    await new Promise<void>((done, fail) => {
      const req = request(
        { socketPath: server.socketPath, path: '/v1/events', headers: { 'last-event-id': String(start) } },
        (res) => {
          res.pause();
          // 2,000 events of 2 KB while nobody reads: more than the socket buffers hold.
          for (let i = 0; i < 2000; i++) engine.emit('job.progress', { i, padding });
          res.setEncoding('utf8');
          let buffered = '';
          res.on('data', (chunk: string) => {
            buffered += chunk;
            let end = buffered.indexOf('\n\n');
            while (end >= 0) {
              const event = parseSseMessage(buffered.slice(0, end));
              buffered = buffered.slice(end + 2);
              if (event) got.push(event.id);
              end = buffered.indexOf('\n\n');
            }
            if (got.length >= 2000) {
              req.destroy();
              done();
            }
          });
          setImmediate(() => res.resume());
        },
      );
      req.on('error', (error) => (got.length >= 2000 ? undefined : fail(error)));
      req.end();
    });
    expect(got).toEqual(Array.from({ length: 2000 }, (_, i) => start + 1 + i));
  });

  it('sends only the asked job’s events with ?jobId=, and keep-alive comments between events', async () => {
    const start = engine.events.lastId();
    engine.emit('job.progress', { n: 1 }, 'A');
    engine.emit('job.progress', { n: 2 }, 'B');
    engine.emit('job.progress', { n: 3 }, 'A');
    const ids = await take(2, { after: start, jobId: 'A' });
    expect(ids).toEqual([start + 1, start + 3]);
    const text = await new Promise<string>((done) => {
      let seen = '';
      const req = request({ socketPath: server.socketPath, path: '/v1/events' }, (res) => {
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => {
          seen += chunk;
          if (seen.includes(': keep-alive')) {
            req.destroy();
            done(seen);
          }
        });
      });
      req.on('error', () => undefined);
      req.end();
    });
    expect(text).toContain('retry: 2000');
  });

  it('treats a Last-Event-ID beyond the newest event (a reset state folder) as the newest', async () => {
    const newest = engine.events.lastId();
    const ids = await take(2, { after: newest + 1000 }, () => {
      engine.emit('job.progress', { n: 1 });
      engine.emit('job.progress', { n: 2 });
    });
    expect(ids).toEqual([newest + 1, newest + 2]);
  });

  it('refuses a Last-Event-ID that is not an event id with 400 and a code', async () => {
    await expect(client.events({ after: Number.NaN }).next()).rejects.toMatchObject({ code: 'API_VALIDATION' });
  });
});

async function waitFor(condition: () => boolean): Promise<void> {
  for (let i = 0; i < 500 && !condition(); i++) await new Promise((r) => setTimeout(r, 10));
  if (!condition()) throw new Error('condition never held');
}
