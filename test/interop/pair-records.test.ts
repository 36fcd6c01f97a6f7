import { spawnSync } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { pairRecordFromPlist } from '../../src/lockdown/index.js';
import { parsePlist } from '../../src/plist/index.js';
import { UsbmuxClient, parseUsbmuxAddress } from '../../src/usbmux/index.js';
import { cliBuilt, cliPath as cli, runProgram } from '../helpers/cli.js';
import { startTestEmulator, type TestEmulator } from '../helpers/emulator.js';

/** Pair records cross between libimobiledevice 1.3.0 and iosrescue, both ways, through usbmuxd. */
const haveTools = spawnSync('sh', ['-c', 'command -v idevicepair && command -v ideviceinfo']).status === 0;
const ready = haveTools && cliBuilt;
if (!haveTools)
  console.warn(
    'libimobiledevice-utils not installed: pair-record interop tests skipped (apt-get install libimobiledevice-utils)',
  );

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

function run(command: string, args: string[]) {
  return runProgram(command, args, { ...emu.env, IOSRESCUE_HOME: home, IOSRESCUE_LOG_LEVEL: 'warn' });
}

describe.skipIf(!ready)('pair records shared with libimobiledevice', () => {
  it('a record made by idevicepair (SHA-1 certificates) gives our client a TLS session', async () => {
    const paired = await run('idevicepair', ['pair']);
    expect(paired.stdout).toContain('SUCCESS');
    const usbmux = new UsbmuxClient({ address: parseUsbmuxAddress(emu.emulator.usbmuxdSocketAddress) });
    const record = pairRecordFromPlist(parsePlist((await usbmux.readPairRecord(emu.udids[0]!))!));
    const result = await run(process.execPath, [cli, 'info', '--key', 'SerialNumber']);
    expect(result.code).toBe(0);
    expect(result.stdout.trim()).toMatch(/^\S+$/);
    // Our client used libimobiledevice's record, not a new pairing of its own.
    const after = pairRecordFromPlist(parsePlist((await usbmux.readPairRecord(emu.udids[0]!))!));
    expect(after.HostID).toBe(record.HostID);
    expect((await run(process.execPath, [cli, 'validate'])).code).toBe(0);
  });

  it('a record made by iosrescue pair gives ideviceinfo and idevicepair validate a session', async () => {
    expect((await run(process.execPath, [cli, 'pair'])).code).toBe(0);
    const validate = await run('idevicepair', ['validate']);
    expect(validate.stdout).toContain('SUCCESS');
    const info = await run('ideviceinfo', ['-k', 'SerialNumber']);
    expect(info.code).toBe(0);
    expect(info.stdout.trim().length).toBeGreaterThan(0);
    const full = await run('ideviceinfo', []);
    expect(full.stdout).toContain(`UniqueDeviceID: ${emu.udids[0]}`);
  });

  it('idevicepair unpair removes a pairing iosrescue made; iosrescue then reports it as not paired', async () => {
    expect((await run(process.execPath, [cli, 'pair'])).code).toBe(0);
    expect((await run('idevicepair', ['unpair'])).stdout).toContain('SUCCESS');
    const validate = await run(process.execPath, [cli, 'validate']);
    expect(validate.code).toBe(4);
  });
});
