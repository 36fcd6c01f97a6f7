import { openLockdownSession } from '../lockdown/index.js';
import type { PlistValue } from '../plist/index.js';
import { selectDevice, type DeviceAccess } from './device-access.js';

export interface DeviceInfoRequest {
  udid?: string;
  domain?: string;
  key?: string;
  /** Pair first if this computer is not paired yet (default true, like ideviceinfo). */
  pairIfNeeded?: boolean;
}

/** Reads lockdown values inside a paired TLS session (so session-only values such as SerialNumber are there). */
export async function readDeviceInfo(
  access: DeviceAccess,
  request: DeviceInfoRequest,
): Promise<{ udid: string; value: PlistValue }> {
  const device = await selectDevice(access.usbmux, request.udid);
  const session = await openLockdownSession(access.usbmux, device, {
    store: access.store,
    logger: access.logger,
    onWaiting: access.onWaiting,
    signal: access.signal,
    pairIfNeeded: request.pairIfNeeded ?? true,
  });
  try {
    const value = await session.lockdown.getValue({ domain: request.domain, key: request.key });
    return { udid: device.udid, value };
  } finally {
    await session.close();
  }
}
