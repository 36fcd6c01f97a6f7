import type Database from 'better-sqlite3';
import { unsupportedSchema } from '../unsupported-schema.js';
import { fromAppleSeconds } from '../apple-time.js';
import { carvedRows } from '../carved-rows.js';
import { protobufBytes } from '../protobuf.js';
import type {
  WhatsAppChatRecord,
  WhatsAppMediaRecord,
  WhatsAppMessageKind,
  WhatsAppMessageRecord,
} from '../records.js';
import { column, hasTable, tableColumns } from '../schema.js';

/**
 * Reading WhatsApp's ChatStorage.sqlite (a Core Data store; TIMESTAMP columns are REAL seconds since 2001).
 * Facts relied on, from iLEAPP's whatsApp module, MVT's whatsapp module, WhatsApp-Chat-Exporter's iOS handler and
 * the two real files in the test corpus: messages are ZWAMESSAGE rows in a ZWACHATSESSION (ZSESSIONTYPE 1 or a
 * `@g.us` JID for groups); a group message's author is the ZWAGROUPMEMBER row in ZGROUPMEMBER; media, locations
 * and contact cards are the ZWAMEDIAITEM row in ZMEDIAITEM (or, in files without that column, the row whose
 * ZMESSAGE points back); ZMEDIALOCALPATH is relative to the container's `Message/` folder; media rows keep the MIME
 * type in ZVCARDSTRING, contact cards the vCard there and the name in ZVCARDNAME; ZMESSAGETYPE 14 is a message
 * deleted for everyone. Every column is optional: a hand-made or older file reads as far as it goes.
 */

/** Where backups hold the database: the app group in current versions; the app's own Documents in early ones (media
 * under Library/), as older exporters read it. */
export const CHAT_STORAGE = [
  {
    domain: 'AppDomainGroup-group.net.whatsapp.WhatsApp.shared',
    relativePath: 'ChatStorage.sqlite',
    mediaFolder: 'Message',
  },
  { domain: 'AppDomain-net.whatsapp.WhatsApp', relativePath: 'Documents/ChatStorage.sqlite', mediaFolder: 'Library' },
] as const;

const KINDS: Record<number, WhatsAppMessageKind> = {
  0: 'text',
  1: 'image',
  2: 'video',
  3: 'audio',
  4: 'contact',
  5: 'location',
  6: 'group-event',
  7: 'link',
  8: 'document',
  10: 'system',
  11: 'gif',
  14: 'deleted',
  15: 'sticker',
  38: 'image',
  39: 'video',
  59: 'call',
  66: 'call',
};

export function whatsAppKind(messageType: number | null): WhatsAppMessageKind {
  return messageType === null ? 'text' : (KINDS[messageType] ?? 'other');
}

export type WhatsAppChatRow = Omit<WhatsAppChatRecord, 'folder' | 'messageCount'>;

interface MemberRow {
  jid: string;
  /** ZCONTACTNAME, else ZFIRSTNAME: the member as saved in the owner's address book. */
  savedName: string | null;
}

function text(value: unknown): string | null {
  return typeof value === 'string' && value !== '' ? value : null;
}

function numberOrNull(value: unknown): number | null {
  return value === null || value === undefined ? null : Number(value);
}

function iso(value: unknown): string | null {
  return fromAppleSeconds(value)?.toISOString() ?? null;
}

/** `+<digits>` for a phone JID, the part before `@` for other ids (`@lid`, broadcast lists). */
export function jidLabel(jid: string): string {
  const user = jid.split('@')[0] ?? jid;
  return jid.endsWith('@s.whatsapp.net') && /^\d+$/.test(user) ? `+${user}` : user;
}

const PHONE_LIKE = /^[+\d\s().\-\u00a0]+$/;

