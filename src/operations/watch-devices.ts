import type { UsbmuxEvent } from '../usbmux/index.js';
import type { DeviceAccess } from './device-access.js';

export interface DeviceEvent {
  event: 'attached' | 'detached' | 'paired';
  deviceId: number;
  udid?: string;
  connectionType?: string;
  at: string;
}

/**
 * Attach/detach/paired events until the signal aborts. usbmuxd names only the DeviceID on detach, so the UDID is
 * remembered from the matching attach.
 */
export async function* watchDevices(access: DeviceAccess): AsyncGenerator<DeviceEvent> {
  const udids = new Map<number, string>();
  for await (const event of access.usbmux.listen(access.signal) as AsyncGenerator<UsbmuxEvent>) {
    const at = new Date().toISOString();
    if (event.type === 'attached') {
      udids.set(event.device.deviceId, event.device.udid);
      yield {
        event: 'attached',
        deviceId: event.device.deviceId,
        udid: event.device.udid,
        connectionType: event.device.connectionType,
        at,
      };
    } else {
      const udid = udids.get(event.deviceId);
      if (event.type === 'detached') udids.delete(event.deviceId);
      yield { event: event.type, deviceId: event.deviceId, udid, at };
    }
  }
}
