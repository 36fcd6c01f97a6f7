import { request as httpRequest, type IncomingMessage } from 'node:http';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { CATEGORY_STATUS, IosRescueError, isIosRescueError, type ErrorCategory } from '../errors.js';

/**
 * A small typed client of the daemon's HTTP API (src/daemon/http/, native-notes/daemon/openapi.json) over its unix
 * socket, as the CLI uses it: `iosrescue backup` submits a job and follows its events here when a daemon runs.
 * It speaks only the API's JSON, so it knows nothing of the daemon's code (operations sits below the daemon).
 */

/** The daemon's views as the API sends them (a subset: the fields the CLI reads). */
export interface DaemonJob {
  id: string;
  type: 'backup' | 'extract' | 'encryption';
  state: 'queued' | 'running' | 'succeeded' | 'failed' | 'cancelled' | 'interrupted' | 'needs-password';
  udid?: string;
  origin: string;
  request: Record<string, unknown>;
  progress?: DaemonJobProgress;
  error?: { code: string; message: string; category: ErrorCategory };
  backupDir?: string;
  outDir?: string;
  result?: Record<string, unknown>;
  attempts: number;
  createdAt: string;
  startedAt?: string;
  endedAt?: string;
  updatedAt: string;
}

export interface DaemonJobProgress {
  phase: string;
  message: string;
  bytesDone: number;
  bytesTotal?: number;
  files: number;
  percent?: number;
  dataType?: string;
}

export interface DaemonDevice {
  udid: string;
  name: string | null;
  state: string;
  message?: string;
  jobId?: string;
  progress?: DaemonJobProgress;
  error?: { code: string; message: string };
  [field: string]: unknown;
}

export interface DaemonEventMessage {
  id: number;
  time: string;
  kind: string;
  udid?: string;
  jobId?: string;
  data: Record<string, unknown>;
}

export type DaemonJobRequest =
  | { type: 'backup'; udid: string; full?: boolean; out?: string }
  | { type: 'extract'; backup: string; out?: string; types?: string[]; password?: string }
  | { type: 'encryption'; udid: string; action: 'on' | 'off' | 'change'; newPassword?: string; oldPassword?: string };

export const FINAL_DAEMON_JOB_STATES: readonly DaemonJob['state'][] = ['succeeded', 'failed', 'cancelled'];

/** A reply's `{code, message}` as a typed error: the category comes back from the status (CATEGORY_STATUS is 1:1). */
export class DaemonApiError extends IosRescueError {}

const CATEGORY_BY_STATUS = new Map<number, ErrorCategory>(
  (Object.entries(CATEGORY_STATUS) as [ErrorCategory, { http: number }][]).map(([category, s]) => [s.http, category]),
);

function categoryForStatus(status: number): ErrorCategory {
  if (status === 401 || status === 413) return 'usage';
  return CATEGORY_BY_STATUS.get(status) ?? 'internal';
}

/**
 * The daemon's unix socket for this user: `<state dir>/daemon.sock`, the state folder chosen as the daemon chooses
 * it (src/daemon/state-dir.ts defaultStateDir; test/unit/daemon/http/daemon-client.test.ts keeps the two equal).
 */
export function defaultDaemonSocketPath(
  env: NodeJS.ProcessEnv = process.env,
  platform: NodeJS.Platform = process.platform,
  uid: number | undefined = process.getuid?.(),
): string {
  const home = env.HOME ?? env.USERPROFILE ?? homedir();
  let dir: string;
  if (env.IOSRESCUE_STATE_DIR) dir = env.IOSRESCUE_STATE_DIR;
  else if (platform === 'win32') dir = join(env.LOCALAPPDATA ?? join(home, 'AppData', 'Local'), 'iosrescue', 'daemon');
  else if (platform === 'darwin') dir = join(home, 'Library', 'Application Support', 'iosrescue', 'daemon');
  else if (uid === 0) dir = '/var/lib/iosrescue';
  else dir = join(env.XDG_STATE_HOME || join(home, '.local', 'state'), 'iosrescue');
  return join(dir, 'daemon.sock');
}

