import type Database from 'better-sqlite3';
import { toAppleSeconds } from './apple-time.js';
import { buildSqliteImage, type SqliteImage } from './sqlite-image.js';
import type { TruthWhatsAppChat, TruthWhatsAppMessage } from './truth.js';
import { NEWEST_IOS } from './ios-versions.js';

/** WhatsApp keeps its chats in its app group's container; media paths in the database are relative to `Message/` there.
 * */
export const WHATSAPP_DOMAIN = 'AppDomainGroup-group.net.whatsapp.WhatsApp.shared';

/**
 * ChatStorage.sqlite as WhatsApp writes it on iOS 15 (a Core Data store: Z_PK/Z_ENT/Z_OPT, Z_PRIMARYKEY,
 * TIMESTAMP columns as REAL seconds since 2001). The tables and columns are those of a real iOS 15.3.1 phone's
 * file (Josh Hickman's public image, via iLEAPP's test data), cut to the tables message readers use: sessions,
 * messages, media items, group info and members, push names.
 */
export const CHAT_STORAGE_SCHEMA = `
CREATE TABLE ZWACHATSESSION ( Z_PK INTEGER PRIMARY KEY, Z_ENT INTEGER, Z_OPT INTEGER, ZARCHIVED INTEGER, ZCONTACTABID INTEGER, ZFLAGS INTEGER,
  ZHIDDEN INTEGER, ZIDENTITYVERIFICATIONEPOCH INTEGER, ZIDENTITYVERIFICATIONSTATE INTEGER, ZMESSAGECOUNTER INTEGER, ZREMOVED INTEGER,
  ZSESSIONTYPE INTEGER, ZSPOTLIGHTSTATUS INTEGER, ZUNREADCOUNT INTEGER, ZGROUPINFO INTEGER, ZLASTMESSAGE INTEGER, ZPROPERTIES INTEGER,
  ZLASTMESSAGEDATE TIMESTAMP, ZLOCATIONSHARINGENDDATE TIMESTAMP, ZCONTACTIDENTIFIER VARCHAR, ZCONTACTJID VARCHAR, ZETAG VARCHAR,
  ZLASTMESSAGETEXT VARCHAR, ZPARTNERNAME VARCHAR, ZSAVEDINPUT VARCHAR );
CREATE TABLE ZWAMESSAGE ( Z_PK INTEGER PRIMARY KEY, Z_ENT INTEGER, Z_OPT INTEGER, ZCHILDMESSAGESDELIVEREDCOUNT INTEGER,
  ZCHILDMESSAGESPLAYEDCOUNT INTEGER, ZCHILDMESSAGESREADCOUNT INTEGER, ZDATAITEMVERSION INTEGER, ZDOCID INTEGER, ZENCRETRYCOUNT INTEGER,
  ZFILTEREDRECIPIENTCOUNT INTEGER, ZFLAGS INTEGER, ZGROUPEVENTTYPE INTEGER, ZISFROMME INTEGER, ZMESSAGEERRORSTATUS INTEGER,
  ZMESSAGESTATUS INTEGER, ZMESSAGETYPE INTEGER, ZSORT INTEGER, ZSPOTLIGHTSTATUS INTEGER, ZSTARRED INTEGER, ZCHATSESSION INTEGER,
  ZGROUPMEMBER INTEGER, ZLASTSESSION INTEGER, ZMEDIAITEM INTEGER, ZMESSAGEINFO INTEGER, ZPARENTMESSAGE INTEGER, ZMESSAGEDATE TIMESTAMP,
  ZSENTDATE TIMESTAMP, ZFROMJID VARCHAR, ZMEDIASECTIONID VARCHAR, ZPHASH VARCHAR, ZPUSHNAME VARCHAR, ZSTANZAID VARCHAR, ZTEXT VARCHAR,
  ZTOJID VARCHAR );
CREATE TABLE ZWAGROUPMEMBER ( Z_PK INTEGER PRIMARY KEY, Z_ENT INTEGER, Z_OPT INTEGER, ZCONTACTABID INTEGER, ZISACTIVE INTEGER,
  ZISADMIN INTEGER, ZSENDERKEYSENT INTEGER, ZCHATSESSION INTEGER, ZRECENTGROUPCHAT INTEGER, ZCONTACTIDENTIFIER VARCHAR,
  ZCONTACTNAME VARCHAR, ZFIRSTNAME VARCHAR, ZMEMBERJID VARCHAR );
CREATE TABLE ZWAMEDIAITEM ( Z_PK INTEGER PRIMARY KEY, Z_ENT INTEGER, Z_OPT INTEGER, ZCLOUDSTATUS INTEGER, ZFILESIZE INTEGER,
  ZMEDIAORIGIN INTEGER, ZMOVIEDURATION INTEGER, ZMESSAGE INTEGER, ZASPECTRATIO FLOAT, ZHACCURACY FLOAT, ZLATITUDE FLOAT,
  ZLONGITUDE FLOAT, ZMEDIAURLDATE TIMESTAMP, ZAUTHORNAME VARCHAR, ZCOLLECTIONNAME VARCHAR, ZMEDIALOCALPATH VARCHAR, ZMEDIAURL VARCHAR,
  ZTHUMBNAILLOCALPATH VARCHAR, ZTITLE VARCHAR, ZVCARDNAME VARCHAR, ZVCARDSTRING VARCHAR, ZXMPPTHUMBPATH VARCHAR, ZMEDIAKEY BLOB,
  ZMETADATA BLOB );
CREATE TABLE ZWAGROUPINFO ( Z_PK INTEGER PRIMARY KEY, Z_ENT INTEGER, Z_OPT INTEGER, ZSTATE INTEGER, ZCHATSESSION INTEGER,
  ZLASTMESSAGEOWNER INTEGER, ZCREATIONDATE TIMESTAMP, ZSUBJECTTIMESTAMP TIMESTAMP, ZCREATORJID VARCHAR, ZOWNERJID VARCHAR,
  ZPICTUREID VARCHAR, ZPICTUREPATH VARCHAR, ZSOURCEJID VARCHAR, ZSUBJECTOWNERJID VARCHAR );
CREATE TABLE ZWAPROFILEPUSHNAME ( Z_PK INTEGER PRIMARY KEY, Z_ENT INTEGER, Z_OPT INTEGER, ZJID VARCHAR, ZPUSHNAME VARCHAR );
CREATE TABLE Z_PRIMARYKEY (Z_ENT INTEGER PRIMARY KEY, Z_NAME VARCHAR, Z_SUPER INTEGER, Z_MAX INTEGER);
CREATE TABLE Z_METADATA (Z_VERSION INTEGER PRIMARY KEY, Z_UUID VARCHAR(255), Z_PLIST BLOB);
CREATE INDEX ZWAMESSAGE_ZCHATSESSION_INDEX ON ZWAMESSAGE (ZCHATSESSION);
CREATE INDEX ZWAMESSAGE_ZMEDIAITEM_INDEX ON ZWAMESSAGE (ZMEDIAITEM);
CREATE INDEX Z_WAMessage_byMessageDateIndex ON ZWAMESSAGE (ZMESSAGEDATE COLLATE BINARY ASC);
CREATE INDEX Z_WAMessage_byStanzaIDIndex ON ZWAMESSAGE (ZSTANZAID COLLATE BINARY ASC);
CREATE INDEX ZWAMEDIAITEM_ZMESSAGE_INDEX ON ZWAMEDIAITEM (ZMESSAGE);
CREATE INDEX ZWAGROUPMEMBER_ZCHATSESSION_INDEX ON ZWAGROUPMEMBER (ZCHATSESSION);
CREATE INDEX Z_WAChatSession_byContactJIDIndex ON ZWACHATSESSION (ZCONTACTJID COLLATE BINARY ASC);
`;

