import { patternBytes } from '../../backup/index.js';
import { toAppleSeconds } from './apple-time.js';
import { pickDoomed, type SeededRandom } from './seeded-random.js';
import { buildSqliteImage, type SqliteImage } from './sqlite-image.js';
import { tinyJpeg } from './tiny-jpeg.js';
import { tinyMovie } from './tiny-movie.js';
import type { TruthAlbum, TruthPhoto } from './truth.js';
import { NEWEST_IOS } from './ios-versions.js';

/**
 * Photos.sqlite (CameraRollDomain Media/PhotoData/Photos.sqlite), iOS 16 names. Differences by version that an
 * extractor must expect: the asset table is ZGENERICASSET up to iOS 13 and ZASSET from iOS 14; the original file
 * name lives in ZADDITIONALASSETATTRIBUTES.ZORIGINALFILENAME (joined by ZASSET.ZADDITIONALATTRIBUTES, and back by
 * ZADDITIONALASSETATTRIBUTES.ZASSET); the album join table is renumbered in most releases (Z_26ASSETS in iOS 14,
 * Z_28ASSETS in iOS 16, Z_30/Z_33 later); iOS 16 adds shared-library columns (ZTRASHEDBYPARTICIPANT,
 * ZACTIVELIBRARYSCOPEPARTICIPATIONSTATE).
 * ZTRASHEDSTATE 1 puts an asset in Recently Deleted (ZTRASHEDDATE says when); its file stays in DCIM until purged,
 * when the row is deleted. Dates are REAL seconds since 2001; an unknown location is -180.0/-180.0.
 * ZKINDSUBTYPE 2 is a Live Photo (ZPLAYBACKSTYLE 3; its video is the same name with .MOV in the same folder, not a
 * row of its own), 10 a screenshot, which iOS 15+ also flags in ZISDETECTEDSCREENSHOT. Albums are ZGENERICALBUM
 * rows (ZKIND 2 for the user's own), linked to assets by Z_28ASSETS(Z_28ALBUMS, Z_3ASSETS), Z_FOK_3ASSETS giving
 * the order inside the album.
 */
