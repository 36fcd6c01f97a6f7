import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { cliBuilt as built, cliPath as cli, runCli } from '../helpers/cli.js';
import { startTestEmulator, type TestEmulator } from '../helpers/emulator.js';

/** Our CLI as a user runs it (the built dist/), against the virtual iPhone over its usbmuxd socket. */
if (!built) console.warn(`skipping the device CLI tests: ${cli} is missing (run npm run build)`);

let emu: TestEmulator;
let home: string;

beforeEach(async () => {
  emu = await startTestEmulator({ devices: 1 });
  home = await mkdtemp(join(tmpdir(), 'iosr-home-'));
});
afterEach(async () => {
  await emu.stop();
  await rm(home, { recursive: true, force: true });
});

function run(args: string[]) {
  return runCli(args, { ...emu.env, IOSRESCUE_HOME: home, IOSRESCUE_LOG_LEVEL: 'warn' });
}

describe.skipIf(!built)('iosrescue device commands against the virtual iPhone', () => {
  it('devices lists the phone with its name, model and iOS version, in text and JSON', async () => {
    const text = await run(['devices']);
    expect(text.code).toBe(0);
    expect(text.stdout).toContain(emu.udids[0]);
    expect(text.stdout).toMatch(/Virtual iPhone.*iPhone12,8, iOS 16\.7\.2/);
    const json = await run(['--json', 'devices']);
    expect(JSON.parse(json.stdout)).toEqual([
      expect.objectContaining({ udid: emu.udids[0], connectionType: 'USB', productVersion: '16.7.2' }),
    ]);
  });

  it('pair, validate, info and unpair work end to end, with stable exit codes', async () => {
    const pair = await run(['pair']);
    expect(pair.code).toBe(0);
    expect(pair.stdout).toContain(`Paired with ${emu.udids[0]}`);
    expect((await run(['validate'])).code).toBe(0);
    const version = await run(['info', '--key', 'ProductVersion']);
    expect(version.stdout.trim()).toBe('16.7.2');
    const backup = await run(['--json', 'info', '--domain', 'com.apple.mobile.backup', '--key', 'WillEncrypt']);
    expect(JSON.parse(backup.stdout)).toMatchObject({ value: false, udid: emu.udids[0] });
    const all = await run(['info']);
    expect(all.stdout).toMatch(/^SerialNumber: \S+/m);
    expect((await run(['unpair'])).code).toBe(0);
    const after = await run(['validate']);
    expect(after.code).toBe(4);
    expect(after.stderr).toContain('not paired');
  });

  it('asks the person to tap Trust while the dialog is pending, then pairs', async () => {
    emu.emulator.setTrust(emu.udids[0]!, 'pending:2');
    const result = await run(['pair']);
    expect(result.code).toBe(0);
    expect(result.stderr).toContain('tap "Trust"');
  });

  it.each([
    ['deny', /Don't Trust/],
    ['locked', /locked with a passcode/],
  ])('fails with exit 4 and a clear reason when the phone is %s', async (mode, reason) => {
    emu.emulator.setTrust(emu.udids[0]!, mode);
    const result = await run(['pair']);
    expect(result.code).toBe(4);
    expect(result.stderr).toMatch(reason);
  });

  it('requires -u with several phones and lists them; an unknown UDID exits 3', async () => {
    const second = await emu.emulator.addDevice();
    const ambiguous = await run(['info', '--key', 'ProductVersion']);
    expect(ambiguous.code).toBe(2);
    expect(ambiguous.stderr).toContain(emu.udids[0]);
    expect(ambiguous.stderr).toContain(second.udid);
    expect((await run(['info', '-u', second.udid, '--key', 'ProductVersion'])).code).toBe(0);
    expect((await run(['info', '-u', '00000000-0000000000000000'])).code).toBe(3);
  });

  it('devices --watch prints attach and detach events as they happen, and stops on Ctrl-C', async () => {
    const child = spawn(process.execPath, [cli, '--json', 'devices', '--watch'], {
      env: { ...emu.env, IOSRESCUE_HOME: home },
    });
    const lines = createInterface({ input: child.stdout })[Symbol.asyncIterator]();
    const next = async (): Promise<Record<string, unknown>> =>
      JSON.parse((await lines.next()).value as string) as Record<string, unknown>;
    const exited = new Promise<number | null>((done) => child.once('exit', (code) => done(code)));
    try {
      expect(await next()).toMatchObject({ event: 'attached', udid: emu.udids[0] });
      const added = await emu.emulator.addDevice();
      expect(await next()).toMatchObject({ event: 'attached', udid: added.udid });
      emu.emulator.removeDevice(added.udid);
      expect(await next()).toMatchObject({ event: 'detached', udid: added.udid });
    } finally {
      child.kill('SIGINT');
    }
    expect(await exited).toBe(130);
  });
});
