import { execFile, spawn, spawnSync } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isPlistDict, parsePlist, toXmlPlist } from '../../src/plist/index.js';
import { startTestEmulator, type TestEmulator } from '../helpers/emulator.js';

/**
 * Debian's unchanged libimobiledevice 1.3.0 tools against the virtual iPhone: the proof that its usbmuxd and
 * lockdownd speak the protocol as a real phone and usbmuxd do (native-notes/protocols/libimobiledevice-interop.md
 * "What the tools need from a device").
 */
const hasTools =
  spawnSync('sh', ['-c', 'command -v idevice_id && command -v idevicepair && command -v ideviceinfo'], {
    stdio: 'ignore',
  }).status === 0;
if (!hasTools)
  console.warn(
    'skipping libimobiledevice interop tests: idevice_id/idevicepair/ideviceinfo not on PATH (apt-get install libimobiledevice-utils)',
  );

interface ToolResult {
  code: number;
  stdout: string;
  stderr: string;
}

function runTool(tool: string, args: string[], env: NodeJS.ProcessEnv, timeoutMs = 20_000): Promise<ToolResult> {
  return new Promise((resolve) => {
    execFile(tool, args, { env, timeout: timeoutMs, encoding: 'utf8' }, (error, stdout, stderr) => {
      const code = error ? (typeof error.code === 'number' ? error.code : -1) : 0;
      resolve({ code, stdout, stderr });
    });
  });
}

