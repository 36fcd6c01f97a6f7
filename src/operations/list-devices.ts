import { LockdownClient } from '../lockdown/index.js';
import type { AttachedDevice, UsbmuxClient } from '../usbmux/index.js';
import type { DeviceAccess } from './device-access.js';

export interface DeviceSummary {
  udid: string;
  deviceId: number;
  connectionType: string;
  /** Values every phone shows without pairing; absent when the phone did not answer. */
  name?: string;
  productType?: string;
  productVersion?: string;
}

/** Attached phones, each with the name, model and iOS version it shows any computer (no pairing needed). */
export async function listDevices(access: DeviceAccess, options: { details?: boolean } = {}): Promise<DeviceSummary[]> {
  const devices = await access.usbmux.listDevices();
  if (options.details === false) return devices.map(summaryOf);
  return Promise.all(devices.map((device) => describeDevice(access.usbmux, device, access)));
}

export async function describeDevice(
  usbmux: UsbmuxClient,
  device: AttachedDevice,
  access: Pick<DeviceAccess, 'logger'>,
): Promise<DeviceSummary> {
  const summary = summaryOf(device);
  let lockdown: LockdownClient | undefined;
  try {
    lockdown = await LockdownClient.connect(usbmux, device, { timeoutMs: 5_000, logger: access.logger });
    // One request at a time: lockdownd answers in order on one connection.
    const name = await lockdown.tryGetValue({ key: 'DeviceName' });
    const productType = await lockdown.tryGetValue({ key: 'ProductType' });
    const productVersion = await lockdown.tryGetValue({ key: 'ProductVersion' });
    if (typeof name === 'string') summary.name = name;
    if (typeof productType === 'string') summary.productType = productType;
    if (typeof productVersion === 'string') summary.productVersion = productVersion;
  } catch (error) {
    access.logger.debug({ udid: device.udid, err: (error as Error).message }, 'could not read the device summary');
  } finally {
    await lockdown?.close();
  }
  return summary;
}

function summaryOf(device: AttachedDevice): DeviceSummary {
  return { udid: device.udid, deviceId: device.deviceId, connectionType: device.connectionType };
}
