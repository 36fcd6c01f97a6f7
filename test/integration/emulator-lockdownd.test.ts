import type { Duplex } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PlistDict } from '../../src/plist/index.js';
import {
  PlistConnection,
  createPairingCertificates,
  createSelfSignedCertificate,
  generateHostId,
  generateRsaKeyPair,
  upgradeToTlsClient,
  type PairingCertificates,
} from '../../src/wire/index.js';
import { startTestEmulator, type TestEmulator } from '../helpers/emulator.js';
import { RawUsbmux, asDict, openDevicePort } from '../helpers/raw-usbmux.js';

/** The virtual lockdownd over real sockets: values, pairing, the TLS session, services, hostile frames. */
describe('virtual lockdownd', () => {
  let emu: TestEmulator;
  let udid: string;
  let deviceId: number;
  let certs: PairingCertificates;
  const hostId = generateHostId();
  const open: Array<{ close(): void }> = [];

  const lockdown = async (): Promise<PlistConnection> => {
    const connection = await openDevicePort(emu.socketPath, deviceId);
    open.push(connection);
    return connection;
  };
  const ask = async (connection: PlistConnection, request: PlistDict): Promise<PlistDict> => {
    await connection.send({ Label: 'vitest', ...request });
    return asDict(await connection.receive());
  };
  const pairRecord = (c: PairingCertificates = certs): PlistDict => ({
    HostID: hostId,
    SystemBUID: 'SYSTEM-BUID',
    DeviceCertificate: Buffer.from(c.deviceCertificatePem),
    HostCertificate: Buffer.from(c.hostCertificatePem),
    RootCertificate: Buffer.from(c.rootCertificatePem),
  });
  /** StartSession then TLS as the host, presenting `clientCert`. */
  const session = async (clientCert: {
    certificatePem: string;
    privateKeyPem: string;
  }): Promise<{ connection: PlistConnection; sessionId: string }> => {
    const plain = await lockdown();
    const reply = await ask(plain, { Request: 'StartSession', HostID: hostId, SystemBUID: 'SYSTEM-BUID' });
    expect(reply).toMatchObject({ Request: 'StartSession', EnableSessionSSL: true });
    const secure = await upgradeToTlsClient(plain.detachSocket(), clientCert);
    const connection = new PlistConnection(secure, { format: 'xml', timeoutMs: 5_000 });
    open.push(connection);
    return { connection, sessionId: reply.SessionID as string };
  };
  const hostCert = (): { certificatePem: string; privateKeyPem: string } => ({
    certificatePem: certs.hostCertificatePem,
    privateKeyPem: certs.hostPrivateKeyPem,
  });

  beforeAll(async () => {
    emu = await startTestEmulator({ devices: 1 });
    udid = emu.udids[0]!;
    deviceId = emu.emulator.deviceId(udid);
    certs = await createPairingCertificates(emu.emulator.device(udid).publicKeyPem, { signatureHash: 'sha1' });
    emu.emulator.registerService(
      'com.example.echo',
      (socket: Duplex) => {
        socket.on('data', (chunk: Buffer) => socket.write(chunk));
        socket.on('error', () => undefined);
      },
      { ssl: true },
    );
  });
  afterAll(async () => {
    for (const connection of open) connection.close();
    await emu?.stop();
  });

  it('answers QueryType and echoes Request', async () => {
    expect(await ask(await lockdown(), { Request: 'QueryType' })).toEqual({
      Request: 'QueryType',
      Type: 'com.apple.mobile.lockdown',
    });
  });

  it('before a session shows only public values; DevicePublicKey is PKCS#1 PEM', async () => {
    const connection = await lockdown();
    const key = await ask(connection, { Request: 'GetValue', Key: 'DevicePublicKey' });
    expect((key.Value as Buffer).toString()).toMatch(/^-----BEGIN RSA PUBLIC KEY-----\n/);
    expect(await ask(connection, { Request: 'GetValue', Key: 'SerialNumber' })).toEqual({
      Request: 'GetValue',
      Key: 'SerialNumber',
      Error: 'MissingValue',
    });
    const root = asDict((await ask(connection, { Request: 'GetValue' })).Value);
    expect(root.UniqueDeviceID).toBe(udid);
    expect(root.ProductVersion).toBe('16.7.2');
    expect(root.SerialNumber).toBeUndefined();
    expect(
      await ask(connection, { Request: 'GetValue', Domain: 'com.apple.mobile.backup', Key: 'WillEncrypt' }),
    ).toMatchObject({ Error: 'MissingValue' });
  });

  it('refuses session-only requests without a session, and unknown hosts', async () => {
    const connection = await lockdown();
    expect(await ask(connection, { Request: 'StartService', Service: 'com.example.echo' })).toMatchObject({
      Request: 'StartService',
      Error: 'SessionInactive',
    });
    expect(await ask(connection, { Request: 'SetValue', Key: 'DeviceName', Value: 'x' })).toMatchObject({
      Error: 'SessionInactive',
    });
    expect(await ask(connection, { Request: 'StartSession', HostID: hostId, SystemBUID: 'x' })).toEqual({
      Request: 'StartSession',
      Error: 'InvalidHostID',
    });
    expect(await ask(connection, { Request: 'ValidatePair', PairRecord: { HostID: hostId } })).toEqual({
      Request: 'ValidatePair',
      Error: 'InvalidHostID',
    });
    expect(await ask(connection, { NoRequest: 1 })).toEqual({ Error: 'MissingRequest' });
  });

  it("refuses a pair record that certifies another device's key", async () => {
    const stranger = await generateRsaKeyPair();
    const wrong = await createPairingCertificates(stranger.publicKeyPkcs1Pem);
    const reply = await ask(await lockdown(), { Request: 'Pair', PairRecord: pairRecord(wrong), ProtocolVersion: '2' });
    expect(reply).toEqual({ Request: 'Pair', Error: 'InvalidPairRecord' });
    expect(emu.emulator.device(udid).pairedHostIds()).toEqual([]);
  });

  it('pairs and hands out a random EscrowBag of at least 32 bytes', async () => {
    const reply = await ask(await lockdown(), {
      Request: 'Pair',
      PairRecord: pairRecord(),
      ProtocolVersion: '2',
      PairingOptions: { ExtendedPairingErrors: true },
    });
    expect(reply.Request).toBe('Pair');
    expect(reply.Error).toBeUndefined();
    expect((reply.EscrowBag as Buffer).length).toBeGreaterThanOrEqual(32);
    expect(
      emu.emulator
        .device(udid)
        .pairing(hostId)
        ?.escrowBag.equals(reply.EscrowBag as Buffer),
    ).toBe(true);
    expect(await ask(await lockdown(), { Request: 'ValidatePair', PairRecord: { HostID: hostId } })).toEqual({
      Request: 'ValidatePair',
    });
  });

  it('runs a TLS session with the HostCertificate: session values, SetValue policy, StopSession', async () => {
    const { connection, sessionId } = await session(hostCert());
    const serial = await ask(connection, { Request: 'GetValue', Key: 'SerialNumber' });
    expect(serial.Value).toBe(emu.emulator.device(udid).rootValues().SerialNumber);
    const battery = asDict((await ask(connection, { Request: 'GetValue', Domain: 'com.apple.mobile.battery' })).Value);
    expect(battery.BatteryCurrentCapacity).toBe(87);
    expect(await ask(connection, { Request: 'SetValue', Key: 'DeviceName', Value: 'Renamed Phone' })).toEqual({
      Request: 'SetValue',
      Key: 'DeviceName',
    });
    expect(emu.emulator.device(udid).name).toBe('Renamed Phone');
    expect(
      await ask(connection, {
        Request: 'SetValue',
        Domain: 'com.apple.mobile.backup',
        Key: 'WillEncrypt',
        Value: true,
      }),
    ).toMatchObject({
      Error: 'SetProhibited',
    });
    expect(await ask(connection, { Request: 'SetValue', Key: 'UniqueDeviceID', Value: 'x' })).toMatchObject({
      Error: 'SetProhibited',
    });
    expect(emu.emulator.device(udid).getValue('com.apple.mobile.backup', 'WillEncrypt')).toBe(false);
    expect(await ask(connection, { Request: 'StopSession', SessionID: sessionId })).toMatchObject({
      Request: 'StopSession',
    });
  });

  it('accepts the RootCertificate as client certificate too (what libimobiledevice 1.3.0 presents)', async () => {
    const { connection } = await session({
      certificatePem: certs.rootCertificatePem,
      privateKeyPem: certs.rootPrivateKeyPem,
    });
    expect(await ask(connection, { Request: 'GetValue', Key: 'ProductType' })).toMatchObject({ Value: 'iPhone12,8' });
  });

  it("drops a session whose TLS client certificate is not the paired host's", async () => {
    const stranger = await generateRsaKeyPair();
    const strangerCert = {
      certificatePem: createSelfSignedCertificate(stranger.privateKeyPem),
      privateKeyPem: stranger.privateKeyPem,
    };
    expect(emu.emulator.device(udid).pairing(hostId)).toBeDefined();
    const attempt = session(strangerCert).then(({ connection }) =>
      ask(connection, { Request: 'GetValue', Key: 'SerialNumber' }),
    );
    // TLS 1.3 finishes the client's side of the handshake before the server has seen the certificate, so the
    // refusal shows up as the connection closing (or as a failed handshake), never as an answer.
    await expect(attempt).rejects.toMatchObject({
      code: expect.stringMatching(/^WIRE_(CLOSED|TLS_FAILED|SOCKET_ERROR)$/),
    });
  });

  it('starts a registered SSL service on a one-shot port; unknown services are InvalidService', async () => {
    const { connection } = await session(hostCert());
    expect(await ask(connection, { Request: 'StartService', Service: 'com.apple.nope' })).toMatchObject({
      Error: 'InvalidService',
    });
    const reply = await ask(connection, { Request: 'StartService', Service: 'com.example.echo' });
    expect(reply).toMatchObject({ Request: 'StartService', Service: 'com.example.echo', EnableServiceSSL: true });
    const port = reply.Port as number;
    const mux = await RawUsbmux.connect(emu.socketPath);
    const { result, socket } = await mux.connectToPort(deviceId, port);
    expect(result).toBe(0);
    const secure = await upgradeToTlsClient(socket!, hostCert());
    const echoed = new Promise<string>((resolve) => secure.once('data', (chunk: Buffer) => resolve(chunk.toString())));
    secure.write('ping');
    expect(await echoed).toBe('ping');
    secure.destroy();
    const again = await RawUsbmux.connect(emu.socketPath);
    expect(await again.connectToPort(deviceId, port)).toEqual({ result: 3 });
    again.close();
  });

  it('a locked phone starts services only for a host that sends its EscrowBag', async () => {
    emu.emulator.setTrust(udid, 'locked');
    try {
      const { connection } = await session(hostCert());
      expect(await ask(connection, { Request: 'StartService', Service: 'com.example.echo' })).toMatchObject({
        Error: 'PasswordProtected',
      });
      expect(
        await ask(connection, { Request: 'StartService', Service: 'com.example.echo', EscrowBag: Buffer.alloc(48) }),
      ).toMatchObject({
        Error: 'PasswordProtected',
      });
      const escrowBag = emu.emulator.device(udid).pairing(hostId)!.escrowBag;
      expect(
        await ask(connection, { Request: 'StartService', Service: 'com.example.echo', EscrowBag: escrowBag }),
      ).toMatchObject({ Port: expect.any(Number) });
    } finally {
      emu.emulator.setTrust(udid, 'accept');
    }
  });

  it('closes a connection that announces an oversized frame, sends garbage or a non-dict, and keeps serving', async () => {
    const frames = [
      Buffer.from([0xff, 0xff, 0xff, 0xf0]),
      Buffer.concat([Buffer.from([0, 0, 0, 12]), Buffer.from('garbage!!!!!')]),
      (() => {
        const body = Buffer.from('<?xml version="1.0"?><plist version="1.0"><array><string>x</string></array></plist>');
        const prefix = Buffer.alloc(4);
        prefix.writeUInt32BE(body.length);
        return Buffer.concat([prefix, body]);
      })(),
      Buffer.from([0, 0, 0, 0]),
    ];
    for (const frame of frames) {
      const mux = await RawUsbmux.connect(emu.socketPath);
      const { socket } = await mux.connectToPort(deviceId, 62078);
      const closed = new Promise<boolean>((resolve) => {
        const timer = setTimeout(() => resolve(false), 3_000);
        socket!.once('close', () => {
          clearTimeout(timer);
          resolve(true);
        });
      });
      socket!.resume();
      socket!.write(frame);
      expect(await closed).toBe(true);
    }
    expect(await ask(await lockdown(), { Request: 'QueryType' })).toMatchObject({ Type: 'com.apple.mobile.lockdown' });
  });

  it('Unpair forgets the host: its next StartSession is InvalidHostID', async () => {
    expect(
      await ask(await lockdown(), { Request: 'Unpair', PairRecord: { HostID: hostId }, ProtocolVersion: '2' }),
    ).toEqual({ Request: 'Unpair' });
    expect(await ask(await lockdown(), { Request: 'StartSession', HostID: hostId, SystemBUID: 'x' })).toEqual({
      Request: 'StartSession',
      Error: 'InvalidHostID',
    });
  });
});
