import { toAppleSeconds } from './apple-time.js';
import { buildSqliteImage, type SqliteImage } from './sqlite-image.js';
import type { TruthAlbum, TruthPhoto } from './truth.js';

/**
 * Photos.sqlite (CameraRollDomain Media/PhotoData/Photos.sqlite), iOS 16 names. Differences by version that an
 * extractor must expect: the asset table is ZGENERICASSET up to iOS 13 and ZASSET from iOS 14; the original file
 * name lives in ZADDITIONALASSETATTRIBUTES.ZORIGINALFILENAME (joined by ZASSET.ZADDITIONALATTRIBUTES, and back by
 * ZADDITIONALASSETATTRIBUTES.ZASSET); the album join table is renumbered in most releases (Z_26ASSETS in iOS 14,
 * Z_28ASSETS in iOS 16, Z_30/Z_33 later); iOS 16 adds shared-library columns (ZTRASHEDBYPARTICIPANT, ZACTIVELIBRARYSCOPEPARTICIPATIONSTATE).
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

export function buildPhotosDb(photos: TruthPhoto[], deleted: TruthPhoto[], albums: TruthAlbum[] = []): SqliteImage {
  const all = [...photos, ...deleted].sort((a, b) => a.pk - b.pk);
  return buildSqliteImage({
    schema: PHOTOS_SCHEMA,
    fill(db) {
      const asset = db.prepare(
        `INSERT INTO ZASSET (Z_PK, Z_ENT, Z_OPT, ZAVALANCHEKIND, ZCLOUDLOCALSTATE, ZCOMPLETE, ZFAVORITE, ZHIDDEN, ZKIND, ZKINDSUBTYPE,
           ZPLAYBACKSTYLE, ZSAVEDASSETTYPE, ZTRASHEDSTATE, ZVISIBILITYSTATE, ZISDETECTEDSCREENSHOT, ZADDITIONALATTRIBUTES, ZADDEDDATE,
           ZDATECREATED, ZDURATION, ZLATITUDE, ZLONGITUDE, ZMODIFICATIONDATE, ZTRASHEDDATE, ZHEIGHT, ZWIDTH, ZDIRECTORY, ZFILENAME,
           ZUNIFORMTYPEIDENTIFIER, ZUUID) VALUES (?, 3, 4, 0, 0, 1, ?, ?, ?, ?, ?, 3, ?, 0, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      );
      const attributes = db.prepare(
        `INSERT INTO ZADDITIONALASSETATTRIBUTES (Z_PK, Z_ENT, Z_OPT, ZASSET, ZORIGINALFILESIZE, ZORIGINALHEIGHT, ZORIGINALWIDTH,
           ZTIMEZONEOFFSET, ZEXIFTIMESTAMPSTRING, ZORIGINALFILENAME, ZTIMEZONENAME) VALUES (?, 1, 2, ?, ?, ?, ?, 0, ?, ?, 'GMT')`,
      );
      for (const p of all) {
        const created = toAppleSeconds(p.created);
        const subtype = p.livePhotoVideo !== null ? 2 : p.screenshot ? 10 : 0;
        const playback = p.kind === 'video' ? 4 : p.livePhotoVideo !== null ? 3 : 1;
        asset.run(p.pk, p.favorite ? 1 : 0, p.hidden ? 1 : 0, p.kind === 'video' ? 1 : 0, subtype, playback,
          p.trashed ? 1 : 0, p.screenshot ? 1 : 0, p.pk, created, created, p.kind === 'video' ? 3.5 : 0, p.latitude ?? NO_LOCATION,
          p.longitude ?? NO_LOCATION, toAppleSeconds(p.modified), p.trashedDate === null ? null : toAppleSeconds(p.trashedDate),
          p.height, p.width, p.directory, p.filename, p.uti, p.uuid);
        const exif = p.created.toISOString().slice(0, 19).replace(/-/g, ':').replace('T', ' ');
        attributes.run(p.pk, p.pk, p.data.length, p.height, p.width, exif, p.originalFilename);
      }
      const album = db.prepare('INSERT INTO ZGENERICALBUM (Z_PK, Z_ENT, Z_OPT, ZCACHEDCOUNT, ZKIND, ZTRASHEDSTATE, ZCREATIONDATE, ZTRASHEDDATE, ZTITLE, ZUUID) VALUES (?, 28, 1, ?, ?, ?, ?, ?, ?, ?)');
      const member = db.prepare('INSERT INTO Z_28ASSETS (Z_28ALBUMS, Z_3ASSETS, Z_FOK_3ASSETS) VALUES (?, ?, ?)');
      for (const a of albums) {
        const created = toAppleSeconds(a.created);
        album.run(a.pk, a.assetPks.length, a.kind, a.trashed ? 1 : 0, created, a.trashed ? created + 86_400 : null, a.title, a.uuid);
        // Core Data spaces the ordering keys apart (1024 between neighbours) so inserts rarely renumber.
        a.assetPks.forEach((pk, i) => member.run(a.pk, pk, (i + 1) * 1024));
      }
      const max = all.reduce((m, p) => Math.max(m, p.pk), 0);
      db.prepare("INSERT INTO Z_PRIMARYKEY VALUES (3, 'Asset', 0, ?), (1, 'AdditionalAssetAttributes', 0, ?), (28, 'GenericAlbum', 0, ?)").run(max, max, albums.length);
      db.prepare("INSERT INTO Z_METADATA VALUES (1, 'D0A1B2C3-D4E5-4F60-8A9B-0C1D2E3F4A5C', NULL)").run();
    },
    remove(db) {
      const attributes = db.prepare('DELETE FROM ZADDITIONALASSETATTRIBUTES WHERE ZASSET = ?');
      const asset = db.prepare('DELETE FROM ZASSET WHERE Z_PK = ?');
      for (const p of deleted) {
        attributes.run(p.pk);
        asset.run(p.pk);
      }
    },
  });
}
