import type { Logger } from '../logging.js';
import { PairRecordStore } from '../lockdown/index.js';
import { UsbmuxClient, UsbmuxError, type AttachedDevice } from '../usbmux/index.js';

/** What every device verb needs: a usbmuxd to talk to, our pair-record store, a logger. */
export interface DeviceAccess {
  usbmux: UsbmuxClient;
  store: PairRecordStore;
  logger: Logger;
  /** Shown to the person holding the phone ("tap Trust…"). */
  onWaiting?: (message: string) => void;
  signal?: AbortSignal;
}

export function defaultDeviceAccess(logger: Logger, extra: Partial<DeviceAccess> = {}): DeviceAccess {
  return { usbmux: extra.usbmux ?? new UsbmuxClient(), store: extra.store ?? new PairRecordStore(), logger, ...extra };
}

/**
 * The phone a command is about: the one given by UDID, or the only one attached. With several attached and none
 * chosen, the error lists them so the user can pick.
 */
export async function selectDevice(usbmux: UsbmuxClient, udid?: string): Promise<AttachedDevice> {
  const devices = await usbmux.listDevices();
  const list = devices.map((d) => d.udid).join(', ');
  if (udid) {
    const match = devices.find(
      (d) =>
        d.udid.toLowerCase() === udid.toLowerCase() ||
        d.udid.replace(/-/g, '').toLowerCase() === udid.replace(/-/g, '').toLowerCase(),
    );
    if (!match) {
      throw new UsbmuxError(
        'USBMUX_DEVICE_NOT_FOUND',
        `no phone ${udid} is attached${devices.length ? ` (attached: ${list})` : ''}`,
        {
          details: { udid, attached: devices.map((d) => d.udid) },
        },
      );
    }
    return match;
  }
  if (devices.length === 0) {
    throw new UsbmuxError(
      'USBMUX_NO_DEVICE',
      'no phone is attached: connect it with a data cable, unlock it, and try again',
    );
  }
  // The same phone may be attached over USB and Wi-Fi: that is still one phone.
  const distinct = [...new Map(devices.map((d) => [d.udid, d])).values()];
  if (distinct.length > 1) {
    throw new UsbmuxError(
      'USBMUX_AMBIGUOUS_DEVICE',
      `${distinct.length} phones are attached; choose one with -u UDID: ${distinct.map((d) => d.udid).join(', ')}`,
      {
        details: { attached: distinct.map((d) => d.udid) },
      },
    );
  }
  return distinct.find((d) => d.connectionType === 'USB') ?? distinct[0]!;
}
