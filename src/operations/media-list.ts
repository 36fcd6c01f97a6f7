import type { DeviceAccess } from './device-access.js';
import { readPhotoFacts } from './media-photos-db.js';
import { planMedia } from './media-plan.js';
import { openMediaConnection } from './media-session.js';
import { MEDIA_TYPES, type MediaType } from './media-types.js';

export interface MediaListOptions {
  udid?: string;
  types?: MediaType[];
}

export interface MediaListResult {
  udid: string;
  /** Per type: files and bytes (Recently Deleted photos and videos included, and also counted apart). */
  types: Record<MediaType, { files: number; bytes: number }>;
  recentlyDeleted: { files: number; bytes: number };
  /** The media partition's size and free space, as the phone reports them. */
  device: { model: string; totalBytes: number; freeBytes: number };
}

/** What is on the phone's media partition per type, counted over AFC without copying anything. */
export async function listMedia(access: DeviceAccess, options: MediaListOptions = {}): Promise<MediaListResult> {
  const connection = await openMediaConnection(access, options.udid);
  try {
    const { afc } = connection;
    const types = options.types ?? [...MEDIA_TYPES];
    const facts =
      types.includes('photos') || types.includes('videos') ? await readPhotoFacts(afc, access.logger) : undefined;
    const counts = Object.fromEntries(
      MEDIA_TYPES.map((type) => [type, { files: 0, bytes: 0 }]),
    ) as MediaListResult['types'];
    const recentlyDeleted = { files: 0, bytes: 0 };
    for (const file of await planMedia(afc, types, facts)) {
      counts[file.type].files += 1;
      counts[file.type].bytes += file.size;
      if (file.trashed) {
        recentlyDeleted.files += 1;
        recentlyDeleted.bytes += file.size;
      }
    }
    const info = await afc.deviceInfo();
    return {
      udid: connection.udid,
      types: counts,
      recentlyDeleted,
      device: { model: info.model, totalBytes: info.totalBytes, freeBytes: info.freeBytes },
    };
  } finally {
    await connection.close();
  }
}