/** A request whose reply has not begun within this is a daemon that hangs: the CLI says so instead of waiting. */
const REPLY_TIMEOUT_MS = 30_000;
/** Replies are small JSON (a page of at most 500 jobs); a bigger one is not the daemon's. */
const MAX_REPLY_BYTES = 16 * 1024 * 1024;

export class DaemonClient {
  constructor(readonly socketPath: string) {}

  /**
   * The client for this user's daemon, or undefined when none listens on its socket (no file, or nobody accepting:
   * both answer at once). A daemon that listens but does not answer within `timeoutMs` is an error, not "no
   * daemon": running the work directly then could fight it over a phone.
   */
  static async find(socketPath = defaultDaemonSocketPath(), timeoutMs = 15_000): Promise<DaemonClient | undefined> {
    const client = new DaemonClient(socketPath);
    try {
      const health = await client.request<{ ok: boolean }>('GET', '/v1/health', undefined, timeoutMs);
      return health.ok ? client : undefined;
    } catch (error) {
      const cause = (error as { cause?: NodeJS.ErrnoException }).cause;
      if (cause && ['ENOENT', 'ECONNREFUSED', 'ENOTSOCK', 'EACCES'].includes(cause.code ?? '')) return undefined;
      if (isIosRescueError(error) && error.code === 'DAEMON_CLIENT_TIMEOUT') {
        throw new DaemonApiError(
          'DAEMON_CLIENT_TIMEOUT',
          `the iosrescue daemon at ${socketPath} does not answer; check it ("iosrescue jobs"), or run with --no-daemon`,
          { category: 'timeout' },
        );
      }
      // Something listens there that is not our daemon (or answers garbage): not a daemon to hand jobs to.
      return undefined;
    }
  }

  health(): Promise<{ ok: boolean; version: string; lastEventId?: number }> {
    return this.request('GET', '/v1/health');
  }

  devices(): Promise<DaemonDevice[]> {
    return this.request('GET', '/v1/devices');
  }

  submitJob(job: DaemonJobRequest): Promise<DaemonJob> {
    return this.request('POST', '/v1/jobs', job);
  }

  listJobs(query: { state?: string; type?: string; udid?: string; limit?: number; cursor?: string } = {}) {
    const search = new URLSearchParams(
      Object.entries(query).flatMap(([k, v]): [string, string][] => (v === undefined ? [] : [[k, String(v)]])),
    ).toString();
    return this.request<{ jobs: DaemonJob[]; nextCursor?: string }>('GET', `/v1/jobs${search ? `?${search}` : ''}`);
  }

  getJob(id: string): Promise<DaemonJob> {
    return this.request('GET', `/v1/jobs/${encodeURIComponent(id)}`);
  }

  cancelJob(id: string): Promise<DaemonJob> {
    return this.request('POST', `/v1/jobs/${encodeURIComponent(id)}/cancel`);
  }

  /** One JSON request; a reply with an error status throws DaemonApiError with the daemon's code. */
  request<T>(method: string, path: string, body?: unknown, timeoutMs = REPLY_TIMEOUT_MS): Promise<T> {
    const payload = body === undefined ? undefined : Buffer.from(JSON.stringify(body));
    return new Promise<T>((done, fail) => {
      const req = httpRequest(
        {
          socketPath: this.socketPath,
          path,
          method,
          // A fresh connection per request (cheap on a unix socket): a kept-alive one the daemon is closing at that
          // moment would fail the request with ECONNRESET.
          agent: false,
          headers: payload ? { 'content-type': 'application/json', 'content-length': payload.length } : {},
          timeout: timeoutMs,
        },
        (res) => {
          readReply(res)
            .then((text) => {
              const status = res.statusCode ?? 0;
              const parsed = text ? (JSON.parse(text) as unknown) : undefined;
              if (status >= 200 && status < 300) return done(parsed as T);
              const error = (parsed ?? {}) as { code?: string; message?: string };
              fail(
                new DaemonApiError(error.code ?? `HTTP_${status}`, error.message ?? `the daemon answered ${status}`, {
                  category: categoryForStatus(status),
                  details: { status },
                }),
              );
            })
            .catch(fail);
        },
      );
      req.on('timeout', () =>
        req.destroy(new DaemonApiError('DAEMON_CLIENT_TIMEOUT', 'the daemon did not answer', { category: 'timeout' })),
      );
      req.on('error', (error) => fail(asConnectionError(error, this.socketPath)));
      req.end(payload);
    });
  }

