import { extname } from 'node:path';
import { Readable } from 'node:stream';
import type Database from 'better-sqlite3';
import type { BackupFileEntry, BackupReader } from '../../backup/index.js';
import { fromAppleSeconds } from '../apple-time.js';
import { readable } from '../copy-entry.js';
import { csvRow } from '../exporters/csv.js';
import { dateFlag } from '../date-check.js';
import { CONVERSATION_HTML_TAIL, conversationHtmlHead } from '../exporters/messages-html.js';
import { TextSink } from '../exporters/text-sink.js';
import { whatsAppMessageHtml } from '../exporters/whatsapp-html.js';
import { defineExtractor, inRange, source, type ExtractContext } from '../extractor.js';
import type { WhatsAppChatRecord, WhatsAppMessageRecord } from '../records.js';
import { deletedByCoreDataMax, hasTable, tableColumns } from '../schema.js';
import {
  CHAT_STORAGE,
  jidLabel,
  readRecoveredWhatsAppMessages,
  readWhatsAppChats,
  readWhatsAppMessages,
  WhatsAppNames,
  type WhatsAppChatRow,
} from './whatsapp-db.js';
import { whatsappSection } from '../report/sections/whatsapp.js';

type ChatStorageLocation = (typeof CHAT_STORAGE)[number];

/** The backup entry of a media file: ZMEDIALOCALPATH under the container's media folder (an absolute path is cut
 * there). */
function mediaEntry(
  reader: BackupReader,
  location: ChatStorageLocation,
  localPath: string,
): BackupFileEntry | undefined {
  const marker = `/${location.mediaFolder}/`;
  const at = localPath.indexOf(marker);
  const relative = localPath.startsWith('/')
    ? at >= 0
      ? localPath.slice(at + marker.length)
      : localPath.replace(/^\/+/, '')
    : localPath;
  for (const candidate of [`${location.mediaFolder}/${relative}`, relative]) {
    const entry = reader.get(location.domain, candidate);
    if (entry?.kind === 'file') return entry;
  }
  return undefined;
}

/** The copied file's name: a document's own name (ZTITLE, with the stored file's extension when it lacks one), else the
 * stored name. */
function exportName(message: WhatsAppMessageRecord): string {
  const media = message.media!;
  const stored = media.localPath === null ? message.kind : media.localPath.slice(media.localPath.lastIndexOf('/') + 1);
  if (message.kind !== 'document' || media.title === null) return stored;
  const extension = extname(stored);
  return extension === '' || media.title.toLowerCase().endsWith(extension.toLowerCase())
    ? media.title
    : `${media.title}${extension}`;
}

interface OpenChat {
  chat: WhatsAppChatRecord;
  json: TextSink;
  html: TextSink;
  /** Stanza id → message id of what this page already holds, for reply links. */
  written: Map<string, number>;
}

const RECOVERED_CHAT: WhatsAppChatRow = {
  id: 0,
  jid: null,
  name: 'Recovered deleted messages',
  isGroup: false,
  archived: false,
  lastMessageDate: null,
  groupCreated: null,
  groupCreator: null,
  members: [],
};

const CSV_HEADER = [
  'id',
  'chat',
  'date',
  'from_me',
  'sender_jid',
  'sender_name',
  'kind',
  'text',
  'media_file',
  'latitude',
  'longitude',
  'deleted_for_everyone',
  'starred',
  'origin',
  'stanza_id',
  'date_unclear',
];

class ChatExport {
  records = 0;
  files = 0;
  missingMedia: string[] = [];
  private current: OpenChat | undefined;
  private readonly index: WhatsAppChatRecord[] = [];
  private readonly indexPath: string;
  private readonly csvPath: string;
  private csv!: TextSink;

  constructor(
    private readonly context: ExtractContext,
    private readonly location: ChatStorageLocation,
    private readonly chats: Map<number, WhatsAppChatRow>,
    private readonly recovered: Map<number, WhatsAppMessageRecord[]>,
  ) {
    // Reserved first, so no chat folder can take these names.
    this.indexPath = context.out.uniquePath('whatsapp', 'chats.json');
    this.csvPath = context.out.uniquePath('whatsapp', 'messages.csv');
  }

  async start(): Promise<void> {
    this.csv = new TextSink(await this.context.out.absolute(this.csvPath));
    await this.csv.write(csvRow(CSV_HEADER));
  }

  /** A live message, after the recovered ones of its chat that are older. */
  async add(message: WhatsAppMessageRecord): Promise<void> {
    const chatId = message.chatId ?? -1;
    if (this.current?.chat.id !== chatId) {
      await this.closeChat();
      this.current = await this.openChat(chatId);
    }
    if (message.date !== null) await this.flushRecovered(chatId, message.date);
    await this.write(message);
  }