/** Chat sessions with their group's creation and members, by Z_PK. */
export function readWhatsAppChats(db: Database.Database): Map<number, WhatsAppChatRow> {
  const chats = new Map<number, WhatsAppChatRow>();
  const cols = tableColumns(db, 'ZWACHATSESSION');
  if (cols.size === 0) return chats;
  const info = tableColumns(db, 'ZWAGROUPINFO');
  const joinInfo = cols.has('ZGROUPINFO') && info.has('Z_PK');
  const sql = `SELECT s.Z_PK AS id, ${['ZCONTACTJID', 'ZPARTNERNAME', 'ZSESSIONTYPE', 'ZARCHIVED', 'ZLASTMESSAGEDATE'].map((n) => column(cols, 's', n)).join(', ')},
      ${joinInfo ? `${column(info, 'g', 'ZCREATIONDATE')}, ${column(info, 'g', 'ZCREATORJID')}` : 'NULL AS ZCREATIONDATE, NULL AS ZCREATORJID'}
    FROM ZWACHATSESSION s ${joinInfo ? 'LEFT JOIN ZWAGROUPINFO g ON g.Z_PK = s.ZGROUPINFO' : ''} ORDER BY s.Z_PK`;
  for (const r of db.prepare(sql).all() as Array<Record<string, unknown>>) {
    const jid = text(r.ZCONTACTJID);
    chats.set(Number(r.id), {
      id: Number(r.id),
      jid,
      name: text(r.ZPARTNERNAME),
      isGroup: Number(r.ZSESSIONTYPE) === 1 || (jid?.endsWith('@g.us') ?? false),
      archived: Number(r.ZARCHIVED) === 1,
      lastMessageDate: iso(r.ZLASTMESSAGEDATE),
      groupCreated: iso(r.ZCREATIONDATE),
      groupCreator: text(r.ZCREATORJID),
      members: [],
    });
  }
  return chats;
}

/**
 * Who wrote a message, as the phone names them. Group members by their ZWAGROUPMEMBER row (address-book name),
 * else the name they gave themselves (ZWAPROFILEPUSHNAME), else a one-to-one chat's name that is not just a number,
 * else their number; one-to-one messages by the chat's name.
 */
export class WhatsAppNames {
  private readonly members = new Map<number, MemberRow>();
  private readonly pushNames = new Map<string, string>();
  private readonly partnerNames = new Map<string, string>();

  constructor(
    db: Database.Database,
    private readonly chats: Map<number, WhatsAppChatRow>,
  ) {
    const cols = tableColumns(db, 'ZWAGROUPMEMBER');
    if (cols.size > 0) {
      const sql = `SELECT m.Z_PK AS id, ${['ZCHATSESSION', 'ZMEMBERJID', 'ZCONTACTNAME', 'ZFIRSTNAME', 'ZISADMIN', 'ZISACTIVE'].map((n) => column(cols, 'm', n)).join(', ')} FROM ZWAGROUPMEMBER m ORDER BY m.Z_PK`;
      for (const r of db.prepare(sql).all() as Array<Record<string, unknown>>) {
        const jid = text(r.ZMEMBERJID);
        if (jid === null) continue;
        const member = { jid, savedName: text(r.ZCONTACTNAME) ?? text(r.ZFIRSTNAME) };
        this.members.set(Number(r.id), member);
        chats.get(Number(r.ZCHATSESSION))?.members.push({
          jid,
          name: null,
          isAdmin: Number(r.ZISADMIN) === 1,
          isActive: r.ZISACTIVE === null || Number(r.ZISACTIVE) === 1,
        });
      }
    }
    const push = tableColumns(db, 'ZWAPROFILEPUSHNAME');
    if (push.has('ZJID') && push.has('ZPUSHNAME')) {
      for (const r of db.prepare('SELECT ZJID, ZPUSHNAME FROM ZWAPROFILEPUSHNAME').all() as Array<
        Record<string, unknown>
      >) {
        if (text(r.ZJID) && text(r.ZPUSHNAME)) this.pushNames.set(r.ZJID as string, r.ZPUSHNAME as string);
      }
    }
    for (const chat of chats.values())
      if (!chat.isGroup && chat.jid && chat.name) this.partnerNames.set(chat.jid, chat.name);
    const saved = new Map([...this.members.values()].filter((m) => m.savedName).map((m) => [m.jid, m.savedName!]));
    for (const chat of chats.values()) for (const m of chat.members) m.name = saved.get(m.jid) ?? this.nameOf(m.jid);
  }

  nameOf(jid: string): string {
    const partner = this.partnerNames.get(jid);
    if (partner && !PHONE_LIKE.test(partner)) return partner;
    return this.pushNames.get(jid) ?? partner ?? jidLabel(jid);
  }

