import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli, runCliInProcess } from '../../helpers/cli.js';
import { generateDatabase } from './generate.js';

const run = runCliInProcess;

describe('iosrescue carve', () => {
  const generated = generateDatabase({
    pageSize: 4096,
    mode: 'wal',
    rows: 80,
    shouldDelete: (n) => n % 4 === 0,
    churn: 2,
  });

  it('--json prints one object per recovered record with table, source, page, offset, values and nothing else but rowid and inferred when known', async () => {
    const { stdout, status } = await run(['carve', generated.path, '--json']);
    expect(status).toBe(0);
    const lines = stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(lines.length).toBeGreaterThanOrEqual(generated.deleted.size);
    for (const line of lines) {
      const keys = Object.keys(line).filter((k) => k !== 'rowid' && k !== 'inferred');
      expect(keys.sort()).toEqual(['offset', 'page', 'source', 'table', 'values']);
      if (line.inferred !== undefined) expect(line.inferred).toEqual(expect.arrayContaining([expect.any(String)]));
    }
    // A freed message's rowid comes back (read, or rebuilt and marked inferred) in the JSON too.
    expect(lines.some((l) => l.table === 'message' && typeof l.rowid === 'number')).toBe(true);
    const messages = lines.filter((l) => l.table === 'message');
    const texts = new Set(messages.map((l) => (l.values as unknown[])[1]));
    for (const text of generated.deleted) expect(texts.has(text)).toBe(true);
    for (const text of generated.live) expect(texts.has(text)).toBe(false);
    const sample = messages[0]!.values as unknown[];
    expect(typeof sample[2]).toBe('number');
    expect(['wal', 'freeblock', 'unallocated', 'freelist', 'journal']).toContain(messages[0]!.source);
  });

  it('--table keeps only that table, and the human form ends with a summary', async () => {
    const { stdout, status } = await run(['carve', generated.path, '--table', 'message']);
    expect(status).toBe(0);
    expect(stdout).toMatch(/recovered records? \(deleted or superseded; live rows excluded\)/);
    expect(stdout).toMatch(/message from wal/);
    expect(stdout).not.toMatch(/sqlite_sequence from/);
  });

  it('with --log-level debug says on stderr how long each phase took, and stdout stays the records', async () => {
    const { stdout, stderr, code } = await runCli(['--log-level', 'debug', '--json', 'carve', generated.path], {
      ...process.env,
    });
    expect(code).toBe(0);
    const phases = stderr
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as { phase?: string; ms?: number })
      .filter((event) => event.phase !== undefined);
    // A WAL database: the walk, the schema, the pages, then the WAL frames.
    expect(phases.map((event) => event.phase)).toEqual(['live', 'schema', 'pages', 'wal']);
    for (const event of phases) expect(event.ms).toBeGreaterThanOrEqual(0);
    for (const line of stdout.trim().split('\n')) expect(JSON.parse(line)).toHaveProperty('values');
  });

  it('exits non-zero with a typed reason on a file that is not a database, and 2 on a missing argument', async () => {
    const path = join(mkdtempSync(join(tmpdir(), 'carve-cli-')), 'not.db');
    writeFileSync(path, 'hello, this is not SQLite at all, but it is longer than a hundred bytes. '.repeat(3));
    const bad = await run(['carve', path]);
    expect(bad.status).toBe(6);
    expect(bad.stderr).toContain('CARVE_NOT_SQLITE');
    const usage = await run(['carve']);
    expect(usage.status).toBe(2);
  });
});
