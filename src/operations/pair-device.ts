import { LockdownClient, LockdownError, findPairRecord, openLockdownSession, pairDevice } from '../lockdown/index.js';
import { selectDevice, type DeviceAccess } from './device-access.js';

export interface PairingResult {
  udid: string;
  hostId: string;
}

/** Pairs (the phone shows "Trust This Computer?"); an existing pairing is replaced by a new one. */
export async function pairWithDevice(
  access: DeviceAccess,
  udid?: string,
  options: { timeoutMs?: number } = {},
): Promise<PairingResult> {
  const device = await selectDevice(access.usbmux, udid);
  const lockdown = await LockdownClient.connect(access.usbmux, device, { logger: access.logger });
  try {
    await lockdown.queryType();
    const record = await pairDevice(lockdown, {
      store: access.store,
      logger: access.logger,
      onWaiting: access.onWaiting,
      signal: access.signal,
      timeoutMs: options.timeoutMs,
    });
    return { udid: device.udid, hostId: record.HostID };
  } finally {
    await lockdown.close();
  }
}

/**
 * Checks the pairing works: a session with the stored record, as `idevicepair validate` does for iOS 7 and later
 * (ValidatePair itself only matters before iOS 7).
 */
export async function validatePairing(access: DeviceAccess, udid?: string): Promise<PairingResult> {
  const device = await selectDevice(access.usbmux, udid);
  const session = await openLockdownSession(access.usbmux, device, {
    store: access.store,
    logger: access.logger,
    pairIfNeeded: false,
  });
  try {
    if (Number.parseInt(session.productVersion, 10) < 7) await session.lockdown.validatePair(session.record);
    return { udid: device.udid, hostId: session.record.HostID };
  } finally {
    await session.close();
  }
}

/** Tells the phone to forget this computer, then deletes the record from usbmuxd and our store. */
export async function unpairDevice(access: DeviceAccess, udid?: string): Promise<PairingResult> {
  const device = await selectDevice(access.usbmux, udid);
  const record = await findPairRecord(access.usbmux, device.udid, device.deviceId, access.store);
  if (!record) throw new LockdownError('LOCKDOWN_NOT_PAIRED', `this computer is not paired with ${device.udid}`);
  const lockdown = await LockdownClient.connect(access.usbmux, device, { logger: access.logger });
  try {
    await lockdown.queryType();
    await lockdown.unpair(record);
  } finally {
    await lockdown.close();
  }
  await access.usbmux.deletePairRecord(device.udid);
  await access.store.delete(device.udid);
  return { udid: device.udid, hostId: record.HostID };
}
