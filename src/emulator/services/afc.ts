import { join, resolve } from 'node:path';
import type { BackupAgentConfig } from '../backup/agent-config.js';
import { populateMedia } from '../media/populate-media.js';
import type { VirtualDevice } from '../virtual-device.js';
import { serveAfc } from './afc-server.js';
import { AfcVolume } from './afc-volume.js';
import type { DeviceService } from './index.js';

/**
 * com.apple.afc: one volume per phone, so locks are shared between connections. The volume is the phone's own
 * `<phone dir>/Media`, filled from the phone's content (the same photos, videos, Photos.sqlite and music its backup
 * holds) before the first look inside it; or, with `media` set (`emulator --media DIR`), that folder served
 * read-only. The `busyLockReplies` and `afcDropAfterBytes` faults are handed to the phone's volume when the next
connection opens, and fire once.
 */
export const afcService: DeviceService = {
  options: {},
  handler(config) {
    const volumes = new WeakMap<VirtualDevice, { volume: AfcVolume; media: string | undefined }>();
    const volumeOf = (device: VirtualDevice): AfcVolume => {
      const cached = volumes.get(device);
      if (cached !== undefined && cached.media === config.media) return cached.volume;
      const volume =
        config.media !== undefined
          ? new AfcVolume(resolve(config.media), { readOnly: true })
          : new AfcVolume(join(device.dir, 'Media'), { populate: () => populateFromContent(config, device) });
      volumes.set(device, { volume, media: config.media });
      return volume;
    };
    return (socket, context) => {
      const volume = volumeOf(context.device);
      if (config.faults.busyLockReplies !== undefined) {
        volume.busyLockReplies = config.faults.busyLockReplies;
        config.faults.busyLockReplies = undefined;
      }
      if (config.faults.afcDropAfterBytes !== undefined) {
        volume.dropAfterBytes = config.faults.afcDropAfterBytes;
        config.faults.afcDropAfterBytes = undefined;
      }
      void volume.ensureRoot().then(
        () => serveAfc(socket, context, volume),
        (error: unknown) => {
          context.logger.warn({ reason: (error as Error).message }, 'AFC: the media folder cannot be opened');
          socket.destroy();
        },
      );
    };
  },
};

async function populateFromContent(config: BackupAgentConfig, device: VirtualDevice): Promise<void> {
  const content = await config.content();
  try {
    await populateMedia(join(device.dir, 'Media'), content);
  } finally {
    await content.close();
  }
}
