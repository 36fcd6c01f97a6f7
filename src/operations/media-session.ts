import { openLockdownSession } from '../lockdown/index.js';
import { AfcClient } from '../services/afc/index.js';
import { selectDevice, type DeviceAccess } from './device-access.js';

export interface MediaConnection {
  udid: string;
  afc: AfcClient;
  /** Another AFC connection in the same session: a phone serves its connections side by side. */
  openAfc(): Promise<AfcClient>;
  close(): Promise<void>;
}

/** The phone's media partition over AFC, inside a paired lockdown session (pairs first when needed). */
export async function openMediaConnection(access: DeviceAccess, udid: string | undefined): Promise<MediaConnection> {
  const device = await selectDevice(access.usbmux, udid);
  const session = await openLockdownSession(access.usbmux, device, {
    store: access.store,
    logger: access.logger,
    onWaiting: access.onWaiting,
    signal: access.signal,
    pairIfNeeded: true,
  });
  let afc: AfcClient;
  try {
    afc = await AfcClient.open(session);
  } catch (error) {
    await session.close();
    throw error;
  }
  const extra: AfcClient[] = [];
  return {
    udid: device.udid,
    afc,
    async openAfc() {
      const another = await AfcClient.open(session);
      extra.push(another);
      return another;
    },
    async close() {
      afc.close();
      for (const another of extra) another.close();
      await session.close().catch(() => undefined);
    },
  };
}
