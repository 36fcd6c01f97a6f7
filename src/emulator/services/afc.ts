import { join } from 'node:path';
import type { VirtualDevice } from '../virtual-device.js';
import { serveAfc } from './afc-server.js';
import { AfcVolume } from './afc-volume.js';
import type { DeviceService } from './index.js';

/**
 * com.apple.afc over `<phone dir>/Media`: one volume per phone, so locks are shared between connections. A
 * `busyLockReplies` fault applies to the next connection only.
 */
export const afcService: DeviceService = {
  options: {},
  handler(config) {
    const volumes = new WeakMap<VirtualDevice, AfcVolume>();
    const volumeOf = (device: VirtualDevice): AfcVolume => {
      let volume = volumes.get(device);
      if (volume === undefined) {
        volume = new AfcVolume(join(device.dir, 'Media'));
        volumes.set(device, volume);
      }
      return volume;
    };
    return (socket, context) => {
      const volume = volumeOf(context.device);
      if (config.faults.busyLockReplies !== undefined) {
        volume.busyLockReplies = config.faults.busyLockReplies;
        config.faults.busyLockReplies = undefined;
      }
      void volume.ensureRoot().then(
        () => serveAfc(socket, context, volume),
        () => socket.destroy(),
      );
    };
  },
};