/**
 * ChatStorage.sqlite of the WhatsApp builds that ran on iOS ≤ 7, before app groups (iOS 8) let it move to the shared
 * container: the same Core Data model less what came later — no ZWAMESSAGE.ZMEDIAITEM (a media item names its message
 * in ZWAMEDIAITEM.ZMESSAGE only), no ZWAMEDIAITEM.ZMETADATA (so no quoted replies), no ZWAPROFILEPUSHNAME table.
 */
export function legacyChatStorageSchema(): string {
  return CHAT_STORAGE_SCHEMA.replace('ZMEDIAITEM INTEGER, ', '')
    .replace(/CREATE INDEX ZWAMESSAGE_ZMEDIAITEM_INDEX [^;]*;\n/, '')
    .replace(/,\s*ZMETADATA BLOB/, '')
    .replace(/CREATE TABLE ZWAPROFILEPUSHNAME [^;]*;\n/, '');
}

/** Where the app kept its database and media before the app group (iOS ≤ 7): its own container's Documents and
 * Library. */
export const WHATSAPP_LEGACY_LOCATION = {
  domain: 'AppDomain-net.whatsapp.WhatsApp',
  relativePath: 'Documents/ChatStorage.sqlite',
  mediaFolder: 'Library',
} as const;

/** Core Data entity numbers of the tables above, as in the real file's Z_PRIMARYKEY. */
const ENTITY = { chatSession: 4, groupInfo: 5, groupMember: 6, mediaItem: 8, message: 9, pushName: 13 } as const;

