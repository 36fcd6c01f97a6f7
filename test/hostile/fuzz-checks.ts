import { existsSync, readdirSync, readlinkSync } from 'node:fs';
import { lstat, readdir, readFile } from 'node:fs/promises';
import { join, relative } from 'node:path';

/** What one fuzz iteration found wrong; `kind` and `facts` are what known-issues.ts matches on, never the words. */
export interface Finding {
  iteration: number;
  /** plain-db, encrypted-db, plain-mbdb or encrypted-mbdb */
  sample: string;
  mutations: string[];
  kind: 'untyped-throw' | 'unexpected-result' | 'outside-output' | 'outside-bytes' | 'descriptor-leak' | 'bound';
  problem: string;
  facts: {
    /** open/scan/extract, scan of <type>, extraction of <type>, decryptBackup */
    step?: string;
    /** The raw error's message (a SQLite or errno message, for an UNEXPECTED result). */
    message?: string;
    /** Paths (relative to the iteration folder) of descriptors left open. */
    descriptors?: string[];
  };
}

/** Thrown by `bounded` when an iteration takes too long or grows the process too much. */
export class Bound extends Error {}

export function describeError(error: unknown): string {
  if (!(error instanceof Error)) return `a non-Error: ${String(error)}`;
  const stack = (error.stack ?? '').split('\n').slice(1, 6).join('\n');
  const code = (error as { code?: unknown }).code;
  return `${error.name}${typeof code === 'string' ? ` (${code})` : ''}: ${error.message.slice(0, 300)}\n${stack}`;
}

/** Every path under `dir` with its kind and size, relative, sorted; the folders named in `skip` are not entered. */
export async function listing(dir: string, skip: string[] = []): Promise<string[]> {
  const found: string[] = [];
  const walk = async (folder: string): Promise<void> => {
    for (const name of (await readdir(folder)).sort()) {
      const path = join(folder, name);
      const stats = await lstat(path);
      const rel = relative(dir, path);
      found.push(`${rel} ${stats.isDirectory() ? 'dir' : stats.isFile() ? stats.size : 'other'}`);
      if (stats.isDirectory() && !skip.includes(rel)) await walk(path);
    }
  };
  await walk(dir);
  return found;
}

/** Regular files under `dir` whose bytes hold `marker`. */
export async function filesHolding(dir: string, marker: string): Promise<string[]> {
  const hits: string[] = [];
  for (const entry of await readdir(dir, { recursive: true, withFileTypes: true }).catch(() => [])) {
    if (!entry.isFile()) continue;
    const path = join(entry.parentPath, entry.name);
    if ((await readFile(path)).includes(marker)) hits.push(relative(dir, path));
  }
  return hits;
}

/** Descriptors this process holds and what they name (Linux): one that outlives an iteration is a leaked file. */
export function openDescriptors(): Map<string, string> {
  const fds = new Map<string, string>();
  if (!existsSync('/proc/self/fd')) return fds;
  for (const fd of readdirSync('/proc/self/fd')) {
    try {
      fds.set(fd, readlinkSync(`/proc/self/fd/${fd}`));
    } catch {
      // closed between the listing and the readlink (the listing's own descriptor)
    }
  }
  return fds;
}

/**
 * `work` within `ms` and with the process's RSS under `rssCap` (sampled while it runs), else a Bound error. An
 * in-process bound: it catches a promise that never settles, not a synchronous loop (which the vitest timeout
 * reports instead). `signal` is aborted when the bound is hit, so the work stops writing.
 */
export async function bounded<T>(ms: number, rssCap: number, work: (signal: AbortSignal) => Promise<T>): Promise<T> {
  const controller = new AbortController();
  let timer: NodeJS.Timeout | undefined;
  let sampler: NodeJS.Timeout | undefined;
  const limit = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Bound(`did not finish within ${ms / 1000} s`)), ms);
    sampler = setInterval(() => {
      const rss = process.memoryUsage().rss;
      if (rss > rssCap) reject(new Bound(`RSS reached ${(rss / 1024 ** 2).toFixed(0)} MiB`));
    }, 100);
  });
  try {
    return await Promise.race([work(controller.signal), limit]);
  } finally {
    clearTimeout(timer);
    clearInterval(sampler);
    controller.abort();
  }
}