  async finish(): Promise<{ records: number; files: number }> {
    await this.closeChat();
    // Chats with recovered messages only (in range), the recovered ones whose chat is gone last.
    for (const chatId of [...this.recovered.keys()].sort((a, b) => (a === 0 ? 1 : b === 0 ? -1 : a - b))) {
      this.current = await this.openChat(chatId);
      await this.closeChat();
    }
    await this.csv.close();
    await this.context.out.writeFile(this.indexPath, `${JSON.stringify(this.index, null, 2)}\n`);
    return { records: this.records, files: this.files + 2 };
  }

  private async openChat(chatId: number): Promise<OpenChat> {
    const { out } = this.context;
    const row =
      this.chats.get(chatId) ?? (chatId === 0 ? RECOVERED_CHAT : { ...RECOVERED_CHAT, id: chatId, name: null });
    const label =
      row.name || (row.jid ? jidLabel(row.jid) : '') || (chatId < 0 ? 'Messages without a chat' : `chat ${chatId}`);
    const chat: WhatsAppChatRecord = { ...row, folder: out.uniquePath('whatsapp', label), messageCount: 0 };
    const json = new TextSink(await out.absolute(`${chat.folder}/conversation.json`));
    const html = new TextSink(await out.absolute(`${chat.folder}/conversation.html`));
    await json.write(`{\n"chat": ${JSON.stringify({ ...chat, messageCount: undefined })},\n"messages": [`);
    const participants = row.isGroup
      ? row.members.map((m) => ({ handle: m.jid, name: m.name }))
      : row.jid
        ? [{ handle: row.jid, name: row.name }]
        : [];
    await html.write(
      conversationHtmlHead({ displayName: label, identifier: row.jid, participants, service: 'WhatsApp' }),
    );
    this.index.push(chat);
    this.files += 2;
    return { chat, json, html, written: new Map() };
  }

  private async closeChat(): Promise<void> {
    const c = this.current;
    if (c === undefined) return;
    await this.flushRecovered(c.chat.id, null);
    this.current = undefined;
    await c.json.write(c.chat.messageCount === 0 ? ']\n}\n' : '\n]\n}\n');
    await c.html.write(CONVERSATION_HTML_TAIL);
    await c.json.close();
    await c.html.close();
  }

  private async flushRecovered(chatId: number, before: string | null): Promise<void> {
    const pending = this.recovered.get(chatId);
    while (pending && pending.length > 0 && (before === null || pending[0]!.date! < before))
      await this.write(pending.shift()!);
    if (pending?.length === 0) this.recovered.delete(chatId);
  }

  private async write(message: WhatsAppMessageRecord): Promise<void> {
    const c = this.current!;
    Object.assign(message, dateFlag(message.date, message.sentDate));
    this.context.signal?.throwIfAborted();
    await this.copyMedia(c.chat.folder, message);
    const page = `${c.chat.folder}/conversation.html`;
    await c.json.write(`${c.chat.messageCount === 0 ? '' : ','}\n${JSON.stringify(message)}`);
    const quoted = message.replyToStanzaId === null ? undefined : c.written.get(message.replyToStanzaId);
    await c.html.write(whatsAppMessageHtml(message, (file) => this.context.out.relativeTo(page, file), quoted));
    if (message.stanzaId !== null) c.written.set(message.stanzaId, message.id);
    c.chat.messageCount++;
    const media = message.media;
    await this.csv.write(
      csvRow([
        message.id,
        c.chat.folder.slice('whatsapp/'.length),
        message.date,
        message.isFromMe,
        message.senderJid,
        message.senderName,
        message.kind,
        message.text,
        media?.file ?? null,
        media?.latitude ?? null,
        media?.longitude ?? null,
        message.deletedForEveryone,
        message.starred,
        message.origin,
        message.stanzaId,
        message.dateSuspect ?? false,
      ]),
    );
    this.records++;
  }

  /** Copies the message's media file beside its conversation (mtime = the message's date); a contact card becomes a
   * .vcf. */
  private async copyMedia(folder: string, message: WhatsAppMessageRecord): Promise<void> {
    const media = message.media;
    if (media === null) return;
    const { out, reader } = this.context;
    const mtime = message.date === null ? undefined : new Date(message.date);
    if (media.vcard !== null) {
      media.file = out.uniquePath(`${folder}/media`, `${message.id}-${media.vcardName ?? 'contact'}.vcf`);
      await out.writeStream(media.file, Readable.from([Buffer.from(media.vcard, 'utf8')]), mtime);
      this.files++;
      return;
    }
    if (media.localPath === null) return;
    const entry = mediaEntry(reader, this.location, media.localPath);
    if (entry === undefined) {
      this.missingMedia.push(media.localPath);
      return;
    }
    if (!readable(this.context, entry)) return;
    media.file = out.uniquePath(`${folder}/media`, `${message.id}-${exportName(message)}`);
    await out.writeStream(media.file, await reader.openFile(entry), mtime);
    this.files++;
  }
}

