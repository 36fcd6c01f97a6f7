import { MediaError } from './media-errors.js';

/** What `media pull --types` and `media ls` count: the media partition's folders as a person thinks of them. */
export const MEDIA_TYPES = ['photos', 'videos', 'music', 'recordings', 'downloads'] as const;
export type MediaType = (typeof MEDIA_TYPES)[number];

const IMAGE = /\.(jpe?g|heic|heif|png|gif|dng|tiff?|webp|bmp)$/i;
const VIDEO = /\.(mov|mp4|m4v|3gp|avi)$/i;

/** The top-level folders each type lives in (AFC paths, from the media root). */
export const MEDIA_ROOTS: Readonly<Record<MediaType, readonly string[]>> = {
  photos: ['/DCIM', '/PhotoData/Mutations'],
  videos: ['/DCIM'],
  music: ['/iTunes_Control/Music'],
  recordings: ['/Recordings'],
  downloads: ['/Downloads'],
};

/** The folders to walk for some types (each once). */
export function rootsFor(types: readonly MediaType[]): string[] {
  return [...new Set(types.flatMap((type) => MEDIA_ROOTS[type]))];
}

/**
 * A file's type by where it lives and its extension: DCIM images are photos, DCIM videos are videos unless they are
 * a Live Photo's motion part (`livePhotoVideo`), which belongs with its photo; edited renders under
 * PhotoData/Mutations are photos; the rest by folder. Undefined: not media (thumbnails, databases, caches).
 */
export function mediaTypeOf(path: string, livePhotoVideo = false): MediaType | undefined {
  if (path.startsWith('/DCIM/')) {
    if (IMAGE.test(path)) return 'photos';
    if (VIDEO.test(path)) return livePhotoVideo ? 'photos' : 'videos';
    return undefined;
  }
  if (path.startsWith('/PhotoData/Mutations/'))
    return /\/Adjustments\/FullSizeRender\.[^/]+$/.test(path) ? 'photos' : undefined;
  if (path.startsWith('/iTunes_Control/Music/')) return 'music';
  if (path.startsWith('/Recordings/')) return /\.(m4a|caf|aac|mp3|wav|amr|qta)$/i.test(path) ? 'recordings' : undefined;
  if (path.startsWith('/Downloads/')) return 'downloads';
  return undefined;
}

export function isImagePath(path: string): boolean {
  return IMAGE.test(path);
}

export function isVideoPath(path: string): boolean {
  return VIDEO.test(path);
}

/** `photos,videos` → the types; every type when empty or undefined. A name that is not a type is a usage error. */
export function parseMediaTypes(text: string | undefined): MediaType[] {
  if (text === undefined || text.trim() === '') return [...MEDIA_TYPES];
  const names = text
    .split(',')
    .map((name) => name.trim().toLowerCase())
    .filter(Boolean);
  const unknown = names.filter((name) => !(MEDIA_TYPES as readonly string[]).includes(name));
  if (unknown.length > 0)
    throw new MediaError(
      'MEDIA_BAD_TYPES',
      `not a media type: ${unknown.join(', ')} (types: ${MEDIA_TYPES.join(', ')})`,
    );
  return [...new Set(names)] as MediaType[];
}

/** A --since/--until value: a date (2024-05-01) or a date and time; the result is milliseconds since 1970. */
export function parseMediaDate(text: string, flag: string): number {
  const ms = Date.parse(/^\d{4}-\d{2}-\d{2}$/.test(text) ? `${text}T00:00:00Z` : text);
  if (Number.isNaN(ms))
    throw new MediaError('MEDIA_BAD_DATE', `${flag} wants a date such as 2024-05-01 (got "${text}")`);
  return ms;
}
