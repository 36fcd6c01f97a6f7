import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  LockdownClient,
  LockdownError,
  PairRecordStore,
  openLockdownSession,
  pairDevice,
} from '../../src/lockdown/index.js';
import { UsbmuxClient, parseUsbmuxAddress } from '../../src/usbmux/index.js';
import { startTestEmulator, type TestEmulator } from '../helpers/emulator.js';

let emu: TestEmulator;
let storeDir: string;
let usbmux: UsbmuxClient;

beforeEach(async () => {
  emu = await startTestEmulator({ devices: 1 });
  storeDir = await mkdtemp(join(tmpdir(), 'iosr-store-'));
  usbmux = new UsbmuxClient({ address: parseUsbmuxAddress(emu.emulator.usbmuxdSocketAddress) });
});
afterEach(async () => {
  await emu.stop();
  await rm(storeDir, { recursive: true, force: true });
});

async function device() {
  const [first] = await usbmux.listDevices();
  return first!;
}

describe('lockdown client against the virtual iPhone', () => {
  it('answers QueryType and pre-session values without pairing', async () => {
    const lockdown = await LockdownClient.connect(usbmux, await device());
    try {
      expect(await lockdown.queryType()).toBe('com.apple.mobile.lockdown');
      expect(await lockdown.getValue({ key: 'ProductVersion' })).toBe(emu.emulator.devices[0]!.productVersion);
      expect(await lockdown.tryGetValue({ key: 'NoSuchKey' })).toBeUndefined();
    } finally {
      await lockdown.close();
    }
  });

  it('pairs, stores the record through usbmuxd and owner-only in our store, then opens a TLS session', async () => {
    const store = new PairRecordStore(storeDir);
    const target = await device();
    const session = await openLockdownSession(usbmux, target, { store });
    try {
      expect(session.record.EscrowBag?.length).toBeGreaterThanOrEqual(32);
      expect(await session.lockdown.getValue({ key: 'UniqueDeviceID' })).toBe(target.udid);
      // Session-only values are readable now.
      expect(typeof (await session.lockdown.getValue({ key: 'SerialNumber' }))).toBe('string');
      expect(await session.lockdown.getValue({ domain: 'com.apple.mobile.backup', key: 'WillEncrypt' })).toBe(false);
    } finally {
      await session.close();
    }
    expect(await usbmux.readPairRecord(target.udid)).toBeInstanceOf(Buffer);
    const saved = await store.read(target.udid);
    expect(saved?.HostID).toBe(session.record.HostID);
    expect((await stat(store.pathFor(target.udid))).mode & 0o777).toBe(0o600);
    expect((await stat(storeDir)).mode & 0o777).toBe(0o700);
  });

  it('reuses the stored record: a second session pairs no more', async () => {
    const store = new PairRecordStore(storeDir);
    const first = await openLockdownSession(usbmux, await device(), { store });
    await first.close();
    const second = await openLockdownSession(usbmux, await device(), { store, pairIfNeeded: false });
    expect(second.record.HostID).toBe(first.record.HostID);
    await second.close();
  });

  it('sets a value inside a session and reads it back', async () => {
    const session = await openLockdownSession(usbmux, await device(), { store: new PairRecordStore(storeDir) });
    try {
      await session.lockdown.setValue({ key: 'DeviceName', value: 'Renamed by test' });
      expect(await session.lockdown.getValue({ key: 'DeviceName' })).toBe('Renamed by test');
    } finally {
      await session.close();
    }
  });

  it('waits through PairingDialogResponsePending with a visible prompt, then pairs', async () => {
    emu.emulator.setTrust(emu.udids[0]!, 'pending:2');
    const lockdown = await LockdownClient.connect(usbmux, await device());
    const prompts: string[] = [];
    const started = Date.now();
    try {
      const record = await pairDevice(lockdown, {
        store: new PairRecordStore(storeDir),
        retryMs: 200,
        onWaiting: (m) => prompts.push(m),
      });
      expect(record.HostID).toMatch(/^[0-9A-F-]{36}$/);
    } finally {
      await lockdown.close();
    }
    expect(prompts).toHaveLength(1);
    expect(prompts[0]).toMatch(/tap "Trust"/);
    expect(Date.now() - started).toBeGreaterThanOrEqual(1500);
  });

  it('gives up on a Trust dialog nobody answers with LOCKDOWN_PAIRING_TIMEOUT', async () => {
    emu.emulator.setTrust(emu.udids[0]!, 'pending:60');
    const lockdown = await LockdownClient.connect(usbmux, await device());
    try {
      await expect(pairDevice(lockdown, { retryMs: 100, timeoutMs: 500 })).rejects.toMatchObject({
        code: 'LOCKDOWN_PAIRING_TIMEOUT',
      });
    } finally {
      await lockdown.close();
    }
  });

  it.each([
    ['deny', 'UserDeniedPairing', /Don't Trust/],
    ['locked', 'PasswordProtected', /locked with a passcode/],
  ])('reports trust mode %s as %s with a clear message', async (mode, code, message) => {
    emu.emulator.setTrust(emu.udids[0]!, mode);
    const lockdown = await LockdownClient.connect(usbmux, await device());
    try {
      const error = (await pairDevice(lockdown).catch((e: unknown) => e)) as LockdownError;
      expect(error).toBeInstanceOf(LockdownError);
      expect(error.code).toBe(code);
      expect(error.message).toMatch(message);
    } finally {
      await lockdown.close();
    }
  });

  it('refuses an unknown service with InvalidService and starts a registered one', async () => {
    emu.emulator.registerService('org.iosrescue.test.echo', (socket) => socket.pipe(socket));
    const session = await openLockdownSession(usbmux, await device(), { store: new PairRecordStore(storeDir) });
    try {
      await expect(session.startService('com.apple.nosuchservice')).rejects.toMatchObject({ code: 'InvalidService' });
      const service = await session.startService('org.iosrescue.test.echo');
      const echoed = new Promise<string>((resolve) =>
        service.socket.once('data', (d: Buffer) => resolve(d.toString())),
      );
      service.socket.resume();
      service.socket.write('ping');
      expect(await echoed).toBe('ping');
      service.socket.destroy();
    } finally {
      await session.close();
    }
  });

  it('unpairs: the phone forgets us, and a session without re-pairing is refused', async () => {
    const store = new PairRecordStore(storeDir);
    const session = await openLockdownSession(usbmux, await device(), { store });
    await session.close();
    const lockdown = await LockdownClient.connect(usbmux, await device());
    await lockdown.unpair(session.record);
    await lockdown.close();
    const again = await LockdownClient.connect(usbmux, await device());
    await expect(again.startSession(session.record)).rejects.toMatchObject({ code: 'InvalidHostID' });
    await again.close();
  });
});

describe('usbmux client against the virtual usbmuxd', () => {
  it('sees devices attach and detach through Listen', async () => {
    const controller = new AbortController();
    const events: string[] = [];
    const iterator = usbmux.listen(controller.signal);
    const first = await iterator.next();
    expect(first.value).toMatchObject({ type: 'attached' });
    const added = await emu.emulator.addDevice();
    const second = await iterator.next();
    expect(second.value).toMatchObject({ type: 'attached', device: { udid: added.udid } });
    const deviceId = emu.emulator.deviceId(added.udid);
    emu.emulator.removeDevice(added.udid);
    const third = await iterator.next();
    expect(third.value).toEqual({ type: 'detached', deviceId });
    events.push('done');
    controller.abort();
    expect((await iterator.next()).done).toBe(true);
  });

  it('reads, saves and deletes pair records, and reads the BUID', async () => {
    const udid = emu.udids[0]!;
    expect(await usbmux.readPairRecord(udid)).toBeUndefined();
    await usbmux.savePairRecord(udid, 1, { HostID: 'X' });
    expect(await usbmux.readPairRecord(udid)).toBeInstanceOf(Buffer);
    await usbmux.deletePairRecord(udid);
    expect(await usbmux.readPairRecord(udid)).toBeUndefined();
    expect(await usbmux.readBuid()).toMatch(/^[0-9A-F-]{36}$/);
  });

  it('says how to fix it when usbmuxd is not there', async () => {
    const nowhere = new UsbmuxClient({ address: { kind: 'unix', path: join(storeDir, 'missing.sock') } });
    const error = await nowhere.listDevices().catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'USBMUX_UNREACHABLE' });
    expect((error as Error).message).toMatch(/missing\.sock .*running there/);
  });
});