export const PHOTOS_SCHEMA = `
CREATE TABLE ZASSET (Z_PK INTEGER PRIMARY KEY, Z_ENT INTEGER, Z_OPT INTEGER, ZACTIVELIBRARYSCOPEPARTICIPATIONSTATE INTEGER,
  ZAVALANCHEKIND INTEGER, ZAVALANCHEPICKTYPE INTEGER, ZCLOUDLOCALSTATE INTEGER, ZCOMPLETE INTEGER, ZFAVORITE INTEGER,
  ZHIDDEN INTEGER, ZKIND INTEGER, ZKINDSUBTYPE INTEGER, ZPLAYBACKSTYLE INTEGER, ZSAVEDASSETTYPE INTEGER, ZTRASHEDSTATE INTEGER,
  ZVISIBILITYSTATE INTEGER, ZADDITIONALATTRIBUTES INTEGER, ZEXTENDEDATTRIBUTES INTEGER, ZTRASHEDBYPARTICIPANT INTEGER, ZISDETECTEDSCREENSHOT INTEGER,
  ZADDEDDATE TIMESTAMP, ZDATECREATED TIMESTAMP, ZDURATION FLOAT, ZLASTSHAREDDATE TIMESTAMP, ZLATITUDE FLOAT, ZLONGITUDE FLOAT,
  ZMODIFICATIONDATE TIMESTAMP, ZTRASHEDDATE TIMESTAMP, ZHEIGHT INTEGER, ZWIDTH INTEGER, ZDIRECTORY VARCHAR, ZFILENAME VARCHAR,
  ZUNIFORMTYPEIDENTIFIER VARCHAR, ZUUID VARCHAR, ZCLOUDASSETGUID VARCHAR, ZORIGINALCOLORSPACE VARCHAR);
CREATE TABLE ZADDITIONALASSETATTRIBUTES (Z_PK INTEGER PRIMARY KEY, Z_ENT INTEGER, Z_OPT INTEGER, ZASSET INTEGER,
  ZORIGINALFILESIZE INTEGER, ZORIGINALHEIGHT INTEGER, ZORIGINALWIDTH INTEGER, ZTIMEZONEOFFSET INTEGER,
  ZEXIFTIMESTAMPSTRING VARCHAR, ZORIGINALFILENAME VARCHAR, ZTIMEZONENAME VARCHAR, ZTITLE VARCHAR);
CREATE TABLE ZGENERICALBUM (Z_PK INTEGER PRIMARY KEY, Z_ENT INTEGER, Z_OPT INTEGER, ZCACHEDCOUNT INTEGER, ZKIND INTEGER,
  ZTRASHEDSTATE INTEGER, ZCREATIONDATE TIMESTAMP, ZTRASHEDDATE TIMESTAMP, ZTITLE VARCHAR, ZUUID VARCHAR);
CREATE TABLE Z_28ASSETS (Z_28ALBUMS INTEGER, Z_3ASSETS INTEGER, Z_FOK_3ASSETS INTEGER, PRIMARY KEY (Z_28ALBUMS, Z_3ASSETS));
CREATE TABLE Z_PRIMARYKEY (Z_ENT INTEGER PRIMARY KEY, Z_NAME VARCHAR, Z_SUPER INTEGER, Z_MAX INTEGER);
CREATE TABLE Z_METADATA (Z_VERSION INTEGER PRIMARY KEY, Z_UUID VARCHAR(255), Z_PLIST BLOB);
CREATE INDEX ZASSET_ZADDITIONALATTRIBUTES_INDEX ON ZASSET (ZADDITIONALATTRIBUTES);
CREATE INDEX ZADDITIONALASSETATTRIBUTES_ZASSET_INDEX ON ZADDITIONALASSETATTRIBUTES (ZASSET);
`;

const NO_LOCATION = -180.0;

/**
 * How one generation names and fills Photos.sqlite: ZASSET from iOS 14, ZGENERICASSET before; iOS 9–13 have the
 * favourite/hidden/trash/location columns but not iOS 15's screenshot flag or iOS 16's shared-library columns; the
 * iOS 8 asset table (a real file: public backup dump OTAPKI/iphone) has none of them (favourites were an album,
 * location a ZLOCATIONDATA blob). iOS 4–7 files are not pinned by any sample; the generator writes the iOS 8 layout
 * for them (native-notes/ios-schemas/photos.md).
 */
interface PhotosLayout {
  asset: 'ZASSET' | 'ZGENERICASSET';
  /** Columns of the asset table that this generation lacks. */
  without: readonly string[];
  /** The album–asset join table and its columns (Core Data numbers them after the entities). */
  join: { table: string; album: string; asset: string; order: string };
}

const IOS16_ONLY = ['ZACTIVELIBRARYSCOPEPARTICIPATIONSTATE', 'ZTRASHEDBYPARTICIPANT'];
const IOS8_LACKS = [
  'ZFAVORITE',
  'ZHIDDEN',
  'ZTRASHEDSTATE',
  'ZTRASHEDDATE',
  'ZLATITUDE',
  'ZLONGITUDE',
  'ZPLAYBACKSTYLE',
];

