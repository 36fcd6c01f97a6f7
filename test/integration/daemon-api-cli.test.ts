import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DaemonClient } from '../../src/operations/daemon-client.js';
import { cliBuilt, cliPath, runCli } from '../helpers/cli.js';

/** `iosrescue daemon` as a user starts it: a child process, its ready line, its API, SIGTERM. */
describe.skipIf(!cliBuilt)('iosrescue daemon (the command)', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'iosr-dcli-'));
  });
  afterAll(async () => rm(dir, { recursive: true, force: true }));

  it('refuses a --listen address that is not loopback before starting anything (exit 2)', async () => {
    const stateDir = join(dir, 'refused');
    const result = await runCli(['--json', 'daemon', '--state-dir', stateDir, '--listen', '0.0.0.0:8765'], process.env);
    expect(result.code).toBe(2);
    expect(JSON.parse(result.stdout).error.code).toBe('API_LISTEN_REFUSED');
    expect(existsSync(stateDir)).toBe(false);
  });

  it('says where it listens, serves the API without usbmuxd, and stops cleanly on SIGTERM (exit 0)', async () => {
    const stateDir = join(dir, 'state');
    const env = { ...process.env, USBMUXD_SOCKET_ADDRESS: `UNIX:${join(dir, 'no-usbmuxd.sock')}` };
    const child = spawn(
      process.execPath,
      [cliPath, '--json', '--log-level', 'silent', 'daemon', '--state-dir', stateDir],
      {
        env,
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const exited = new Promise<number | null>((done) => child.on('exit', (code) => done(code)));
    const ready = await new Promise<{ socketPath: string; stateDir: string }>((done, fail) => {
      let out = '';
      child.stdout.on('data', (chunk: Buffer) => {
        out += chunk.toString();
        const line = out.split('\n').find((l) => l.includes('"ready"'));
        if (line) done(JSON.parse(line));
      });
      void exited.then((code) => fail(new Error(`the daemon exited (${code}): ${stderr}`)));
    });
    expect(ready.socketPath).toBe(join(stateDir, 'daemon.sock'));
    const client = new DaemonClient(ready.socketPath);
    const health = await client.health();
    expect(health).toMatchObject({ ok: true });
    expect(await client.devices()).toEqual([]);
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
    expect(existsSync(ready.socketPath)).toBe(false);
    expect(await DaemonClient.find(ready.socketPath)).toBeUndefined();
  });
});