  /**
   * The daemon's events after `after` (a Last-Event-ID), optionally only one job's, as they happen, until `signal`
   * aborts or the daemon goes away (then it ends with a connection-lost error).
   */
  async *events(
    options: { after?: number; jobId?: string; signal?: AbortSignal } = {},
  ): AsyncGenerator<DaemonEventMessage> {
    const search = new URLSearchParams();
    if (options.jobId !== undefined) search.set('jobId', options.jobId);
    const headers: Record<string, string> = { accept: 'text/event-stream' };
    if (options.after !== undefined) headers['last-event-id'] = String(options.after);
    const res = await new Promise<IncomingMessage>((done, fail) => {
      const req = httpRequest(
        { socketPath: this.socketPath, path: `/v1/events?${search}`, headers, signal: options.signal, agent: false },
        done,
      );
      req.on('error', (error) => fail(asConnectionError(error, this.socketPath)));
      req.end();
    });
    if (res.statusCode !== 200) {
      const text = await readReply(res);
      const error = (text ? JSON.parse(text) : {}) as { code?: string; message?: string };
      throw new DaemonApiError(error.code ?? `HTTP_${res.statusCode}`, error.message ?? 'events refused', {
        category: categoryForStatus(res.statusCode ?? 0),
      });
    }
    res.setEncoding('utf8');
    let buffered = '';
    try {
      for await (const chunk of res as AsyncIterable<string>) {
        buffered += chunk;
        let end = buffered.indexOf('\n\n');
        while (end >= 0) {
          const message = parseSseMessage(buffered.slice(0, end));
          buffered = buffered.slice(end + 2);
          if (message) yield message;
          end = buffered.indexOf('\n\n');
        }
        if (buffered.length > MAX_REPLY_BYTES)
          throw new DaemonApiError('DAEMON_CLIENT_BAD_STREAM', 'an event too large');
      }
    } catch (error) {
      if (options.signal?.aborted) return;
      throw asConnectionError(error, this.socketPath);
    }
    if (!options.signal?.aborted) {
      throw new DaemonApiError('DAEMON_CLIENT_CONNECTION_LOST', 'the daemon closed the event stream', {
        category: 'connection-lost',
      });
    }
  }
}

/** One SSE message's `data:` as an event; comments (keep-alive) and `retry:` lines give none. */
export function parseSseMessage(block: string): DaemonEventMessage | undefined {
  const data = block
    .split('\n')
    .filter((line) => line.startsWith('data:'))
    .map((line) => line.slice(5).replace(/^ /, ''))
    .join('\n');
  return data ? (JSON.parse(data) as DaemonEventMessage) : undefined;
}

async function readReply(res: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of res as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > MAX_REPLY_BYTES) {
      res.destroy();
      throw new DaemonApiError('DAEMON_CLIENT_BAD_STREAM', 'the daemon sent a reply too large');
    }
    chunks.push(chunk);
  }
  return Buffer.concat(chunks).toString('utf8');
}

function asConnectionError(error: unknown, socketPath: string): unknown {
  if (error instanceof IosRescueError) return error;
  return new DaemonApiError(
    'DAEMON_CLIENT_CONNECTION_LOST',
    `lost the daemon at ${socketPath}: ${(error as Error).message}`,
    {
      category: 'connection-lost',
      cause: error,
    },
  );
}
