import { spawn } from 'node:child_process';
import type { Logger } from '../logging.js';
import type { DaemonConfig, HookOutcome } from './config.js';
import type { JobView } from './engine-types.js';

export interface HookResult {
  hook: 'command' | 'url';
  ok: boolean;
  /** Exit status or HTTP status. */
  status?: number;
  error?: string;
}

/**
 * Tells lab software a job ended: the hook command gets the job's JSON on stdin, the hook URL gets it POSTed
 * (Content-Type application/json). Both run at once, each within `hooks.timeoutSeconds`; a failing hook is
 * reported, never changes the job's outcome. The JSON is the API's JobView: it holds no password.
 */
export async function runHooks(config: DaemonConfig['hooks'], job: JobView, logger: Logger): Promise<HookResult[]> {
  if (!config.on.includes(job.state as HookOutcome)) return [];
  const body = `${JSON.stringify(job)}\n`;
  const timeoutMs = config.timeoutSeconds * 1000;
  const runs: Array<Promise<HookResult>> = [];
  if (config.command) runs.push(runCommand(config.command, body, timeoutMs, job));
  if (config.url) runs.push(postJson(config.url, body, timeoutMs));
  const results = await Promise.all(runs);
  for (const result of results) {
    if (result.ok) logger.info({ jobId: job.id, ...result }, `the ${result.hook} hook ran`);
    else logger.warn({ jobId: job.id, ...result }, `the ${result.hook} hook failed`);
  }
  return results;
}

function runCommand(command: string | string[], body: string, timeoutMs: number, job: JobView): Promise<HookResult> {
  return new Promise((resolve) => {
    const [file, args] = typeof command === 'string' ? ['/bin/sh', ['-c', command]] : [command[0]!, command.slice(1)];
    // Its own process group, so a timeout stops what the hook started too (a shell's children keep its pipes open).
    const child = spawn(file, args, {
      stdio: ['pipe', 'ignore', 'pipe'],
      detached: process.platform !== 'win32',
      env: {
        ...process.env,
        IOSRESCUE_JOB_ID: job.id,
        IOSRESCUE_JOB_STATE: job.state,
        IOSRESCUE_JOB_TYPE: job.type,
        IOSRESCUE_UDID: job.udid ?? '',
      },
    });
    let timedOut = false;
    const stop = (signal: NodeJS.Signals): void => {
      try {
        if (child.pid !== undefined && process.platform !== 'win32') process.kill(-child.pid, signal);
        else child.kill(signal);
      } catch {
        // already gone
      }
    };
    const timer = setTimeout(() => {
      timedOut = true;
      stop('SIGTERM');
      setTimeout(() => stop('SIGKILL'), 2000).unref();
    }, timeoutMs);
    let stderr = '';
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
      if (stderr.length < 4096) stderr += chunk;
    });
    // A hook that exits without reading its stdin gets EPIPE: that is its choice, not an error.
    child.stdin.on('error', () => undefined);
    child.stdin.end(body);
    child.once('error', (error) => {
      clearTimeout(timer);
      resolve({ hook: 'command', ok: false, error: error.message });
    });
    child.once('close', (code, signal) => {
      clearTimeout(timer);
      if (code === 0 && !timedOut) return resolve({ hook: 'command', ok: true, status: 0 });
      resolve({
        hook: 'command',
        ok: false,
        ...(code !== null && { status: code }),
        error: timedOut
          ? `still running after ${timeoutMs / 1000} s: stopped`
          : signal
            ? `killed by ${signal}`
            : stderr.trim().slice(0, 500) || `exit status ${code}`,
      });
    });
  });
}

async function postJson(url: string, body: string, timeoutMs: number): Promise<HookResult> {
  try {
    const response = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body,
      signal: AbortSignal.timeout(timeoutMs),
    });
    await response.body?.cancel();
    return response.ok
      ? { hook: 'url', ok: true, status: response.status }
      : { hook: 'url', ok: false, status: response.status, error: `HTTP ${response.status}` };
  } catch (error) {
    return { hook: 'url', ok: false, error: (error as Error).message };
  }
}
