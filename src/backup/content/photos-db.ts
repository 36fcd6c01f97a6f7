import { toAppleSeconds } from './apple-time.js';
import { buildSqliteImage, type SqliteImage } from './sqlite-image.js';
import type { TruthPhoto } from './truth.js';

/**
 * Photos.sqlite (CameraRollDomain Media/PhotoData/Photos.sqlite), iOS 16 names. Differences by version that an
 * extractor must expect: the asset table is ZGENERICASSET up to iOS 13 and ZASSET from iOS 14; the original file
 * name lives in ZADDITIONALASSETATTRIBUTES.ZORIGINALFILENAME (joined by ZASSET.ZADDITIONALATTRIBUTES, and back by
 * ZADDITIONALASSETATTRIBUTES.ZASSET); the album join table is renumbered in most releases (Z_26ASSETS in iOS 14,
 * Z_28ASSETS in iOS 16, Z_30/Z_33 later); iOS 16 adds shared-library columns (ZTRASHEDBYPARTICIPANT, ZACTIVELIBRARYSCOPEPARTICIPATIONSTATE).
 * ZTRASHEDSTATE 1 puts an asset in Recently Deleted (ZTRASHEDDATE says when); its file stays in DCIM until purged,
 * when the row is deleted. Dates are REAL seconds since 2001; an unknown location is -180.0/-180.0.
 */
export const PHOTOS_SCHEMA = `
CREATE TABLE ZASSET (Z_PK INTEGER PRIMARY KEY, Z_ENT INTEGER, Z_OPT INTEGER, ZACTIVELIBRARYSCOPEPARTICIPATIONSTATE INTEGER,
  ZAVALANCHEKIND INTEGER, ZAVALANCHEPICKTYPE INTEGER, ZCLOUDLOCALSTATE INTEGER, ZCOMPLETE INTEGER, ZFAVORITE INTEGER,
  ZHIDDEN INTEGER, ZKIND INTEGER, ZKINDSUBTYPE INTEGER, ZPLAYBACKSTYLE INTEGER, ZSAVEDASSETTYPE INTEGER, ZTRASHEDSTATE INTEGER,
  ZVISIBILITYSTATE INTEGER, ZADDITIONALATTRIBUTES INTEGER, ZEXTENDEDATTRIBUTES INTEGER, ZTRASHEDBYPARTICIPANT INTEGER,
  ZADDEDDATE TIMESTAMP, ZDATECREATED TIMESTAMP, ZDURATION FLOAT, ZLASTSHAREDDATE TIMESTAMP, ZLATITUDE FLOAT, ZLONGITUDE FLOAT,
  ZMODIFICATIONDATE TIMESTAMP, ZTRASHEDDATE TIMESTAMP, ZHEIGHT INTEGER, ZWIDTH INTEGER, ZDIRECTORY VARCHAR, ZFILENAME VARCHAR,
  ZUNIFORMTYPEIDENTIFIER VARCHAR, ZUUID VARCHAR, ZCLOUDASSETGUID VARCHAR, ZORIGINALCOLORSPACE VARCHAR);
CREATE TABLE ZADDITIONALASSETATTRIBUTES (Z_PK INTEGER PRIMARY KEY, Z_ENT INTEGER, Z_OPT INTEGER, ZASSET INTEGER,
  ZORIGINALFILESIZE INTEGER, ZORIGINALHEIGHT INTEGER, ZORIGINALWIDTH INTEGER, ZTIMEZONEOFFSET INTEGER,
  ZEXIFTIMESTAMPSTRING VARCHAR, ZORIGINALFILENAME VARCHAR, ZTIMEZONENAME VARCHAR, ZTITLE VARCHAR);
CREATE TABLE ZGENERICALBUM (Z_PK INTEGER PRIMARY KEY, Z_ENT INTEGER, Z_OPT INTEGER, ZKIND INTEGER, ZTRASHEDSTATE INTEGER,
  ZTITLE VARCHAR, ZUUID VARCHAR);
CREATE TABLE Z_28ASSETS (Z_28ALBUMS INTEGER, Z_3ASSETS INTEGER, Z_FOK_3ASSETS INTEGER, PRIMARY KEY (Z_28ALBUMS, Z_3ASSETS));
CREATE TABLE Z_PRIMARYKEY (Z_ENT INTEGER PRIMARY KEY, Z_NAME VARCHAR, Z_SUPER INTEGER, Z_MAX INTEGER);
CREATE TABLE Z_METADATA (Z_VERSION INTEGER PRIMARY KEY, Z_UUID VARCHAR(255), Z_PLIST BLOB);
CREATE INDEX ZASSET_ZADDITIONALATTRIBUTES_INDEX ON ZASSET (ZADDITIONALATTRIBUTES);
CREATE INDEX ZADDITIONALASSETATTRIBUTES_ZASSET_INDEX ON ZADDITIONALASSETATTRIBUTES (ZASSET);
`;

