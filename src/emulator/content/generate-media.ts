import { patternBytes } from '../../backup/index.js';
import type { SeededRandom } from './seeded-random.js';
import { tinyJpeg } from './tiny-jpeg.js';
import { tinyMovie } from './tiny-movie.js';
import type { TruthCall, TruthContact, TruthHandle, TruthPhoto } from './truth.js';

function pickDoomed(random: SeededRandom, total: number, count: number): Set<number> {
  const doomed = new Set<number>();
  while (doomed.size < Math.min(count, total)) doomed.add(random.int(1, total));
  return doomed;
}

/** Camera-roll assets: JPEG photos and a few QuickTime videos, some favourite, hidden, trashed, or purged. */
export function generatePhotos(random: SeededRandom, count: number, deletedCount: number, window: [Date, Date], seed: string): { photos: TruthPhoto[]; deleted: TruthPhoto[] } {
  const total = count + deletedCount;
  const doomed = pickDoomed(random, total, deletedCount);
  const photos: TruthPhoto[] = [];
  const deleted: TruthPhoto[] = [];
  const start = window[0].getTime();
  const step = (window[1].getTime() - start) / Math.max(total, 1);
  for (let pk = 1; pk <= total; pk++) {
    const isVideo = random.chance(0.1);
    const number = String(pk).padStart(4, '0');
    const filename = isVideo ? `IMG_${number}.MOV` : `IMG_${number}.JPG`;
    // Photos saved from other apps keep their own names; several apps call everything "image.jpg".
    const roll = random.next();
    const originalFilename = isVideo ? filename : roll < 0.1 ? 'image.jpg' : roll < 0.15 ? `Holiday photo ${pk % 7}.jpg` : filename;
    const created = new Date(Math.floor(start + step * (pk - 1) + random.next() * step * 0.9));
    const blocks = random.int(1, 4);
    const rgb: [number, number, number] = [random.int(0, 255), random.int(0, 255), random.int(0, 255)];
    const data = isVideo ? tinyMovie(patternBytes(`${seed}:movie:${pk}`, random.int(64, 512))) : tinyJpeg({ rgb, blocksWide: blocks, blocksHigh: blocks, comment: `${seed}:photo:${pk}` });
    const trashed = !doomed.has(pk) && random.chance(0.1);
    const hasLocation = random.chance(0.7);
    const photo: TruthPhoto = {
      pk,
      uuid: random.uuid(),
      directory: `DCIM/${100 + Math.floor(pk / 1000)}APPLE`,
      filename,
      originalFilename,
      kind: isVideo ? 'video' : 'photo',
      uti: isVideo ? 'com.apple.quicktime-movie' : 'public.jpeg',
      created,
      modified: new Date(created.getTime() + random.int(0, 86_400) * 1000),
      latitude: hasLocation ? Math.round((random.next() * 140 - 70) * 1e6) / 1e6 : null,
      longitude: hasLocation ? Math.round((random.next() * 340 - 170) * 1e6) / 1e6 : null,
      width: isVideo ? 1920 : blocks * 8,
      height: isVideo ? 1080 : blocks * 8,
      favorite: random.chance(0.15),
      hidden: random.chance(0.05),
      trashed,
      trashedDate: trashed ? new Date(created.getTime() + random.int(1, 20) * 86_400_000) : null,
      data,
      // Set afterwards by addPhotoExtras, from a random of its own, so these draws stay as they were.
      livePhotoVideo: null,
      screenshot: false,
      albums: [],
    };
    (doomed.has(pk) ? deleted : photos).push(photo);
  }
  // Small sets still hold one of each case the extractor must flag.
  if (photos.length >= 4) {
    if (!photos.some((p) => p.trashed)) Object.assign(photos[1]!, { trashed: true, trashedDate: new Date(photos[1]!.created.getTime() + 86_400_000) });
    if (!photos.some((p) => p.favorite)) photos[2]!.favorite = true;
    if (!photos.some((p) => p.hidden)) photos[3]!.hidden = true;
  }
  return { photos, deleted };
}

/** Phone and FaceTime calls with the people and numbers of the other generated content. */
export function generateCalls(random: SeededRandom, count: number, deletedCount: number, window: [Date, Date], handles: TruthHandle[], contacts: TruthContact[]): { calls: TruthCall[]; deleted: TruthCall[] } {
  const total = count + deletedCount;
  const doomed = pickDoomed(random, total, deletedCount);
  const calls: TruthCall[] = [];
  const deleted: TruthCall[] = [];
  const start = window[0].getTime();
  const step = (window[1].getTime() - start) / Math.max(total, 1);
  const names = new Map<string, string>();
  for (const c of contacts) {
    for (const p of c.phones) names.set(p.value.replace(/[^+\d]/g, ''), [c.first, c.last].filter(Boolean).join(' ') || c.organization || '');
  }
  for (let pk = 1; pk <= total; pk++) {
    const handle = random.pick(handles);
    const isEmail = handle.id.includes('@');
    const callType: TruthCall['callType'] = isEmail ? random.pick([8, 16] as const) : random.chance(0.8) ? 1 : random.pick([8, 16] as const);
    const answered = random.chance(0.75);
    const call: TruthCall = {
      pk,
      uniqueId: random.uuid(),
      address: handle.id,
      name: random.chance(0.3) ? names.get(handle.id) || null : null,
      date: new Date(Math.floor(start + step * (pk - 1) + random.next() * step * 0.9)),
      durationSeconds: answered ? random.int(1, 3_600_000) / 1000 : 0,
      outgoing: random.chance(0.5),
      answered,
      callType,
      serviceProvider: callType === 1 ? 'com.apple.Telephony' : 'com.apple.FaceTime',
      countryCode: 'us',
    };
    (doomed.has(pk) ? deleted : calls).push(call);
  }
  return { calls, deleted };
}