async function exportWhatsApp(
  context: ExtractContext,
  db: Database.Database,
  path: string,
  location: ChatStorageLocation,
): Promise<{ records: number; files: number }> {
  const chats = readWhatsAppChats(db);
  const names = new WhatsAppNames(db, chats);
  // Deleted rows the carver finds join their own chat at their date, so they read in context; 0 = chat gone too.
  const recovered = new Map<number, WhatsAppMessageRecord[]>();
  for await (const message of readRecoveredWhatsAppMessages(path, db, names)) {
    if (!inRange(context.range, message.date)) continue;
    const chatId = message.chatId !== null && chats.has(message.chatId) ? message.chatId : 0;
    const list = recovered.get(chatId) ?? [];
    list.push(message);
    recovered.set(chatId, list);
  }
  for (const list of recovered.values()) list.sort((a, b) => a.date!.localeCompare(b.date!));
  const exporter = new ChatExport(context, location, chats, recovered);
  await exporter.start();
  for (const message of readWhatsAppMessages(db, names))
    if (inRange(context.range, message.date)) await exporter.add(message);
  const done = await exporter.finish();
  if (exporter.missingMedia.length > 0) {
    context.warn(
      `${exporter.missingMedia.length} WhatsApp media file(s) named in ChatStorage.sqlite are not in the backup (never downloaded on the phone, or removed), e.g. ${exporter.missingMedia[0]}`,
    );
  }
  return done;
}

export const whatsappExtractor = defineExtractor({
  type: 'whatsapp',
  label: 'WhatsApp',
  saves: 'WhatsApp chats (HTML/JSON/CSV with their media)',
  // Where WhatsApp (an app, not iOS) keeps its files depends on its own version: the app group now, Documents early on.
  sources: CHAT_STORAGE.flatMap((l) => [
    source(l, 'any'),
    { domain: l.domain, path: `${l.mediaFolder}/**`, ios: 'any' },
  ]),
  outputs: [
    'chats.json',
    'messages.csv',
    '<chat>/conversation.json',
    '<chat>/conversation.html',
    '<chat>/media/<id>-<name>',
  ],
  records: ['WhatsAppMessageRecord', 'WhatsAppChatRecord'],
  section: whatsappSection,

  async scan({ reader, work }) {
    for (const location of CHAT_STORAGE) {
      const opened = await work.openDatabase(reader, location.domain, location.relativePath);
      if (opened === undefined) continue;
      const db = opened.db;
      if (!hasTable(db, 'ZWAMESSAGE'))
        return { count: 0, recentlyDeleted: null, purged: null, firstDate: null, lastDate: null, bytes: opened.bytes };
      const date = tableColumns(db, 'ZWAMESSAGE').has('ZMESSAGEDATE') ? 'ZMESSAGEDATE' : 'NULL';
      const row = db
        .prepare(`SELECT count(*) AS n, min(${date}) AS first, max(${date}) AS last FROM ZWAMESSAGE`)
        .get() as { n: number; first: number | null; last: number | null };
      // total(), not sum(): sum's integer overflows (an SqliteError) on crafted sizes near 2^63.
      const media = tableColumns(db, 'ZWAMEDIAITEM').has('ZFILESIZE')
        ? Number((db.prepare('SELECT total(ZFILESIZE) AS n FROM ZWAMEDIAITEM').get() as { n: number }).n)
        : 0;
      return {
        count: row.n,
        recentlyDeleted: null,
        purged: deletedByCoreDataMax(db, 'WAMessage', row.n),
        firstDate: fromAppleSeconds(row.first)?.toISOString() ?? null,
        lastDate: fromAppleSeconds(row.last)?.toISOString() ?? null,
        bytes: opened.bytes + media,
      };
    }
    return null;
  },

  /**
   * whatsapp/chats.json (index), whatsapp/<chat>/conversation.json + conversation.html + media/ (files copied with
   * the message's date as mtime, contact cards as .vcf), whatsapp/messages.csv; deleted rows the carver finds are
   * placed in their chat, marked `recovered`.
   */
  async extract(context) {
    for (const location of CHAT_STORAGE) {
      const opened = await context.work.openDatabase(context.reader, location.domain, location.relativePath);
      if (opened === undefined) continue;
      return exportWhatsApp(context, opened.db, opened.path, location);
    }
    return null;
  },
});
