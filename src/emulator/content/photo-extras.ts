import { patternBytes } from '../../backup/index.js';
import type { SeededRandom } from './seeded-random.js';
import { tinyMovie } from './tiny-movie.js';
import type { TruthAlbum, TruthPhoto } from './truth.js';

/** ZGENERICALBUM.ZKIND of an album the user made; 1506 is an import session (not shown as an album). */
export const USER_ALBUM_KIND = 2;
const IMPORT_SESSION_KIND = 1506;

const ALBUM_TITLES = ['Summer 2023', 'Family', 'Recipes', 'Garden', 'Receipts', 'Road trip: Lisbon → Porto'];

function shuffle<T>(random: SeededRandom, items: T[]): T[] {
  for (let i = items.length - 1; i > 0; i--) {
    const j = random.int(0, i);
    [items[i], items[j]] = [items[j]!, items[i]!];
  }
  return items;
}

/**
 * Live Photos, screenshots and albums on top of the generated camera roll. Drawn from a random of their own
 * (`${seed}:photo-extras`), so the photos' other fields, and every other type's content, stay as they were.
 * Live Photos get a paired QuickTime video (written as `<same name>.MOV` next to the photo); screenshots are
 * flagged; three user albums, one user album in Recently Deleted and one import session (not a user album) are
 * made, each with some of the live assets. Small sets still hold one Live Photo and one screenshot.
 */
export function addPhotoExtras(random: SeededRandom, photos: TruthPhoto[], window: [Date, Date], seed: string): TruthAlbum[] {
  const stills = photos.filter((p) => p.kind === 'photo');
  for (const p of stills) {
    const roll = random.next();
    if (roll < 0.25) p.livePhotoVideo = tinyMovie(patternBytes(`${seed}:live:${p.pk}`, random.int(64, 256)));
    else if (roll < 0.35) p.screenshot = true;
  }
  if (stills.length >= 2) {
    if (!stills.some((p) => p.livePhotoVideo !== null)) stills[0]!.livePhotoVideo = tinyMovie(patternBytes(`${seed}:live:${stills[0]!.pk}`, 96));
    if (!stills.some((p) => p.screenshot)) Object.assign(stills.find((p) => p.livePhotoVideo === null)!, { screenshot: true });
  }

  if (photos.length === 0) return [];
  const titles = shuffle(random, [...ALBUM_TITLES]).slice(0, 4);
  const start = window[0].getTime();
  const albums: TruthAlbum[] = titles.map((title, i) => ({
    pk: i + 1, uuid: random.uuid(), kind: USER_ALBUM_KIND, title, trashed: i === 3, created: new Date(start + random.int(0, 30) * 86_400_000), assetPks: [],
  }));
  albums.push({ pk: albums.length + 1, uuid: random.uuid(), kind: IMPORT_SESSION_KIND, title: 'Import 2023-03-02', trashed: false, created: new Date(start + 61 * 86_400_000), assetPks: [] });
  for (const album of albums) {
    for (const p of photos) if (random.chance(0.3)) album.assetPks.push(p.pk);
    // Every album holds something; the album order is not the creation order.
    if (album.assetPks.length === 0) album.assetPks.push(photos[random.int(0, photos.length - 1)]!.pk);
    shuffle(random, album.assetPks);
  }
  const byPk = new Map(photos.map((p) => [p.pk, p]));
  for (const album of albums) {
    if (album.kind !== USER_ALBUM_KIND || album.trashed) continue;
    for (const pk of album.assetPks) byPk.get(pk)!.albums.push(album.title);
  }
  return albums;
}