/** A length-delimited protobuf field (wire type 2): how WhatsApp's ZMETADATA blobs carry strings. */
function protobufString(field: number, value: string): Buffer {
  const data = Buffer.from(value, 'utf8');
  return Buffer.concat([Buffer.from([(field << 3) | 2, data.length]), data]);
}

/** ZMETADATA of a reply: field 5 the quoted message's stanza id, field 6 the quoted sender's JID (as in real files). */
export function replyMetadata(stanzaId: string, senderJid: string): Buffer {
  return Buffer.concat([protobufString(5, stanzaId), protobufString(6, senderJid)]);
}

export interface ChatStorageContent {
  chats: TruthWhatsAppChat[];
  messages: TruthWhatsAppMessage[];
  /** Deleted from the phone ("delete for me"): written, then deleted, left in free space. */
  deleted: TruthWhatsAppMessage[];
}

export function buildChatStorageDb(content: ChatStorageContent, iosVersion: number = NEWEST_IOS): SqliteImage {
  const legacy = iosVersion <= 7;
  const all = [...content.messages, ...content.deleted].sort((a, b) => a.pk - b.pk);
  const byStanza = new Map(all.map((m) => [m.stanzaId, m]));
  // A quoted text reply has a media item of its own that holds only the ZMETADATA naming the quoted message.
  let mediaRows = Math.max(0, ...all.map((m) => m.media?.pk ?? 0));
  const replyMedia = new Map(
    legacy ? [] : all.filter((m) => m.media === null && m.replyToStanzaId !== null).map((m) => [m.pk, ++mediaRows]),
  );
  const insertMessages = (db: Database.Database, messages: TruthWhatsAppMessage[]): void => {
    // The legacy file has no ZWAMESSAGE.ZMEDIAITEM nor ZWAMEDIAITEM.ZMETADATA: neither column nor value is written.
    const message = db.prepare(
      `INSERT INTO ZWAMESSAGE (Z_PK, Z_ENT, Z_OPT, ZFLAGS, ZGROUPEVENTTYPE, ZISFROMME, ZMESSAGEERRORSTATUS, ZMESSAGESTATUS, ZMESSAGETYPE, ZSORT,
         ZSPOTLIGHTSTATUS, ZSTARRED, ZCHATSESSION, ZGROUPMEMBER${legacy ? '' : ', ZMEDIAITEM'}, ZMESSAGEDATE, ZSENTDATE, ZFROMJID, ZSTANZAID, ZTEXT, ZTOJID)
       VALUES (?, ${ENTITY.message}, 3, 16777216, ?, ?, 0, ?, ?, ?, 8, ?, ?, ?${legacy ? '' : ', ?'}, ?, ?, ?, ?, ?, ?)`,
    );
    const media = db.prepare(
      `INSERT INTO ZWAMEDIAITEM (Z_PK, Z_ENT, Z_OPT, ZCLOUDSTATUS, ZFILESIZE, ZMEDIAORIGIN, ZMOVIEDURATION, ZMESSAGE, ZASPECTRATIO, ZHACCURACY,
         ZLATITUDE, ZLONGITUDE, ZMEDIALOCALPATH, ZTITLE, ZVCARDNAME, ZVCARDSTRING${legacy ? '' : ', ZMETADATA'})
       VALUES (?, ${ENTITY.mediaItem}, 2, ?, ?, 0, ?, ?, 0.0, 0.0, ?, ?, ?, ?, ?, ?${legacy ? '' : ', ?'})`,
    );
    for (const m of messages) {
      const chat = content.chats.find((c) => c.pk === m.chatPk);
      const memberPk = m.isFromMe ? null : (chat?.members.find((g) => g.jid === m.senderJid)?.pk ?? null);
      const quoted = m.replyToStanzaId === null ? undefined : byStanza.get(m.replyToStanzaId);
      const metadata =
        quoted === undefined ? null : replyMetadata(quoted.stanzaId, quoted.senderJid ?? quoted.toJid ?? '');
      const mediaPk = m.media?.pk ?? replyMedia.get(m.pk) ?? null;
      message.run(
        m.pk,
        m.groupEventType,
        m.isFromMe ? 1 : 0,
        m.isFromMe ? 8 : 0,
        m.messageType,
        m.pk,
        m.starred ? 1 : 0,
        m.chatPk,
        memberPk,
        ...(legacy ? [] : [mediaPk]),
        toAppleSeconds(m.date),
        m.sentDate === null ? null : toAppleSeconds(m.sentDate),
        m.fromJid,
        m.stanzaId,
        m.text,
        m.toJid,
      );
      const d = m.media;
      // Media rows name the file's MIME type in ZVCARDSTRING; contact cards keep the vCard itself there.
      if (d !== null) {
        media.run(
          d.pk,
          d.data === null ? 0 : 4,
          d.fileSize ?? 0,
          d.durationSeconds ?? 0,
          m.pk,
          d.latitude ?? 0,
          d.longitude ?? 0,
          d.localPath,
          d.title,
          d.vcardName,
          d.vcard ?? d.mimeType,
          ...(legacy ? [] : [metadata]),
        );
      } else if (mediaPk !== null && !legacy) {
        media.run(mediaPk, null, 0, 0, m.pk, 0, 0, null, null, null, null, metadata);
      }
    }
  };
  return buildSqliteImage({
    schema: legacy ? legacyChatStorageSchema() : CHAT_STORAGE_SCHEMA,
    fill(db) {
      const session = db.prepare(
        `INSERT INTO ZWACHATSESSION (Z_PK, Z_ENT, Z_OPT, ZARCHIVED, ZFLAGS, ZHIDDEN, ZMESSAGECOUNTER, ZREMOVED, ZSESSIONTYPE, ZSPOTLIGHTSTATUS,
           ZUNREADCOUNT, ZGROUPINFO, ZLASTMESSAGEDATE, ZCONTACTJID, ZPARTNERNAME) VALUES (?, ${ENTITY.chatSession}, 5, ?, 0, 0, ?, 0, ?, 8, 0, ?, ?, ?, ?)`,
      );
      const groupInfo = db.prepare(
        `INSERT INTO ZWAGROUPINFO (Z_PK, Z_ENT, Z_OPT, ZSTATE, ZCHATSESSION, ZCREATIONDATE, ZSUBJECTTIMESTAMP, ZCREATORJID, ZSUBJECTOWNERJID)
         VALUES (?, ${ENTITY.groupInfo}, 3, 0, ?, ?, ?, ?, ?)`,
      );
      const member = db.prepare(
        `INSERT INTO ZWAGROUPMEMBER (Z_PK, Z_ENT, Z_OPT, ZCONTACTABID, ZISACTIVE, ZISADMIN, ZCHATSESSION, ZCONTACTNAME, ZMEMBERJID)
         VALUES (?, ${ENTITY.groupMember}, 3, 0, 1, ?, ?, ?, ?)`,
      );
      const pushName = legacy
        ? undefined
        : db.prepare(
            `INSERT INTO ZWAPROFILEPUSHNAME (Z_PK, Z_ENT, Z_OPT, ZJID, ZPUSHNAME) VALUES (?, ${ENTITY.pushName}, 1, ?, ?)`,
          );
      const pushed = new Map<string, string>();
      let groups = 0;
      for (const c of content.chats) {
        const own = content.messages.filter((m) => m.chatPk === c.pk);
        const last = own.reduce<Date | null>(
          (latest, m) => (latest === null || m.date > latest ? m.date : latest),
          null,
        );
        const info = c.isGroup ? ++groups : null;
        session.run(
          c.pk,
          c.archived ? 1 : 0,
          own.length,
          c.isGroup ? 1 : 0,
          info,
          last === null ? null : toAppleSeconds(last),
          c.jid,
          c.name,
        );
        if (info === null) continue;
        const creator = c.members.find((m) => m.isAdmin)?.jid ?? null;
        groupInfo.run(
          info,
          c.pk,
          c.created === null ? null : toAppleSeconds(c.created),
          c.created === null ? null : toAppleSeconds(c.created),
          creator,
          creator,
        );
        for (const m of c.members) {
          member.run(m.pk, m.isAdmin ? 1 : 0, c.pk, m.contactName, m.jid);
          if (m.pushName !== null) pushed.set(m.jid, m.pushName);
        }
      }
      let pushPk = 0;
      if (pushName) for (const [jid, name] of pushed) pushName.run(++pushPk, jid, name);
      insertMessages(
        db,
        all.filter((m) => !m.inWal),
      );
      const maxMember = Math.max(0, ...content.chats.flatMap((c) => c.members.map((m) => m.pk)));
      db.prepare('INSERT INTO Z_PRIMARYKEY VALUES (?, ?, 0, ?)').run(
        ENTITY.chatSession,
        'WAChatSession',
        content.chats.length,
      );
      db.prepare('INSERT INTO Z_PRIMARYKEY VALUES (?, ?, 0, ?)').run(ENTITY.groupInfo, 'WAGroupInfo', groups);
      db.prepare('INSERT INTO Z_PRIMARYKEY VALUES (?, ?, 0, ?)').run(ENTITY.groupMember, 'WAGroupMember', maxMember);
      db.prepare('INSERT INTO Z_PRIMARYKEY VALUES (?, ?, 0, ?)').run(ENTITY.mediaItem, 'WAMediaItem', mediaRows);
      db.prepare('INSERT INTO Z_PRIMARYKEY VALUES (?, ?, 0, ?)').run(ENTITY.message, 'WAMessage', all.length);
      if (pushName)
        db.prepare('INSERT INTO Z_PRIMARYKEY VALUES (?, ?, 0, ?)').run(ENTITY.pushName, 'WAProfilePushName', pushPk);
    },
    remove(db) {
      const message = db.prepare('DELETE FROM ZWAMESSAGE WHERE Z_PK = ?');
      for (const m of content.deleted) message.run(m.pk);
    },
    tail(db) {
      insertMessages(
        db,
        all.filter((m) => m.inWal),
      );
    },
  });
}
