import { Usbmux, getDefaultSocket } from 'appium-ios-device/build/lib/usbmux/index.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { toBinaryPlist } from '../../src/plist/index.js';
import { createPairingCertificates, generateHostId, type PairingCertificates } from '../../src/wire/index.js';
import { startTestEmulator, type TestEmulator } from '../helpers/emulator.js';
import { RawUsbmux, asDict, openDevicePort } from '../helpers/raw-usbmux.js';

/**
 * A second independent client, appium-ios-device (its own usbmux and lockdown code, binary plists, TLS with the
 * HostCertificate), against the virtual iPhone. Its debug output is silenced by _TESTING=1 (vitest.config.ts).
 */
describe('appium-ios-device against the virtual iPhone', () => {
  let emu: TestEmulator;
  let udid: string;
  let certs: PairingCertificates;
  const hostId = generateHostId();

  const appiumUsbmux = async (): Promise<Usbmux> => new Usbmux(await getDefaultSocket({ socketPath: emu.socketPath }));

  beforeAll(async () => {
    emu = await startTestEmulator({ devices: 2 });
    udid = emu.udids[0]!;
    // Pair as a host would (lockdown Pair, then usbmuxd SavePairRecord): appium-ios-device cannot pair itself.
    const device = emu.emulator.device(udid);
    certs = await createPairingCertificates(device.publicKeyPem);
    const lockdown = await openDevicePort(emu.socketPath, emu.emulator.deviceId(udid));
    const publicRecord = {
      HostID: hostId,
      SystemBUID: 'ignored',
      DeviceCertificate: Buffer.from(certs.deviceCertificatePem),
      HostCertificate: Buffer.from(certs.hostCertificatePem),
      RootCertificate: Buffer.from(certs.rootCertificatePem),
    };
    await lockdown.send({ Label: 'vitest', Request: 'Pair', PairRecord: publicRecord, ProtocolVersion: '2' });
    const escrowBag = asDict(await lockdown.receive()).EscrowBag as Buffer;
    lockdown.close();
    const mux = await RawUsbmux.connect(emu.socketPath);
    const saved = await mux.request({
      MessageType: 'SavePairRecord',
      PairRecordID: udid,
      PairRecordData: toBinaryPlist({
        ...publicRecord,
        HostPrivateKey: Buffer.from(certs.hostPrivateKeyPem),
        RootPrivateKey: Buffer.from(certs.rootPrivateKeyPem),
        EscrowBag: escrowBag,
      }),
    });
    expect(saved.Number).toBe(0);
    mux.close();
  });
  afterAll(() => emu?.stop());

  it('lists the virtual devices and reads the BUID', async () => {
    const usbmux = await appiumUsbmux();
    try {
      const devices = (await usbmux.listDevices()) as Array<{ Properties: { SerialNumber: string; DeviceID: number } }>;
      expect(devices.map((d) => d.Properties.SerialNumber)).toEqual(emu.udids);
      expect(await usbmux.readBUID()).toMatch(/^[0-9A-F-]{36}$/);
    } finally {
      usbmux.close();
    }
  });

  it('reads ProductVersion through its lockdown client, and SerialNumber inside its TLS session', async () => {
    const usbmux = await appiumUsbmux();
    const record = (await usbmux.readPairRecord(udid)) as {
      HostID: string;
      SystemBUID: string;
      HostPrivateKey: Buffer;
      HostCertificate: Buffer;
    };
    expect(record.HostID).toBe(hostId);
    const lockdown = await (await appiumUsbmux()).connectLockdown(udid);
    try {
      expect(await lockdown.queryType()).toMatchObject({ Type: 'com.apple.mobile.lockdown' });
      expect(await lockdown.getValue({ Key: 'ProductVersion' })).toBe('16.7.2');
      const session = await lockdown.startSession(record.HostID, record.SystemBUID);
      expect(session.enableSessionSSL).toBe(true);
      lockdown.enableSessionSSL(record.HostPrivateKey, record.HostCertificate);
      expect(await lockdown.getValue({ Key: 'SerialNumber' })).toBe(
        emu.emulator.device(udid).rootValues().SerialNumber,
      );
    } finally {
      lockdown.close();
      usbmux.close();
    }
  });
});
