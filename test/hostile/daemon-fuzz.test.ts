import { createHash, randomBytes } from 'node:crypto';
import { connect, type Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestDaemon, waitForDevices, type TestDaemon } from '../integration/daemon-api-helpers.js';
import { send } from '../unit/daemon/http/http-request.js';

/**
 * The daemon's API is reachable by every process of its user (and over TCP by anything on loopback that guesses
 * nothing: it still parses the request before it checks the token). This sends it malformed and hostile requests
 * over real sockets — broken JSON, huge and lying bodies, bad headers, garbage request lines, slow partial
 * requests, seeded byte-level mutations of valid requests — and checks that no reply is a 5xx, that slow partial
 * requests are dropped, and that the daemon answers normally afterwards.
 *
 * IOSRESCUE_DAEMON_FUZZ_SEED: the mutation seed (printed; random by default, fixed under CI).
 */
const SEED = process.env.IOSRESCUE_DAEMON_FUZZ_SEED ?? (process.env.CI ? 'd43m0n01' : randomBytes(4).toString('hex'));
const MUTATED_REQUESTS = 300;

/** What a raw exchange gave: the status line's code (0: the server closed without a reply) and the raw text. */
interface RawReply {
  status: number;
  text: string;
}

/**
 * Writes raw bytes to the API socket and collects what comes back until one whole reply arrived, the server closed,
 * or `waitMs` passed.
 */
function raw(socketPath: string, chunks: Array<Buffer | string>, waitMs = 10_000): Promise<RawReply> {
  return new Promise((done) => {
    const socket: Socket = connect(socketPath);
    const got: Buffer[] = [];
    const finish = (): void => {
      clearTimeout(timer);
      socket.destroy();
      const text = Buffer.concat(got).toString('latin1');
      const match = /^HTTP\/1\.[01] (\d{3})/.exec(text);
      done({ status: match ? Number(match[1]) : 0, text });
    };
    const timer = setTimeout(finish, waitMs);
    socket.on('data', (chunk) => {
      got.push(chunk);
      const text = Buffer.concat(got).toString('latin1');
      const end = text.indexOf('\r\n\r\n');
      const length = /\r\ncontent-length: (\d+)/i.exec(text.slice(0, end));
      if (end >= 0 && length && text.length - end - 4 >= Number(length[1])) finish();
    });
    socket.on('close', finish);
    socket.on('error', () => undefined);
    socket.on('connect', () => {
      for (const chunk of chunks) socket.write(chunk);
    });
  });
}

/** A POST of this body to /v1/jobs, its length counted. */
function post(body: string, contentType = 'application/json'): string {
  return `POST /v1/jobs HTTP/1.1\r\nHost: x\r\nContent-Type: ${contentType}\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`;
}

/** A small seeded PRNG (sha256 in counter mode), so a failing seed replays exactly. */
class Random {
  private counter = 0;
  private pool: Buffer = Buffer.alloc(0);
  constructor(private readonly seed: string) {}
  byte(): number {
    if (this.pool.length === 0)
      this.pool = createHash('sha256')
        .update(`${this.seed}:${this.counter++}`)
        .digest();
    const value = this.pool[0]!;
    this.pool = this.pool.subarray(1);
    return value;
  }
  below(n: number): number {
    return ((this.byte() << 8) | this.byte()) % n;
  }
}

function validRequests(udid: string): string[] {
  // No "out": a backup a mutation leaves valid goes to the daemon's own folder, removed with its state.
  const body = JSON.stringify({ type: 'backup', udid, full: false });
  const extract = JSON.stringify({ type: 'extract', backup: '/nonexistent', password: 'x', types: ['contacts'] });
  return [
    'GET /v1/health HTTP/1.1\r\nHost: x\r\n\r\n',
    'GET /v1/jobs?state=failed&limit=5 HTTP/1.1\r\nHost: x\r\n\r\n',
    `GET /v1/devices/${udid} HTTP/1.1\r\nHost: x\r\n\r\n`,
    `POST /v1/jobs HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: ${body.length}\r\n\r\n${body}`,
    `POST /v1/jobs HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: ${extract.length}\r\n\r\n${extract}`,
    'POST /v1/jobs/1/cancel HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\n\r\n',
  ];
}