  sender(
    chatId: number | null,
    isFromMe: boolean,
    memberId: number | null,
    fromJid: string | null,
  ): { jid: string | null; name: string | null } {
    if (isFromMe) return { jid: null, name: null };
    const chat = chatId === null ? undefined : this.chats.get(chatId);
    if (chat?.isGroup || fromJid?.endsWith('@g.us')) {
      const member = memberId === null ? undefined : this.members.get(memberId);
      // A group's own JID in ZFROMJID (group events, notices) names no person.
      const jid = member?.jid ?? (fromJid && fromJid !== chat?.jid && !fromJid.endsWith('@g.us') ? fromJid : null);
      return { jid, name: member?.savedName ?? (jid === null ? null : this.nameOf(jid)) };
    }
    const jid = fromJid ?? chat?.jid ?? null;
    return { jid, name: chat?.name ?? (jid === null ? null : this.nameOf(jid)) };
  }
}

const MESSAGE_COLUMNS = [
  'ZCHATSESSION',
  'ZISFROMME',
  'ZFROMJID',
  'ZTOJID',
  'ZTEXT',
  'ZMESSAGEDATE',
  'ZSENTDATE',
  'ZMESSAGETYPE',
  'ZGROUPEVENTTYPE',
  'ZGROUPMEMBER',
  'ZSTANZAID',
  'ZSTARRED',
];
const MEDIA_COLUMNS = [
  'ZMEDIALOCALPATH',
  'ZTITLE',
  'ZFILESIZE',
  'ZMOVIEDURATION',
  'ZLATITUDE',
  'ZLONGITUDE',
  'ZVCARDNAME',
  'ZVCARDSTRING',
  'ZMETADATA',
];
const MIME_TYPE = /^[\w.+-]+\/[\w.+-]+(\s*;.*)?$/;

function mediaRecord(r: Record<string, unknown>, kind: WhatsAppMessageKind): WhatsAppMediaRecord | null {
  if (r.mediaId === null || r.mediaId === undefined) return null;
  const stored = text(r.ZVCARDSTRING);
  const isCard = kind === 'contact' || (stored?.startsWith('BEGIN:VCARD') ?? false);
  const isPlace = kind === 'location';
  const media: WhatsAppMediaRecord = {
    id: Number(r.mediaId),
    localPath: text(r.ZMEDIALOCALPATH),
    title: text(r.ZTITLE),
    mimeType: !isCard && stored !== null && !stored.includes('\n') && MIME_TYPE.test(stored) ? stored : null,
    bytes: r.ZFILESIZE === null || r.ZFILESIZE === undefined || Number(r.ZFILESIZE) === 0 ? null : Number(r.ZFILESIZE),
    durationSeconds:
      r.ZMOVIEDURATION === null || r.ZMOVIEDURATION === undefined || Number(r.ZMOVIEDURATION) === 0
        ? null
        : Number(r.ZMOVIEDURATION),
    latitude: isPlace ? numberOrNull(r.ZLATITUDE) : null,
    longitude: isPlace ? numberOrNull(r.ZLONGITUDE) : null,
    // For photos and videos ZVCARDNAME holds a hash of the file, not a name.
    vcardName: isCard ? text(r.ZVCARDNAME) : null,
    vcard: isCard ? stored : null,
    file: null,
  };
  // A text reply's media row carries only the quote's ZMETADATA: nothing to show as media.
  const empty =
    media.localPath === null &&
    media.title === null &&
    media.mimeType === null &&
    media.vcard === null &&
    media.vcardName === null &&
    media.latitude === null;
  return empty ? null : media;
}