describe.skipIf(!hasTools)('libimobiledevice 1.3.0 tools against the virtual iPhone', () => {
  let emu: TestEmulator;
  let first: string;
  let second: string;
  const tool = (name: string, ...args: string[]): Promise<ToolResult> => runTool(name, args, emu.env);

  beforeAll(async () => {
    emu = await startTestEmulator({ devices: 2 });
    [first, second] = emu.udids as [string, string];
  });
  afterAll(() => emu?.stop());

  it('idevice_id -l lists every virtual UDID in the dashed 25-character form', async () => {
    const result = await tool('idevice_id', '-l');
    expect(result.code).toBe(0);
    expect(result.stdout.trim().split('\n').sort()).toEqual([...emu.udids].sort());
    for (const udid of emu.udids) expect(udid).toMatch(/^00008030-[0-9A-F]{16}$/);
  });

  it('ideviceinfo -s reads the public values without pairing', async () => {
    const result = await tool('ideviceinfo', '-u', first, '-s', '-k', 'ProductType');
    expect(result).toMatchObject({ code: 0, stdout: 'iPhone12,8\n' });
    expect(emu.emulator.device(first).pairedHostIds()).toEqual([]);
  });

  it('idevicepair pair succeeds, and the host pair record lands in the virtual usbmuxd', async () => {
    const result = await tool('idevicepair', '-u', first, 'pair');
    expect(result.stdout).toContain(`SUCCESS: Paired with device ${first}`);
    expect(result.code).toBe(0);
    const hostIds = emu.emulator.device(first).pairedHostIds();
    expect(hostIds).toHaveLength(1);
    // usbmuxd rewrites every record as XML; libimobiledevice saved it with the EscrowBag from our Pair reply.
    const stored = await readFile(join(emu.stateDir, `${first}.plist`));
    expect(stored.subarray(0, 5).toString()).toBe('<?xml');
    const record = parsePlist(stored) as Record<string, unknown>;
    expect(record.HostID).toBe(hostIds[0]);
    expect(
      Buffer.isBuffer(record.EscrowBag) &&
        (record.EscrowBag as Buffer).equals(emu.emulator.device(first).pairing(hostIds[0]!)!.escrowBag),
    ).toBe(true);
  });

  it('idevicepair validate succeeds with the stored record (a full TLS session)', async () => {
    const result = await tool('idevicepair', '-u', first, 'validate');
    expect(result.stdout).toContain(`SUCCESS: Validated pairing with device ${first}`);
    expect(result.code).toBe(0);
  });

  it("ideviceinfo -k ProductVersion prints the emulator's value", async () => {
    const result = await tool('ideviceinfo', '-u', first, '-k', 'ProductVersion');
    expect(result).toMatchObject({ code: 0, stdout: '16.7.2\n' });
  });

  it('plain ideviceinfo prints the session-only values, proving the TLS session with the pair record', async () => {
    const result = await tool('ideviceinfo', '-u', first);
    expect(result.code).toBe(0);
    const device = emu.emulator.device(first);
    const values = device.rootValues();
    expect(result.stdout).toContain('ProductType: iPhone12,8\n');
    expect(result.stdout).toContain(`DeviceName: ${device.name}\n`);
    expect(result.stdout).toContain(`UniqueDeviceID: ${first}\n`);
    // SerialNumber and the IMEI are not readable before a session: their presence proves the session worked.
    expect(result.stdout).toContain(`SerialNumber: ${String(values.SerialNumber)}\n`);
    expect(result.stdout).toContain(
      `InternationalMobileEquipmentIdentity: ${String(values.InternationalMobileEquipmentIdentity)}\n`,
    );
  });

  it('ideviceinfo reads a domain value: com.apple.mobile.backup WillEncrypt', async () => {
    const result = await tool('ideviceinfo', '-u', first, '-q', 'com.apple.mobile.backup', '-k', 'WillEncrypt');
    expect(result).toMatchObject({ code: 0, stdout: 'false\n' });
  });

  it('idevicename renames the phone inside a session (SetValue DeviceName) and reads it back', async () => {
    const set = await tool('idevicename', '-u', first, 'Lab Phone 7');
    expect(set).toMatchObject({ code: 0, stdout: "device name set to 'Lab Phone 7'\n" });
    expect(emu.emulator.device(first).name).toBe('Lab Phone 7');
    expect(await tool('idevicename', '-u', first)).toMatchObject({ code: 0, stdout: 'Lab Phone 7\n' });
  });

  it('idevicedate reads the phone clock (TimeIntervalSince1970 as a real)', async () => {
    const result = await tool('idevicedate', '-u', first);
    expect(result.code).toBe(0);
    const now = new Date();
    expect([now.getUTCFullYear(), now.getFullYear()].some((year) => result.stdout.includes(String(year)))).toBe(true);
  });

  it('a device whose owner taps "Don\'t Trust" makes idevicepair fail with the denial', async () => {
    emu.emulator.setTrust(second, 'deny');
    const result = await tool('idevicepair', '-u', second, 'pair');
    expect(result.code).not.toBe(0);
    expect(result.stdout + result.stderr).toMatch(/denied/i);
    expect(emu.emulator.device(second).pairedHostIds()).toEqual([]);
  });

  it('a pending Trust dialog is reported by idevicepair, and pairing works once it is accepted', async () => {
    emu.emulator.setTrust(second, 'pending:1');
    const pending = await tool('idevicepair', '-u', second, 'pair');
    expect(pending.code).not.toBe(0);
    expect(pending.stdout + pending.stderr).toMatch(/accept the trust dialog/i);
    await new Promise((resolve) => setTimeout(resolve, 1100));
    const accepted = await tool('idevicepair', '-u', second, 'pair');
    expect(accepted.stdout).toContain(`SUCCESS: Paired with device ${second}`);
    expect(accepted.code).toBe(0);
  });

  it('a locked phone refuses pairing with PasswordProtected', async () => {
    emu.emulator.setTrust(second, 'locked');
    const result = await tool('idevicepair', '-u', second, 'pair');
    expect(result.code).not.toBe(0);
    expect(result.stdout + result.stderr).toMatch(/passcode|password/i);
    emu.emulator.setTrust(second, 'accept');
  });

  it('idevicepair unpair makes the phone forget the host; a session then needs pairing again', async () => {
    const result = await tool('idevicepair', '-u', first, 'unpair');
    expect(result.stdout).toContain(`SUCCESS: Unpaired with device ${first}`);
    expect(result.code).toBe(0);
    expect(emu.emulator.device(first).pairedHostIds()).toEqual([]);
    // The host's record is gone too, so the next session starts with an automatic Pair: refused here ...
    emu.emulator.setTrust(first, 'deny');
    const refused = await tool('ideviceinfo', '-u', first, '-k', 'SerialNumber');
    expect(refused.code).not.toBe(0);
    expect(refused.stdout).toBe('');
    // ... and accepted here, as a phone whose owner taps Trust.
    emu.emulator.setTrust(first, 'accept');
    const again = await tool('ideviceinfo', '-u', first, '-k', 'SerialNumber');
    expect(again).toMatchObject({
      code: 0,
      stdout: `${String(emu.emulator.device(first).rootValues().SerialNumber)}\n`,
    });
    expect(emu.emulator.device(first).pairedHostIds()).toHaveLength(1);
  });

  it('a phone that forgot the host refuses the session (InvalidHostID) even though the host kept its record', async () => {
    const device = emu.emulator.device(first);
    for (const hostId of device.pairedHostIds()) await device.removePairing(hostId);
    const result = await tool('ideviceinfo', '-u', first, '-k', 'SerialNumber');
    expect(result.code).not.toBe(0);
    expect(result.stdout).toBe('');
    expect(result.stderr).toContain('Could not connect to lockdownd: Invalid HostID (-21)');
  });
});

