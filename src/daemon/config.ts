import { readFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { Ajv, type ErrorObject } from 'ajv';
import { CONFIG_SCHEMA } from './config-schema.js';
import { DaemonError } from './errors.js';

export type HookOutcome = 'succeeded' | 'failed' | 'cancelled';

/** The daemon's policy with every default filled in (README.md "Config file"). */
export interface DaemonConfig {
  /** Backups go to `<backupsDir>/<UDID>/`. */
  backupsDir: string;
  backup: {
    /** Back up each phone when it is attached: all, none, or these UDIDs. */
    onAttach: 'all' | 'none' | string[];
    /** A phone backed up less than this many hours ago is not backed up again on attach (0: every attach). */
    minIntervalHours: number;
    /** Ask for full backups (default incremental when the previous backup allows it). */
    full: boolean;
  };
  extract: {
    /** After each successful policy backup, extract it. */
    afterBackup: boolean;
    /** Data types (default: all). */
    types: string[];
    /** Extractions go to `<outDir>/<UDID>-<job id>/`. */
    outDir: string;
  };
  concurrency: { maxJobs: number };
  retry: { maxAttempts: number; backoffSeconds: number; maxBackoffSeconds: number };
  /** How long a phone may show "Trust This Computer?" before the daemon gives up on it until it is re-plugged. */
  trustWaitSeconds: number;
  hooks: {
    /** Run with the job's JSON on stdin: a string goes through /bin/sh -c, an array is [program, ...args]. */
    command?: string | string[];
    /** POSTed the job's JSON. */
    url?: string;
    on: HookOutcome[];
    timeoutSeconds: number;
  };
}

export function defaultConfig(stateDir: string): DaemonConfig {
  return {
    backupsDir: join(stateDir, 'backups'),
    backup: { onAttach: 'all', minIntervalHours: 24, full: false },
    extract: { afterBackup: false, types: [], outDir: join(stateDir, 'extracts') },
    concurrency: { maxJobs: 4 },
    retry: { maxAttempts: 3, backoffSeconds: 30, maxBackoffSeconds: 600 },
    trustWaitSeconds: 600,
    hooks: { on: ['succeeded', 'failed', 'cancelled'], timeoutSeconds: 30 },
  };
}

const validate = new Ajv({ allErrors: true, strict: true }).compile(CONFIG_SCHEMA);

/**
 * Reads and checks a config file: every bad key is named in one DAEMON_BAD_CONFIG error (details.errors), so a
 * person fixes them all at once. Relative paths are relative to the file's folder. No file: the defaults.
 */
export async function loadConfig(path: string | undefined, stateDir: string): Promise<DaemonConfig> {
  if (path === undefined) return defaultConfig(stateDir);
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    throw new DaemonError('DAEMON_BAD_CONFIG', `cannot read the config file ${path}: ${(error as Error).message}`, {
      cause: error,
      details: { path },
    });
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw new DaemonError('DAEMON_BAD_CONFIG', `${path} is not JSON: ${(error as Error).message}`, {
      details: { path },
    });
  }
  return parseConfig(parsed, stateDir, dirname(resolve(path)), path);
}

/** Checks a parsed config object and fills in the defaults. */
export function parseConfig(value: unknown, stateDir: string, baseDir: string, source = 'the config'): DaemonConfig {
  if (!validate(value)) {
    const errors = (validate.errors ?? []).map(describeError);
    throw new DaemonError('DAEMON_BAD_CONFIG', `${source} has ${errors.length} bad key(s):\n  ${errors.join('\n  ')}`, {
      details: { path: source, errors },
    });
  }
  const given = value as Partial<Record<string, Record<string, unknown>>> & { backupsDir?: string };
  const defaults = defaultConfig(stateDir);
  const config: DaemonConfig = {
    ...defaults,
    ...(given as object),
    backup: { ...defaults.backup, ...given.backup },
    extract: { ...defaults.extract, ...given.extract },
    concurrency: { ...defaults.concurrency, ...given.concurrency },
    retry: { ...defaults.retry, ...given.retry },
    hooks: { ...defaults.hooks, ...given.hooks },
  } as DaemonConfig;
  delete (config as { $schema?: string }).$schema;
  config.backupsDir = resolve(baseDir, config.backupsDir);
  config.extract.outDir = resolve(baseDir, config.extract.outDir);
  if (Array.isArray(config.backup.onAttach))
    config.backup.onAttach = config.backup.onAttach.map((u) => u.toUpperCase());
  return config;
}

/** One line per bad key: where (`backup.minIntervalHours`) and what is wrong with it. */
function describeError(error: ErrorObject): string {
  const where = error.instancePath.slice(1).replace(/\//g, '.') || '(top level)';
  if (error.keyword === 'additionalProperties') {
    const key = (error.params as { additionalProperty: string }).additionalProperty;
    return `${where === '(top level)' ? key : `${where}.${key}`}: unknown key`;
  }
  if (error.keyword === 'enum')
    return `${where}: must be one of ${(error.params as { allowedValues: unknown[] }).allowedValues.join(', ')}`;
  return `${where}: ${error.message ?? 'is not valid'}`;
}
