import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { JobView } from '../../../src/daemon/engine-types.js';
import { runHooks } from '../../../src/daemon/hooks.js';
import { silentLogger } from '../../../src/logging.js';

const job: JobView = {
  id: '12',
  type: 'backup',
  state: 'failed',
  udid: '00008030-001A0EA86BCFB214',
  origin: 'policy',
  request: { full: false },
  error: { code: 'MB2_DEVICE_105', message: 'not enough space', category: 'no-space' },
  attempts: 1,
  createdAt: '2026-01-01T00:00:00.000Z',
  updatedAt: '2026-01-01T00:01:00.000Z',
};
let server: Server;
let url: string;
beforeAll(async () => {
  server = createServer((req, res) => res.writeHead(req.url === '/ok' ? 200 : 500).end());
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((done) => server.close(() => done())));

describe('job hooks', () => {
  it('gives the command the job JSON on stdin and its id in the environment', async () => {
    const results = await runHooks(
      {
        command: [
          'node',
          '-e',
          'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>process.exit(JSON.parse(s).id===process.env.IOSRESCUE_JOB_ID?0:9))',
        ],
        on: ['failed'],
        timeoutSeconds: 10,
      },
      job,
      silentLogger,
    );
    expect(results).toEqual([{ hook: 'command', ok: true, status: 0 }]);
  });

  it('reports a failing command and URL without throwing', async () => {
    const results = await runHooks(
      { command: 'echo broken >&2; exit 3', url: `${url}/fail`, on: ['failed'], timeoutSeconds: 10 },
      job,
      silentLogger,
    );
    expect(results).toEqual([
      { hook: 'command', ok: false, status: 3, error: 'broken' },
      { hook: 'url', ok: false, status: 500, error: 'HTTP 500' },
    ]);
  });

  it('stops a command that outlives its timeout, with what it started', { timeout: 15_000 }, async () => {
    // The shell's child (sleep) holds the pipes: stopping the shell alone would leave the hook waiting 30 s, past this
    // test's timeout.
    const [result] = await runHooks(
      { command: 'sleep 30; true', on: ['failed'], timeoutSeconds: 1 },
      job,
      silentLogger,
    );
    expect(result).toMatchObject({ hook: 'command', ok: false, error: 'still running after 1 s: stopped' });
  });

  it('calls nothing for an ending not listed in hooks.on', async () => {
    expect(await runHooks({ url: `${url}/ok`, on: ['succeeded'], timeoutSeconds: 5 }, job, silentLogger)).toEqual([]);
  });
});