export function photosLayout(iosVersion: number): PhotosLayout {
  if (iosVersion >= 14)
    return {
      asset: 'ZASSET',
      without: iosVersion >= 16 ? [] : iosVersion >= 15 ? IOS16_ONLY : [...IOS16_ONLY, 'ZISDETECTEDSCREENSHOT'],
      join:
        iosVersion >= 16
          ? { table: 'Z_28ASSETS', album: 'Z_28ALBUMS', asset: 'Z_3ASSETS', order: 'Z_FOK_3ASSETS' }
          : { table: 'Z_26ASSETS', album: 'Z_26ALBUMS', asset: 'Z_3ASSETS', order: 'Z_FOK_3ASSETS' },
    };
  return {
    asset: 'ZGENERICASSET',
    without: [...IOS16_ONLY, 'ZISDETECTEDSCREENSHOT', ...(iosVersion <= 8 ? IOS8_LACKS : [])],
    join: { table: 'Z_11ASSETS', album: 'Z_11ALBUMS', asset: 'Z_17ASSETS', order: 'Z_FOK_17ASSETS' },
  };
}

/** PHOTOS_SCHEMA as `layout` has it. */
function photosSchema(layout: PhotosLayout): string {
  let schema = PHOTOS_SCHEMA;
  for (const name of layout.without) schema = schema.replace(new RegExp(`\\b${name} [A-Z]+, ?\\s*`), '');
  return schema
    .replace('CREATE TABLE ZASSET (', `CREATE TABLE ${layout.asset} (`)
    .replace(
      'ZASSET_ZADDITIONALATTRIBUTES_INDEX ON ZASSET ',
      `${layout.asset}_ZADDITIONALATTRIBUTES_INDEX ON ${layout.asset} `,
    )
    .replace(
      'CREATE TABLE Z_28ASSETS (Z_28ALBUMS INTEGER, Z_3ASSETS INTEGER, Z_FOK_3ASSETS INTEGER, PRIMARY KEY (Z_28ALBUMS, Z_3ASSETS));',
      `CREATE TABLE ${layout.join.table} (${layout.join.album} INTEGER, ${layout.join.asset} INTEGER, ${layout.join.order} INTEGER, PRIMARY KEY (${layout.join.album}, ${layout.join.asset}));`,
    );
}

/**
 * The photos as an older iOS can hold them: before iOS 9 no favourite, hidden, Recently Deleted, location or Live
 * Photo (the generator drops them from the truth too). Uses no randomness.
 */
export function photosForVersion(photos: TruthPhoto[], iosVersion: number): TruthPhoto[] {
  if (iosVersion > 8) return photos;
  return photos.map((p) => ({
    ...p,
    favorite: false,
    hidden: false,
    trashed: false,
    trashedDate: null,
    latitude: null,
    longitude: null,
    livePhotoVideo: null,
  }));
}

/** Every column the asset insert knows, in the order its values come. */
const ALL_ASSET_COLUMNS = [
  'Z_PK',
  'Z_ENT',
  'Z_OPT',
  'ZAVALANCHEKIND',
  'ZCLOUDLOCALSTATE',
  'ZCOMPLETE',
  'ZFAVORITE',
  'ZHIDDEN',
  'ZKIND',
  'ZKINDSUBTYPE',
  'ZPLAYBACKSTYLE',
  'ZSAVEDASSETTYPE',
  'ZTRASHEDSTATE',
  'ZVISIBILITYSTATE',
  'ZISDETECTEDSCREENSHOT',
  'ZADDITIONALATTRIBUTES',
  'ZADDEDDATE',
  'ZDATECREATED',
  'ZDURATION',
  'ZLATITUDE',
  'ZLONGITUDE',
  'ZMODIFICATIONDATE',
  'ZTRASHEDDATE',
  'ZHEIGHT',
  'ZWIDTH',
  'ZDIRECTORY',
  'ZFILENAME',
  'ZUNIFORMTYPEIDENTIFIER',
  'ZUUID',
] as const;