describe.skipIf(!hasTools)('libimobiledevice 1.3.0 tools against older virtual iPhones', () => {
  // iOS < 10: libimobiledevice caps TLS at 1.0, which the device side must still accept; iOS < 7: the handshake
  // also sends ValidatePair before StartSession (native-notes/protocols/lockdownd.md "The client handshake",
  // "Session and TLS").
  for (const productVersion of ['9.3.5', '6.1.4']) {
    it(`pairs and runs a session with a phone on iOS ${productVersion}`, async () => {
      const emu = await startTestEmulator({ devices: 1, identity: { productVersion } });
      try {
        const [udid] = emu.udids as [string];
        const paired = await runTool('idevicepair', ['-u', udid, 'pair'], emu.env);
        expect(paired.stdout).toContain(`SUCCESS: Paired with device ${udid}`);
        const validated = await runTool('idevicepair', ['-u', udid, 'validate'], emu.env);
        expect(validated.stdout).toContain(`SUCCESS: Validated pairing with device ${udid}`);
        const serial = await runTool('ideviceinfo', ['-u', udid, '-k', 'SerialNumber'], emu.env);
        expect(serial).toMatchObject({
          code: 0,
          stdout: `${String(emu.emulator.device(udid).rootValues().SerialNumber)}\n`,
        });
      } finally {
        await emu.stop();
      }
    });
  }
});

const hasInetcat = spawnSync('sh', ['-c', 'command -v inetcat'], { stdio: 'ignore' }).status === 0;
if (!hasInetcat) console.warn('skipping the inetcat test: inetcat not on PATH (apt-get install libusbmuxd-tools)');

describe.skipIf(!hasInetcat)('libusbmuxd inetcat against the virtual usbmuxd', () => {
  it('pipes stdin/stdout to lockdownd through a usbmuxd Connect', async () => {
    const emu = await startTestEmulator({ devices: 1 });
    const child = spawn('inetcat', ['-u', emu.udids[0]!, '62078'], { env: emu.env, stdio: 'pipe' });
    try {
      const body = Buffer.from(toXmlPlist({ Label: 'inetcat', Request: 'QueryType' }));
      const frame = Buffer.alloc(4 + body.length);
      frame.writeUInt32BE(body.length, 0);
      body.copy(frame, 4);
      const reply = new Promise<Buffer>((resolve, reject) => {
        let received = Buffer.alloc(0);
        const timer = setTimeout(() => reject(new Error('no reply through inetcat')), 10_000);
        child.stdout.on('data', (chunk: Buffer) => {
          received = Buffer.concat([received, chunk]);
          if (received.length >= 4 && received.length >= 4 + received.readUInt32BE(0)) {
            clearTimeout(timer);
            resolve(received.subarray(4, 4 + received.readUInt32BE(0)));
          }
        });
      });
      child.stdin.write(frame);
      const message = parsePlist(await reply);
      expect(isPlistDict(message) && message).toEqual({ Request: 'QueryType', Type: 'com.apple.mobile.lockdown' });
    } finally {
      child.kill();
      await emu.stop();
    }
  });
});

const hasSyslog =
  spawnSync('sh', ['-c', 'command -v idevicesyslog && command -v stdbuf'], { stdio: 'ignore' }).status === 0;

describe.skipIf(!hasSyslog)('idevicesyslog against the virtual iPhone', () => {
  it('follows unplug and replug through usbmuxd Listen, and reads an SSL service added with registerService', async () => {
    const emu = await startTestEmulator({ devices: 1 });
    // A one-line syslog_relay: the service API later issues use for mobilebackup2, AFC, notification_proxy.
    emu.emulator.registerService(
      'com.apple.syslog_relay',
      (socket) => {
        socket.on('error', () => undefined);
        socket.write('Nov 25 10:00:00 Virtual kernel[0] <Notice>: hello from the virtual iPhone\n\0');
      },
      { ssl: true },
    );
    // idevicesyslog's status lines use stdio buffering: unbuffer them so they arrive when printed.
    const child = spawn('stdbuf', ['-o0', 'idevicesyslog'], { env: emu.env, stdio: 'pipe' });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const waitFor = async (count: number, text: string): Promise<void> => {
      for (let waited = 0; output.split(text).length - 1 < count; waited += 50) {
        if (waited > 10_000) throw new Error(`idevicesyslog never printed "${text}" ${count} times; got:\n${output}`);
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    };
    try {
      await waitFor(1, 'hello from the virtual iPhone');
      const [udid] = emu.udids as [string];
      emu.emulator.removeDevice(udid);
      await waitFor(1, '[disconnected]');
      await emu.emulator.addDevice({ index: 0 });
      await waitFor(2, 'hello from the virtual iPhone');
      expect(output.indexOf('[connected]')).toBeLessThan(output.indexOf('[disconnected]'));
      expect(output.lastIndexOf('[connected]')).toBeGreaterThan(output.indexOf('[disconnected]'));
    } finally {
      child.kill();
      await emu.stop();
    }
  });
});
