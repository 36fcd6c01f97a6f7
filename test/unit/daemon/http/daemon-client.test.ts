import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { defaultStateDir } from '../../../../src/daemon/index.js';
import { DaemonClient, defaultDaemonSocketPath, parseSseMessage } from '../../../../src/operations/daemon-client.js';

describe('the CLI’s daemon client', () => {
  it('looks for the socket in the folder the daemon chooses, for every platform and user', () => {
    const envs: NodeJS.ProcessEnv[] = [
      { HOME: '/home/lab' },
      { HOME: '/home/lab', XDG_STATE_HOME: '/srv/state' },
      { HOME: '/home/lab', IOSRESCUE_STATE_DIR: '/opt/iosr' },
      { USERPROFILE: 'C:\\Users\\lab', LOCALAPPDATA: 'C:\\Users\\lab\\AppData\\Local' },
    ];
    for (const env of envs) {
      for (const platform of ['linux', 'darwin', 'win32'] as const) {
        for (const uid of [0, 1000, undefined]) {
          expect(defaultDaemonSocketPath(env, platform, uid)).toBe(
            join(defaultStateDir(env, platform, uid), 'daemon.sock'),
          );
        }
      }
    }
  });

  it('finds no daemon where no socket answers, quickly and without throwing', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'iosr-noda-'));
    try {
      expect(await DaemonClient.find(join(dir, 'daemon.sock'))).toBeUndefined();
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('refuses to treat a daemon that listens but does not answer as no daemon (so nothing fights it)', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'iosr-hung-'));
    const hung = createServer(() => undefined);
    try {
      const socketPath = join(dir, 'daemon.sock');
      await new Promise<void>((done) => hung.listen(socketPath, done));
      await expect(DaemonClient.find(socketPath, 200)).rejects.toMatchObject({ code: 'DAEMON_CLIENT_TIMEOUT' });
    } finally {
      hung.close();
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('reads an SSE message’s data and ignores comments and retry lines', () => {
    const event = { id: 7, time: '2026-01-01T00:00:00Z', kind: 'job.state', jobId: '3', data: { state: 'running' } };
    expect(parseSseMessage(`id: 7\nevent: job.state\ndata: ${JSON.stringify(event)}`)).toEqual(event);
    expect(parseSseMessage(': keep-alive')).toBeUndefined();
    expect(parseSseMessage('retry: 2000')).toBeUndefined();
  });
});