export function buildPhotosDb(
  photos: TruthPhoto[],
  deleted: TruthPhoto[],
  albums: TruthAlbum[] = [],
  iosVersion: number = NEWEST_IOS,
): SqliteImage {
  const all = [...photos, ...deleted].sort((a, b) => a.pk - b.pk);
  const layout = photosLayout(iosVersion);
  const lacks = new Set(layout.without);
  // Columns and their values in one list, so a generation without a column drops both.
  const assetColumns = ALL_ASSET_COLUMNS.filter((c) => !lacks.has(c));
  const keep = (values: unknown[]): unknown[] => values.filter((_, i) => !lacks.has(ALL_ASSET_COLUMNS[i]!));
  return buildSqliteImage({
    schema: photosSchema(layout),
    fill(db) {
      const insertAsset = db.prepare(
        `INSERT INTO ${layout.asset} (${assetColumns.join(', ')}) VALUES (${assetColumns.map(() => '?').join(', ')})`,
      );
      const asset = {
        run: (...values: unknown[]) =>
          insertAsset.run(
            ...keep([values[0], 3, 4, 0, 0, 1, ...values.slice(1, 6), 3, values[6], 0, ...values.slice(7)]),
          ),
      };
      const attributes = db.prepare(
        `INSERT INTO ZADDITIONALASSETATTRIBUTES (Z_PK, Z_ENT, Z_OPT, ZASSET, ZORIGINALFILESIZE, ZORIGINALHEIGHT, ZORIGINALWIDTH,
           ZTIMEZONEOFFSET, ZEXIFTIMESTAMPSTRING, ZORIGINALFILENAME, ZTIMEZONENAME) VALUES (?, 1, 2, ?, ?, ?, ?, 0, ?, ?, 'GMT')`,
      );
      for (const p of all) {
        const created = toAppleSeconds(p.created);
        const subtype = p.livePhotoVideo !== null ? 2 : p.screenshot ? 10 : 0;
        const playback = p.kind === 'video' ? 4 : p.livePhotoVideo !== null ? 3 : 1;
        asset.run(
          p.pk,
          p.favorite ? 1 : 0,
          p.hidden ? 1 : 0,
          p.kind === 'video' ? 1 : 0,
          subtype,
          playback,
          p.trashed ? 1 : 0,
          p.screenshot ? 1 : 0,
          p.pk,
          created,
          created,
          p.kind === 'video' ? 3.5 : 0,
          p.latitude ?? NO_LOCATION,
          p.longitude ?? NO_LOCATION,
          toAppleSeconds(p.modified),
          p.trashedDate === null ? null : toAppleSeconds(p.trashedDate),
          p.height,
          p.width,
          p.directory,
          p.filename,
          p.uti,
          p.uuid,
        );
        const exif = p.created.toISOString().slice(0, 19).replace(/-/g, ':').replace('T', ' ');
        attributes.run(p.pk, p.pk, p.data.length, p.height, p.width, exif, p.originalFilename);
      }
      const album = db.prepare(
        'INSERT INTO ZGENERICALBUM (Z_PK, Z_ENT, Z_OPT, ZCACHEDCOUNT, ZKIND, ZTRASHEDSTATE, ZCREATIONDATE, ZTRASHEDDATE, ZTITLE, ZUUID) VALUES (?, 28, 1, ?, ?, ?, ?, ?, ?, ?)',
      );
      const { table, album: albumColumn, asset: assetColumn, order } = layout.join;
      const member = db.prepare(`INSERT INTO ${table} (${albumColumn}, ${assetColumn}, ${order}) VALUES (?, ?, ?)`);
      for (const a of albums) {
        const created = toAppleSeconds(a.created);
        album.run(
          a.pk,
          a.assetPks.length,
          a.kind,
          a.trashed ? 1 : 0,
          created,
          a.trashed ? created + 86_400 : null,
          a.title,
          a.uuid,
        );
        // Core Data spaces the ordering keys apart (1024 between neighbours) so inserts rarely renumber.
        a.assetPks.forEach((pk, i) => member.run(a.pk, pk, (i + 1) * 1024));
      }
      const max = all.reduce((m, p) => Math.max(m, p.pk), 0);
      db.prepare(
        "INSERT INTO Z_PRIMARYKEY VALUES (3, 'Asset', 0, ?), (1, 'AdditionalAssetAttributes', 0, ?), (28, 'GenericAlbum', 0, ?)",
      ).run(max, max, albums.length);
      db.prepare("INSERT INTO Z_METADATA VALUES (1, 'D0A1B2C3-D4E5-4F60-8A9B-0C1D2E3F4A5C', NULL)").run();
    },
    remove(db) {
      const attributes = db.prepare('DELETE FROM ZADDITIONALASSETATTRIBUTES WHERE ZASSET = ?');
      const asset = db.prepare(`DELETE FROM ${layout.asset} WHERE Z_PK = ?`);
      for (const p of deleted) {
        attributes.run(p.pk);
        asset.run(p.pk);
      }
    },
  });
}