function messageRecord(
  r: Record<string, unknown>,
  id: number,
  origin: WhatsAppMessageRecord['origin'],
  names: WhatsAppNames,
): WhatsAppMessageRecord {
  const messageType = numberOrNull(r.ZMESSAGETYPE);
  const kind = whatsAppKind(messageType);
  const chatId = numberOrNull(r.ZCHATSESSION);
  const isFromMe = Number(r.ZISFROMME) === 1;
  const sender = names.sender(chatId, isFromMe, numberOrNull(r.ZGROUPMEMBER), text(r.ZFROMJID));
  const quoted = Buffer.isBuffer(r.ZMETADATA) ? protobufBytes(r.ZMETADATA, 5) : null;
  return {
    origin,
    id,
    stanzaId: text(r.ZSTANZAID),
    chatId,
    kind,
    messageType,
    groupEventType: numberOrNull(r.ZGROUPEVENTTYPE),
    text: typeof r.ZTEXT === 'string' ? r.ZTEXT : null,
    date: iso(r.ZMESSAGEDATE),
    sentDate: iso(r.ZSENTDATE),
    isFromMe,
    fromJid: text(r.ZFROMJID),
    toJid: text(r.ZTOJID),
    senderJid: sender.jid,
    senderName: sender.name,
    starred: Number(r.ZSTARRED) === 1,
    deletedForEveryone: kind === 'deleted',
    replyToStanzaId: quoted === null || quoted.length === 0 ? null : quoted.toString('utf8'),
    media: mediaRecord(r, kind),
  };
}

/** Every message with its media row, by chat session and then date: one pass writes each conversation in full. */
export function* readWhatsAppMessages(db: Database.Database, names: WhatsAppNames): Generator<WhatsAppMessageRecord> {
  const cols = tableColumns(db, 'ZWAMESSAGE');
  if (cols.size === 0) throw unsupportedSchema(db, 'ChatStorage.sqlite', 'ZWAMESSAGE table');
  const media = tableColumns(db, 'ZWAMEDIAITEM');
  const join = !media.has('Z_PK')
    ? ''
    : cols.has('ZMEDIAITEM')
      ? 'LEFT JOIN ZWAMEDIAITEM mi ON mi.Z_PK = m.ZMEDIAITEM'
      : media.has('ZMESSAGE')
        ? 'LEFT JOIN ZWAMEDIAITEM mi ON mi.ZMESSAGE = m.Z_PK'
        : '';
  const sql = `SELECT m.Z_PK AS id, ${MESSAGE_COLUMNS.map((n) => column(cols, 'm', n)).join(', ')},
      ${join ? `mi.Z_PK AS mediaId, ${MEDIA_COLUMNS.map((n) => column(media, 'mi', n)).join(', ')}` : `NULL AS mediaId, ${MEDIA_COLUMNS.map((n) => `NULL AS ${n}`).join(', ')}`}
    FROM ZWAMESSAGE m ${join}
    ORDER BY ZCHATSESSION IS NULL, ZCHATSESSION, ZMESSAGEDATE, id`;
  for (const r of db.prepare(sql).iterate() as IterableIterator<Record<string, unknown>>)
    yield messageRecord(r, Number(r.id), 'live', names);
}

/**
 * ZWAMESSAGE rows deleted from the phone whose bytes the carver finds in ChatStorage.sqlite's free space, -wal or
 * journal. A row whose Z_PK or stanza id is live is skipped, each once; a row needs a date and a stanza id or text.
 * Their media rows are gone with them; their chat (ZCHATSESSION) and author usually are not.
 */
export async function* readRecoveredWhatsAppMessages(
  path: string,
  db: Database.Database,
  names: WhatsAppNames,
): AsyncGenerator<WhatsAppMessageRecord> {
  if (!hasTable(db, 'ZWAMESSAGE')) return;
  const liveId = db.prepare('SELECT 1 FROM ZWAMESSAGE WHERE Z_PK = ?');
  const liveStanza = tableColumns(db, 'ZWAMESSAGE').has('ZSTANZAID')
    ? db.prepare('SELECT 1 FROM ZWAMESSAGE WHERE ZSTANZAID = ?')
    : undefined;
  const seen = new Set<string>();
  for await (const { row, rowid } of carvedRows(path, 'ZWAMESSAGE')) {
    const message = messageRecord({ ...row, mediaId: null }, rowid ?? -1, 'recovered', names);
    if (message.date === null || (message.stanzaId === null && message.text === null)) continue;
    const key = message.stanzaId ?? `${message.date}:${message.text}`;
    if (
      seen.has(key) ||
      (rowid !== undefined && liveId.get(rowid) !== undefined) ||
      (message.stanzaId !== null && liveStanza?.get(message.stanzaId) !== undefined)
    )
      continue;
    seen.add(key);
    yield message;
  }
}
