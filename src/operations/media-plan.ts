import type { AfcClient } from '../services/afc/index.js';
import type { PhotoFacts, TrackName } from './media-photos-db.js';
import { isImagePath, isVideoPath, mediaTypeOf, rootsFor, type MediaType } from './media-types.js';
import { walkMedia, type MediaFile } from './media-walk.js';

/** One file the pull may copy: where it is on the phone, what it is, and where it goes in the output folder. */
export interface PlannedFile extends MediaFile {
  type: MediaType;
  /** Relative to the output folder, `/`-separated. */
  out: string;
  /** Capture date when Photos.sqlite knows it, else undefined (the file's own metadata or mtime decide). */
  createdMs: number | undefined;
  trashed: boolean;
  albums: string[];
}

/** Where Recently Deleted photos and videos go, apart from the camera roll. */
export const RECENTLY_DELETED_FOLDER = 'Recently Deleted';
export const ALBUMS_FOLDER = 'Albums';
/** Synced music, under readable names from MediaLibrary.sqlitedb: Music/<artist>/<album>/<nn title>.<ext>. */
export const MUSIC_FOLDER = 'Music';

const MUTATION = /^\/PhotoData\/Mutations\/(DCIM\/[^/]+)\/([^/]+)\/Adjustments\/FullSizeRender(\.[^./]+)$/;

/**
 * Every media file of the wanted types, with its output path: the phone's own folders and names (DCIM/100APPLE/
 * IMG_0001.HEIC), Recently Deleted items (Photos.sqlite's trashed state) under `Recently Deleted/` with the same
 * sub-path, and an edited render (PhotoData/Mutations/…/Adjustments/FullSizeRender.jpg) beside its original as
 * `IMG_0001 (edited).jpg`. A Live Photo's video travels with its photo: it is a photo, goes where the photo goes,
 * and is recognised from Photos.sqlite or, without it, by an image of the same name in the same folder.
 */
export async function planMedia(
  afc: AfcClient,
  types: readonly MediaType[],
  facts: Map<string, PhotoFacts> | undefined,
  trackNames?: Map<string, TrackName>,
): Promise<PlannedFile[]> {
  const wanted = new Set(types);
  // Videos are walked with photos (the same DCIM folders) so a Live Photo's video can follow its photo.
  const roots = rootsFor(wanted.has('photos') || wanted.has('videos') ? [...types, 'photos', 'videos'] : types);
  const files: MediaFile[] = [];
  for (const root of roots) for await (const file of walkMedia(afc, root)) files.push(file);
  const imageStems = new Set(files.filter((f) => isImagePath(f.path)).map((f) => stemOf(f.path)));
  const planned: PlannedFile[] = [];
  const used = new Set<string>();
  for (const file of files) {
    const mutation = MUTATION.exec(file.path);
    const originalPath = mutation ? `/${mutation[1]}/${mutation[2]}` : file.path;
    const fact = mutation ? findByStem(facts, originalPath) : facts?.get(file.path);
    const live =
      fact?.livePhotoVideo ??
      (isVideoPath(file.path) && file.path.startsWith('/DCIM/') && imageStems.has(stemOf(file.path)));
    const type = mediaTypeOf(file.path, live);
    if (type === undefined || !wanted.has(type)) continue;
    const trashed = fact?.trashed ?? false;
    const shown = mutation ? `${originalPath} (edited)${mutation[3]}` : file.path;
    const relative = shown.replace(/^\/+/, '');
    const named = type === 'music' ? musicPath(file.path, trackNames?.get(file.path), used) : undefined;
    const out = named ?? (trashed ? `${RECENTLY_DELETED_FOLDER}/${relative.replace(/^DCIM\//, '')}` : relative);
    planned.push({ ...file, type, out, createdMs: fact?.createdMs, trashed, albums: fact?.albums ?? [] });
  }
  return planned;
}

/** A name from the phone's database as one safe path segment (no separators, no leading dots, not empty). */
function segment(text: string | null, fallback: string): string {
  const clean = (text ?? '')
    .replace(/[/\\\0:*?"<>|]/g, '_')
    .replace(/^\.+/, '_')
    .trim()
    .slice(0, 120);
  return clean || fallback;
}

/** Music/<artist>/<album>/<nn title>.<ext> for a track the library names; a second track of the same name gets (2). */
function musicPath(path: string, name: TrackName | undefined, used: Set<string>): string | undefined {
  if (name === undefined || name.title === null) return undefined;
  const extension = /\.[^./]+$/.exec(path)?.[0] ?? '';
  const number =
    name.trackNumber !== null && name.trackNumber > 0 ? `${String(name.trackNumber).padStart(2, '0')} ` : '';
  const base = `${MUSIC_FOLDER}/${segment(name.artist, 'Unknown Artist')}/${segment(name.album, 'Unknown Album')}/${number}${segment(name.title, 'Untitled')}`;
  let out = `${base}${extension}`;
  for (let n = 2; used.has(out.toLowerCase()); n++) out = `${base} (${n})${extension}`;
  used.add(out.toLowerCase());
  return out;
}

function stemOf(path: string): string {
  return path.replace(/\.[^./]+$/, '').toLowerCase();
}

/** A mutation folder is named after its original without the extension (IMG_0001 for IMG_0001.HEIC). */
function findByStem(facts: Map<string, PhotoFacts> | undefined, pathWithoutExtension: string): PhotoFacts | undefined {
  if (facts === undefined) return undefined;
  for (const extension of ['.HEIC', '.JPG', '.heic', '.jpg', '.JPEG', '.PNG']) {
    const fact = facts.get(`${pathWithoutExtension}${extension}`);
    if (fact !== undefined) return fact;
  }
  return undefined;
}