/** Camera-roll assets: JPEG photos and a few QuickTime videos, some favourite, hidden, trashed, or purged. */
export function generatePhotos(
  random: SeededRandom,
  count: number,
  deletedCount: number,
  window: [Date, Date],
  seed: string,
): { photos: TruthPhoto[]; deleted: TruthPhoto[] } {
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
    const originalFilename = isVideo
      ? filename
      : roll < 0.1
        ? 'image.jpg'
        : roll < 0.15
          ? `Holiday photo ${pk % 7}.jpg`
          : filename;
    const created = new Date(Math.floor(start + step * (pk - 1) + random.next() * step * 0.9));
    const blocks = random.int(1, 4);
    const rgb: [number, number, number] = [random.int(0, 255), random.int(0, 255), random.int(0, 255)];
    const data = isVideo
      ? tinyMovie(patternBytes(`${seed}:movie:${pk}`, random.int(64, 512)))
      : tinyJpeg({ rgb, blocksWide: blocks, blocksHigh: blocks, comment: `${seed}:photo:${pk}` });
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
    if (!photos.some((p) => p.trashed))
      Object.assign(photos[1]!, { trashed: true, trashedDate: new Date(photos[1]!.created.getTime() + 86_400_000) });
    if (!photos.some((p) => p.favorite)) photos[2]!.favorite = true;
    if (!photos.some((p) => p.hidden)) photos[3]!.hidden = true;
  }
  return { photos, deleted };
}

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
export function addPhotoExtras(
  random: SeededRandom,
  photos: TruthPhoto[],
  window: [Date, Date],
  seed: string,
): TruthAlbum[] {
  const stills = photos.filter((p) => p.kind === 'photo');
  for (const p of stills) {
    const roll = random.next();
    if (roll < 0.25) p.livePhotoVideo = tinyMovie(patternBytes(`${seed}:live:${p.pk}`, random.int(64, 256)));
    else if (roll < 0.35) p.screenshot = true;
  }
  if (stills.length >= 2) {
    if (!stills.some((p) => p.livePhotoVideo !== null))
      stills[0]!.livePhotoVideo = tinyMovie(patternBytes(`${seed}:live:${stills[0]!.pk}`, 96));
    if (!stills.some((p) => p.screenshot))
      Object.assign(stills.find((p) => p.livePhotoVideo === null)!, { screenshot: true });
  }

  if (photos.length === 0) return [];
  const titles = shuffle(random, [...ALBUM_TITLES]).slice(0, 4);
  const start = window[0].getTime();
  const albums: TruthAlbum[] = titles.map((title, i) => ({
    pk: i + 1,
    uuid: random.uuid(),
    kind: USER_ALBUM_KIND,
    title,
    trashed: i === 3,
    created: new Date(start + random.int(0, 30) * 86_400_000),
    assetPks: [],
  }));
  albums.push({
    pk: albums.length + 1,
    uuid: random.uuid(),
    kind: IMPORT_SESSION_KIND,
    title: 'Import 2023-03-02',
    trashed: false,
    created: new Date(start + 61 * 86_400_000),
    assetPks: [],
  });
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
