import { spawn } from 'node:child_process';
import { lstat, mkdtemp, rm, stat, writeFile } from 'node:fs/promises';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEmulator } from '../../src/emulator/index.js';
import { createPairingCertificates, generateHostId } from '../../src/wire/index.js';
import { startTestEmulator } from '../helpers/emulator.js';
import { RawUsbmux, asDict, openDevicePort } from '../helpers/raw-usbmux.js';

/** What survives a restart, who may read it, and where the emulator agrees to listen. */
describe('virtual iPhone state and sockets', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'iosr-state-'));
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it('keeps identity, pairings, values and SystemBUID across a restart, in owner-only files', async () => {
    const stateDir = join(dir, 'keep');
    const first = await startTestEmulator({ stateDir, devices: 2, seed: 'restart' });
    const device = first.emulator.devices[0]!;
    const hostId = generateHostId();
    const certs = await createPairingCertificates(device.publicKeyPem);
    const lockdown = await openDevicePort(first.socketPath, first.emulator.deviceId(device.udid));
    await lockdown.send({
      Request: 'Pair',
      PairRecord: {
        HostID: hostId,
        SystemBUID: 'B',
        DeviceCertificate: Buffer.from(certs.deviceCertificatePem),
        HostCertificate: Buffer.from(certs.hostCertificatePem),
        RootCertificate: Buffer.from(certs.rootCertificatePem),
      },
    });
    const escrowBag = asDict(await lockdown.receive()).EscrowBag as Buffer;
    lockdown.close();
    await device.setValue(undefined, 'DeviceName', 'Kept Name');
    const mux = await RawUsbmux.connect(first.socketPath);
    const buid = (await mux.request({ MessageType: 'ReadBUID' })).BUID;
    mux.close();
    const publicKey = device.publicKeyPem;
    await first.stop();

    for (const file of ['device-key.pem', 'values.plist', 'pairings.plist']) {
      expect((await stat(join(stateDir, device.udid, file))).mode & 0o777).toBe(0o600);
    }
    expect((await stat(join(stateDir, device.udid))).mode & 0o777).toBe(0o700);
    expect((await stat(join(stateDir, 'SystemConfiguration.plist'))).mode & 0o777).toBe(0o600);

    const second = await startTestEmulator({ stateDir, devices: 2, seed: 'restart' });
    try {
      expect(second.udids).toEqual(first.udids);
      const again = second.emulator.device(device.udid);
      expect(again.publicKeyPem).toBe(publicKey);
      expect(again.name).toBe('Kept Name');
      expect(again.pairing(hostId)?.escrowBag.equals(escrowBag)).toBe(true);
      const mux2 = await RawUsbmux.connect(second.socketPath);
      expect((await mux2.request({ MessageType: 'ReadBUID' })).BUID).toBe(buid);
      mux2.close();
    } finally {
      await second.stop();
    }
  });

  it('replaces a stale socket file but refuses a live one or a non-socket file', async () => {
    const socketPath = join(dir, 'stale.sock');
    const stale = net.createServer();
    await new Promise<void>((resolve) => stale.listen(socketPath, resolve));
    const live = startEmulator({ socketPath, stateDir: join(dir, 's1'), devices: 0 });
    await expect(live).rejects.toMatchObject({ code: 'EMULATOR_LISTEN_FAILED' });
    // Closing a listener removes its socket file; a killed process leaves it behind.
    await new Promise<void>((resolve) => stale.close(() => resolve()));
    const child = spawn(process.execPath, [
      '-e',
      `require('net').createServer().listen(${JSON.stringify(socketPath)}, () => console.log('ready'))`,
    ]);
    await new Promise<void>((resolve) => child.stdout.once('data', () => resolve()));
    child.kill('SIGKILL');
    await new Promise<void>((resolve) => child.once('exit', () => resolve()));
    expect((await lstat(socketPath)).isSocket()).toBe(true);
    const emulator = await startEmulator({ socketPath, stateDir: join(dir, 's1'), devices: 0 });
    expect((await stat(socketPath)).mode & 0o777).toBe(0o600);
    await emulator.stop();

    const plainFile = join(dir, 'not-a-socket');
    await writeFile(plainFile, 'keep me');
    await expect(startEmulator({ socketPath: plainFile, stateDir: join(dir, 's2'), devices: 0 })).rejects.toMatchObject(
      { code: 'EMULATOR_BAD_OPTION' },
    );
  });

  it('listens on loopback TCP and refuses other addresses', async () => {
    const emulator = await startEmulator({
      tcp: { host: '127.0.0.1', port: 0 },
      stateDir: join(dir, 's3'),
      devices: 1,
    });
    try {
      expect(emulator.usbmuxdSocketAddress).toMatch(/^127\.0\.0\.1:\d+$/);
      const socket = net.connect(emulator.tcp!.port, '127.0.0.1');
      await new Promise<void>((resolve) => socket.once('connect', resolve));
      socket.destroy();
    } finally {
      await emulator.stop();
    }
    await expect(startEmulator({ tcp: { host: '0.0.0.0', port: 0 }, stateDir: join(dir, 's4') })).rejects.toMatchObject(
      { code: 'EMULATOR_BAD_OPTION' },
    );
  });
});
