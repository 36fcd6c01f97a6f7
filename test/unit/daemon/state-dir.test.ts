import { spawnSync } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import { chmod, mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defaultStateDir, lockStateDir, prepareStateDir } from '../../../src/daemon/state-dir.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'iosr-dsd-'));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

describe('daemon state folder', () => {
  it('is per platform, /var/lib/iosrescue for root, XDG_STATE_HOME when set', () => {
    expect(defaultStateDir({ HOME: '/home/ana' }, 'linux', 1000)).toBe('/home/ana/.local/state/iosrescue');
    expect(defaultStateDir({ HOME: '/home/ana', XDG_STATE_HOME: '/xdg' }, 'linux', 1000)).toBe('/xdg/iosrescue');
    expect(defaultStateDir({ HOME: '/root' }, 'linux', 0)).toBe('/var/lib/iosrescue');
    expect(defaultStateDir({ HOME: '/Users/ana' }, 'darwin', 501)).toBe(
      '/Users/ana/Library/Application Support/iosrescue/daemon',
    );
    expect(defaultStateDir({ IOSRESCUE_STATE_DIR: '/srv/x' }, 'linux', 0)).toBe('/srv/x');
    expect(defaultStateDir({ STATE_DIRECTORY: '/var/lib/iosrescue:/var/lib/other' }, 'linux', 61234)).toBe(
      '/var/lib/iosrescue',
    );
  });

  it('is made owner-only, and narrowed when it was wider', async () => {
    const made = join(dir, 'new');
    await prepareStateDir(made);
    expect((await stat(made)).mode & 0o777).toBe(0o700);
    await chmod(made, 0o755);
    await prepareStateDir(made);
    expect((await stat(made)).mode & 0o777).toBe(0o700);
  });

  it('holds one daemon: a live owner is refused, a dead one (kill -9) is taken over', () => {
    const locked = join(dir, 'lock');
    spawnSync('mkdir', ['-p', locked]);
    // A process that is surely alive and not us: our parent.
    writeFileSync(join(locked, 'daemon.pid'), `${process.ppid}\n`);
    expect(() => lockStateDir(locked)).toThrow(expect.objectContaining({ code: 'DAEMON_ALREADY_RUNNING' }));
    // A pid that no longer runs.
    const gone = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))']).stdout.toString();
    writeFileSync(join(locked, 'daemon.pid'), `${gone}\n`);
    const release = lockStateDir(locked);
    release();
    expect(existsSync(join(locked, 'daemon.pid'))).toBe(false);
  });
});