const NO_LOCATION = -180.0;

export function buildPhotosDb(photos: TruthPhoto[], deleted: TruthPhoto[]): SqliteImage {
  const all = [...photos, ...deleted].sort((a, b) => a.pk - b.pk);
  return buildSqliteImage({
    schema: PHOTOS_SCHEMA,
    fill(db) {
      const asset = db.prepare(
        `INSERT INTO ZASSET (Z_PK, Z_ENT, Z_OPT, ZAVALANCHEKIND, ZCLOUDLOCALSTATE, ZCOMPLETE, ZFAVORITE, ZHIDDEN, ZKIND, ZKINDSUBTYPE,
           ZPLAYBACKSTYLE, ZSAVEDASSETTYPE, ZTRASHEDSTATE, ZVISIBILITYSTATE, ZADDITIONALATTRIBUTES, ZADDEDDATE, ZDATECREATED,
           ZDURATION, ZLATITUDE, ZLONGITUDE, ZMODIFICATIONDATE, ZTRASHEDDATE, ZHEIGHT, ZWIDTH, ZDIRECTORY, ZFILENAME,
           ZUNIFORMTYPEIDENTIFIER, ZUUID) VALUES (?, 3, 4, 0, 0, 1, ?, ?, ?, 0, ?, 3, ?, 0, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      );
      const attributes = db.prepare(
        `INSERT INTO ZADDITIONALASSETATTRIBUTES (Z_PK, Z_ENT, Z_OPT, ZASSET, ZORIGINALFILESIZE, ZORIGINALHEIGHT, ZORIGINALWIDTH,
           ZTIMEZONEOFFSET, ZEXIFTIMESTAMPSTRING, ZORIGINALFILENAME, ZTIMEZONENAME) VALUES (?, 1, 2, ?, ?, ?, ?, 0, ?, ?, 'GMT')`,
      );
      for (const p of all) {
        const created = toAppleSeconds(p.created);
        asset.run(p.pk, p.favorite ? 1 : 0, p.hidden ? 1 : 0, p.kind === 'video' ? 1 : 0, p.kind === 'video' ? 4 : 1,
          p.trashed ? 1 : 0, p.pk, created, created, p.kind === 'video' ? 3.5 : 0, p.latitude ?? NO_LOCATION,
          p.longitude ?? NO_LOCATION, toAppleSeconds(p.modified), p.trashedDate === null ? null : toAppleSeconds(p.trashedDate),
          p.height, p.width, p.directory, p.filename, p.uti, p.uuid);
        const exif = p.created.toISOString().slice(0, 19).replace(/-/g, ':').replace('T', ' ');
        attributes.run(p.pk, p.pk, p.data.length, p.height, p.width, exif, p.originalFilename);
      }
      db.prepare("INSERT INTO ZGENERICALBUM (Z_PK, Z_ENT, Z_OPT, ZKIND, ZTRASHEDSTATE, ZTITLE, ZUUID) VALUES (1, 28, 1, 2, 0, 'Favourites trip', 'A1B2C3D4-0000-4000-8000-0000000000AA')").run();
      const max = all.reduce((m, p) => Math.max(m, p.pk), 0);
      db.prepare("INSERT INTO Z_PRIMARYKEY VALUES (3, 'Asset', 0, ?), (1, 'AdditionalAssetAttributes', 0, ?), (28, 'GenericAlbum', 0, 1)").run(max, max);
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
