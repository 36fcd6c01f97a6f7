import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { RawUsbmux } from '../helpers/raw-usbmux.js';

/** `iosrescue emulator` as a lab runs it: the built CLI, --json lines on stdout, commands on stdin, Ctrl-C. */
const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const cli = join(repoRoot, 'dist/src/cli/main.js');
const built = existsSync(cli);
if (!built) console.warn(`skipping the emulator CLI test: ${cli} is missing (run npm run build)`);

describe.skipIf(!built)('iosrescue emulator (CLI)', () => {
  let dir: string | undefined;
  afterAll(() => (dir ? rm(dir, { recursive: true, force: true }) : undefined));

  it('prints the socket and phones, obeys add/remove/trust on stdin, and stops cleanly on SIGINT', async () => {
    dir = await mkdtemp(join(tmpdir(), 'iosr-cli-'));
    const socketPath = join(dir, 'usbmuxd.sock');
    const child: ChildProcessWithoutNullStreams = spawn(
      process.execPath,
      [
        cli,
        '--json',
        'emulator',
        '--socket',
        socketPath,
        '--state-dir',
        join(dir, 'state'),
        '--devices',
        '2',
        '--seed',
        'cli',
      ],
      { stdio: 'pipe' },
    );
    const exited = new Promise<number | null>((done) => child.once('exit', (code) => done(code)));
    const lines = createInterface({ input: child.stdout })[Symbol.asyncIterator]();
    const next = async (): Promise<Record<string, unknown>> => {
      const { value, done } = await lines.next();
      if (done) throw new Error('the emulator stopped printing');
      return JSON.parse(value as string) as Record<string, unknown>;
    };
    try {
      const started = await next();
      expect(started).toMatchObject({ event: 'started', socketPath, USBMUXD_SOCKET_ADDRESS: `UNIX:${socketPath}` });
      const devices = started.devices as Array<{ udid: string; trust: string }>;
      expect(devices).toHaveLength(2);
      expect(devices.every((d) => /^00008030-[0-9A-F]{16}$/.test(d.udid) && d.trust === 'accept')).toBe(true);

      child.stdin.write('add\n');
      const added = await next();
      expect(added).toMatchObject({ event: 'added' });
      const addedUdid = (added.device as { udid: string }).udid;

      const mux = await RawUsbmux.connect(socketPath);
      const listed = (await mux.request({ MessageType: 'ListDevices' })).DeviceList as unknown[];
      expect(listed).toHaveLength(3);
      mux.close();

      child.stdin.write(`trust ${devices[0]!.udid} pending:30\n`);
      expect(await next()).toEqual({ event: 'trust', udid: devices[0]!.udid, trust: 'pending:30' });
      child.stdin.write(`remove ${addedUdid}\n`);
      expect(await next()).toEqual({ event: 'removed', udid: addedUdid });
      child.stdin.write('remove 00000000-0000000000000000\n');
      expect(await next()).toMatchObject({ event: 'error' });

      child.kill('SIGINT');
      expect(await exited).toBe(130);
      expect(existsSync(socketPath)).toBe(false);
    } finally {
      child.kill('SIGKILL');
    }
  });
});