function mutate(request: string, random: Random): Buffer {
  const bytes = Buffer.from(request, 'latin1');
  const copy = Buffer.from(bytes);
  switch (random.below(6)) {
    case 0: // flip a few bytes
      for (let i = random.below(4) + 1; i > 0; i--) copy[random.below(copy.length)] = random.byte();
      return copy;
    case 1: // truncate
      return copy.subarray(0, random.below(copy.length));
    case 2: // duplicate a slice
      {
        const at = random.below(copy.length);
        return Buffer.concat([copy.subarray(0, at), copy.subarray(random.below(copy.length)), copy.subarray(at)]);
      }
    case 3: // a stray CR, LF or NUL
      {
        const at = random.below(copy.length);
        return Buffer.concat([copy.subarray(0, at), Buffer.from([[13, 10, 0][random.below(3)]!]), copy.subarray(at)]);
      }
    case 4: // lie about the length
      return Buffer.from(request.replace(/Content-Length: \d+/i, `Content-Length: ${random.below(100000)}`), 'latin1');
    default: // a high byte in the JSON
      return Buffer.from(request.replace(/"(\w)/, `"\u00ff$1`), 'latin1');
  }
}

describe('daemon API under hostile requests', () => {
  let daemon: TestDaemon;
  let socketPath: string;
  let udid: string;

  beforeAll(async () => {
    daemon = await startTestDaemon({ devices: 1 });
    socketPath = daemon.served.api.socketPath;
    udid = daemon.emu.udids[0]!;
    await waitForDevices(daemon.client, 1);
  });
  afterAll(async () => daemon?.stop());

  async function stillServes(): Promise<void> {
    const health = await send({ socketPath }, 'GET', '/v1/health');
    expect(health.json()).toMatchObject({ ok: true });
    expect((await send({ socketPath }, 'GET', '/v1/devices')).status).toBe(200);
  }

  it('answers malformed bodies, headers and request lines with a 4xx (never a 5xx) and stays up', async () => {
    const huge = 'x'.repeat(200 * 1024);
    const cases: Array<[string, Array<Buffer | string>, (status: number) => boolean]> = [
      ['bad JSON', [post('{"type":}')], (s) => s === 400],
      ['JSON of the wrong shape', [post('[1,2,3]')], (s) => s === 400],
      ['deep JSON', [post(`${'['.repeat(10000)}${']'.repeat(10000)}`)], (s) => s === 400],
      [
        '__proto__ in JSON',
        [post(`{"type":"backup","udid":"${'0'.repeat(24)}","__proto__":{"a":1}}`)],
        (s) => s === 400,
      ],
      [
        'body larger than the limit',
        [
          `POST /v1/jobs HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: ${huge.length}\r\n\r\n`,
          huge,
        ],
        (s) => s === 413,
      ],
      [
        'a body that claims 1 GB',
        [
          'POST /v1/jobs HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 1000000000\r\n\r\n{"a":',
        ],
        (s) => s === 413,
      ],
      [
        'chunked body past the limit',
        [
          'POST /v1/jobs HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nTransfer-Encoding: chunked\r\n\r\n',
          ...Array.from({ length: 20 }, () => `1000\r\n${'a'.repeat(4096)}\r\n`),
        ],
        (s) => s === 413,
      ],
      ['text/plain body', [post('hi', 'text/plain')], (s) => s === 400 || s === 415],
      [
        'two Content-Lengths',
        ['POST /v1/jobs HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\nContent-Length: 3\r\n\r\n{}'],
        (s) => s === 400,
      ],
      [
        'header block past 16 KiB',
        [`GET /v1/health HTTP/1.1\r\nHost: x\r\nX-Big: ${'y'.repeat(20000)}\r\n\r\n`],
        (s) => s === 431 || s === 400,
      ],
      ['a header name with a space', ['GET /v1/health HTTP/1.1\r\nHost: x\r\nBad Header: 1\r\n\r\n'], (s) => s === 400],
      ['a NUL in a header', ['GET /v1/health HTTP/1.1\r\nHost: x\r\nX-A: a\u0000b\r\n\r\n'], (s) => s === 400],
      [
        'garbage request line',
        ['\u0016\u0003\u0001\u0002\u0000\u0001\u0000\u01fc\u0003\u0003garbage\r\n\r\n'],
        (s) => s === 400,
      ],
      ['an unknown method', ['BREW /v1/health HTTP/1.1\r\nHost: x\r\n\r\n'], (s) => s === 400 || s === 404],
      [
        'a 70 KB URL',
        [`GET /v1/jobs/${'9'.repeat(70000)} HTTP/1.1\r\nHost: x\r\n\r\n`],
        (s) => s === 431 || s === 414 || s === 400,
      ],
      [
        'a bad Last-Event-ID',
        ['GET /v1/events HTTP/1.1\r\nHost: x\r\nLast-Event-ID: -1; DROP TABLE\r\n\r\n'],
        (s) => s === 400,
      ],
      ['a bad query', ['GET /v1/jobs?limit=abc&limit=9&state[]=x HTTP/1.1\r\nHost: x\r\n\r\n'], (s) => s === 400],
      ['an escaping job id', ['GET /v1/jobs/..%2F..%2Fetc%2Fpasswd HTTP/1.1\r\nHost: x\r\n\r\n'], (s) => s === 404],
      ['a bad percent-encoding', ['GET /v1/devices/%zz HTTP/1.1\r\nHost: x\r\n\r\n'], (s) => s === 400 || s === 404],
    ];
    const seen: Array<{ name: string; status: number }> = [];
    for (const [name, chunks, expected] of cases) {
      const reply = await raw(socketPath, chunks);
      seen.push({ name, status: reply.status });
      expect({ name, ok: expected(reply.status), status: reply.status }).toEqual({
        name,
        ok: true,
        status: reply.status,
      });
    }
    await stillServes();
  });

  it(`never answers ${MUTATED_REQUESTS} seeded mutations of valid requests with a 5xx (seed ${SEED})`, async () => {
    process.stdout.write(`daemon fuzz seed: ${SEED} (IOSRESCUE_DAEMON_FUZZ_SEED replays it)\n`);
    const random = new Random(SEED);
    const templates = validRequests(udid);
    const serverErrors: string[] = [];
    for (let batch = 0; batch < MUTATED_REQUESTS / 30; batch++) {
      const replies = await Promise.all(
        Array.from({ length: 30 }, async () => {
          const request = mutate(templates[random.below(templates.length)]!, random);
          // A request cut short waits for bytes that never come: half a second tells enough.
          return { request, reply: await raw(socketPath, [request], 500) };
        }),
      );
      for (const { request, reply } of replies) {
        if (reply.status >= 500) serverErrors.push(`${reply.status} for ${JSON.stringify(request.toString('latin1'))}`);
      }
    }
    expect(serverErrors).toEqual([]);
    // The mutations may have queued jobs with junk paths: they are the daemon's to refuse or fail; it still serves.
    await stillServes();
  });

  it('drops slow partial requests (slowloris) while it keeps answering others and keeps SSE streams open', async () => {
    // An event stream opened first must outlive the slow requests' timeout: it is a complete request.
    const stream = raw(socketPath, ['GET /v1/events HTTP/1.1\r\nHost: x\r\nAccept: text/event-stream\r\n\r\n'], 7_000);
    const sockets: Socket[] = [];
    const closed: Promise<void>[] = [];
    for (let i = 0; i < 40; i++) {
      const socket = connect(socketPath);
      socket.on('error', () => undefined);
      closed.push(new Promise((done) => socket.on('close', () => done())));
      socket.write('GET /v1/health HTTP/1.1\r\nHost: x\r\nX-Slow: ');
      sockets.push(socket);
    }
    // A byte now and then never completes the headers.
    const drip = setInterval(() => {
      for (const socket of sockets) if (!socket.destroyed) socket.write('a');
    }, 500);
    try {
      await stillServes();
      // The server's headers timeout (5 s, checked every second) closes every one of them.
      const all = Promise.all(closed).then(() => 'closed' as const);
      const limit = new Promise<'open'>((done) => setTimeout(() => done('open'), 20_000).unref());
      expect(await Promise.race([all, limit])).toBe('closed');
    } finally {
      clearInterval(drip);
      for (const socket of sockets) socket.destroy();
    }
    await stillServes();
    const events = await stream;
    expect(events.status).toBe(200);
    expect(events.text).toContain('retry: 2000');
    // The client gave up after 7 s, past the 5 s that dropped the slow ones; a stream the server ended would close
    // with the last chunk (0\r\n\r\n).
    expect(events.text).not.toMatch(/\r\n0\r\n\r\n$/);
  });
});
