import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defaultConfig, loadConfig, parseConfig } from '../../../src/daemon/config.js';
import { DaemonError } from '../../../src/daemon/errors.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'iosr-dcfg-'));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

function errorsOf(value: unknown): string[] {
  try {
    parseConfig(value, '/state', '/etc/iosrescue');
  } catch (error) {
    expect(error).toBeInstanceOf(DaemonError);
    expect((error as DaemonError).code).toBe('DAEMON_BAD_CONFIG');
    return (error as DaemonError).details.errors as string[];
  }
  throw new Error('the config was accepted');
}

describe('daemon config', () => {
  it('gives the documented defaults without a file', async () => {
    const config = await loadConfig(undefined, '/state');
    expect(config).toEqual(defaultConfig('/state'));
    expect(config).toMatchObject({
      backupsDir: '/state/backups',
      backup: { onAttach: 'all', minIntervalHours: 24, full: false },
      concurrency: { maxJobs: 4 },
    });
  });

  it('fills in what a file leaves out and resolves paths against the file folder', async () => {
    const path = join(dir, 'partial.json');
    await writeFile(
      path,
      JSON.stringify({ backupsDir: 'phones', backup: { onAttach: ['00008030-001a0ea86bcfb214'] } }),
    );
    const config = await loadConfig(path, '/state');
    expect(config.backupsDir).toBe(join(dir, 'phones'));
    expect(config.backup).toEqual({ onAttach: ['00008030-001A0EA86BCFB214'], minIntervalHours: 24, full: false });
    expect(config.retry).toEqual(defaultConfig('/state').retry);
  });

  it('names every bad key at once', () => {
    const errors = errorsOf({
      backupsDir: '',
      backup: { minIntervalHours: -1, fulll: true },
      concurrency: { maxJobs: 0 },
      hooks: { url: 'ftp://x', on: ['done'] },
      colour: 'blue',
    });
    expect(errors).toEqual(
      expect.arrayContaining([
        'colour: unknown key',
        'backup.fulll: unknown key',
        expect.stringMatching(/^backup\.minIntervalHours: /),
        expect.stringMatching(/^concurrency\.maxJobs: /),
        expect.stringMatching(/^backupsDir: /),
        expect.stringMatching(/^hooks\.url: /),
        'hooks.on.0: must be one of succeeded, failed, cancelled',
      ]),
    );
  });

  it('refuses a file that is not JSON or not there, saying which file', async () => {
    const path = join(dir, 'broken.json');
    await writeFile(path, '{ "backup": ');
    await expect(loadConfig(path, '/state')).rejects.toMatchObject({ code: 'DAEMON_BAD_CONFIG' });
    await expect(loadConfig(join(dir, 'absent.json'), '/state')).rejects.toThrow(/absent\.json/);
  });
});
