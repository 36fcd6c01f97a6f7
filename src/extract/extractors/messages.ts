import type Database from 'better-sqlite3';
import { csvRow } from '../exporters/csv.js';
import { CONVERSATION_HTML_TAIL, conversationHtmlHead, messageHtml } from '../exporters/messages-html.js';
import { TextSink } from '../exporters/text-sink.js';
import { defineExtractor, inRange, source, type ExtractContext } from '../extractor.js';
import type { OutputFolder } from '../output-folder.js';
import type { ChatRecord, MessageAttachmentRecord, MessageRecord } from '../records.js';
import { deletedBySequence, hasTable, tableColumns } from '../schema.js';
import { WriteQueue } from '../write-queue.js';
import { copyEntry, readable } from '../copy-entry.js';
import { contactNames, phoneKey } from '../contact-names.js';
import {
  messageDateIso,
  readAttachments,
  readChats,
  readMessages,
  readRecoveredMessages,
  type ChatRow,
} from './messages-db.js';
import { messagesSection } from '../report/sections/messages.js';
import { isMadridSchema, madridDateRange, readMadridChats, readMadridMessages } from './messages-madrid.js';
import { unsupportedSchema } from '../unsupported-schema.js';

export const SMS_DB = { domain: 'HomeDomain', relativePath: 'Library/SMS/sms.db' } as const;

/** Attachments live in MediaDomain; sms.db names them `~/Library/SMS/...` or `/var/mobile/Library/SMS/...`. */
export function attachmentBackupPath(stored: string): { domain: string; relativePath: string } | null {
  const relative = stored.replace(/^~\//, '').replace(/^\/(private\/)?var\/mobile\//, '');
  return relative.startsWith('/') || relative === '' ? null : { domain: 'MediaDomain', relativePath: relative };
}

/** Starts the copies of a message's attachments on `copies`; each record's `file` is set at once, before its bytes
 * land. */
async function copyAttachments(
  context: ExtractContext,
  copies: WriteQueue,
  folder: string,
  message: MessageRecord,
): Promise<number> {
  const { reader, out, warn } = context;
  let copied = 0;
  for (const a of message.attachments) {
    const where = a.storedPath === null ? null : attachmentBackupPath(a.storedPath);
    const entry = where === null ? undefined : reader.get(where.domain, where.relativePath);
    if (entry === undefined || entry.kind !== 'file') {
      warn(`attachment ${a.transferName ?? a.storedPath ?? a.id} of message ${message.id} is not in the backup`);
      continue;
    }
    if (!readable(context, entry)) continue;
    const name = a.transferName ?? where!.relativePath.slice(where!.relativePath.lastIndexOf('/') + 1);
    const file = out.uniquePath(`${folder}/attachments`, `${a.id}-${name}`);
    a.file = file;
    await copies.add(() => copyEntry(reader, out, entry, file, a.created ? new Date(a.created) : undefined));
    copied++;
  }
  return copied;
}

interface OpenConversation {
  chat: ChatRecord;
  json: TextSink;
  html: TextSink;
}

function chatRecordFor(
  key: string,
  chats: Map<string, ChatRow>,
  first: MessageRecord,
  names: Map<string, string>,
): Omit<ChatRecord, 'folder'> {
  const row = chats.get(key);
  const handles = row?.handles.length ? row.handles : first.handle ? [first.handle] : [];
  return {
    id: row?.id ?? Number(key.slice(key.indexOf(':') + 1)),
    guid: row?.guid ?? null,
    identifier: row?.identifier ?? first.handle,
    displayName: row?.displayName ?? null,
    isGroup: row?.style === 43 || handles.length > 1,
    service: row?.service ?? first.service,
    participants: handles.map((h) => ({ handle: h, name: names.get(phoneKey(h)) ?? null })),
    messageCount: 0,
  };
}

async function openConversation(out: OutputFolder, chat: Omit<ChatRecord, 'folder'>): Promise<OpenConversation> {
  const label =
    chat.displayName ||
    chat.participants.map((p) => p.name ?? p.handle).join(', ') ||
    chat.identifier ||
    `conversation ${chat.id}`;
  const folder = out.uniquePath('messages', label);
  const record: ChatRecord = { ...chat, folder };
  const json = new TextSink(await out.absolute(`${folder}/conversation.json`));
  const html = new TextSink(await out.absolute(`${folder}/conversation.html`));
  await json.write(`{\n"chat": ${JSON.stringify({ ...record, messageCount: undefined })},\n"messages": [`);
  await html.write(conversationHtmlHead(record));
  return { chat: record, json, html };
}

async function closeConversation(c: OpenConversation): Promise<void> {
  await c.json.write(c.chat.messageCount === 0 ? ']\n}\n' : '\n]\n}\n');
  await c.html.write(CONVERSATION_HTML_TAIL);
  await c.json.close();
  await c.html.close();
}

/** One message into its conversation's JSON and HTML and into messages.csv (live and recovered alike). */
async function writeMessage(
  out: OutputFolder,
  conversation: OpenConversation,
  csv: TextSink,
  message: MessageRecord,
): Promise<void> {
  const page = `${conversation.chat.folder}/conversation.html`;
  await conversation.json.write(`${conversation.chat.messageCount === 0 ? '' : ','}\n${JSON.stringify(message)}`);
  await conversation.html.write(messageHtml(message, (file) => out.relativeTo(page, file)));
  conversation.chat.messageCount++;
  await csv.write(
    csvRow([
      message.id,
      conversation.chat.folder.slice('messages/'.length),
      message.date,
      message.isFromMe,
      message.handle,
      message.handleName,
      message.service,
      message.text,
      message.attachments
        .map((a: MessageAttachmentRecord) => a.file ?? '')
        .filter(Boolean)
        .join('; '),
      message.origin,
      message.dateRead,
      message.guid,
      message.dateSuspect ?? false,
    ]),
  );
}

const CSV_HEADER = [
  'id',
  'conversation',
  'date',
  'from_me',
  'handle',
  'name',
  'service',
  'text',
  'attachments',
  'origin',
  'date_read',
  'guid',
  'date_unclear',
];

async function exportMessages(
  context: ExtractContext,
  db: Database.Database,
  dbPath: string,
): Promise<{ records: number; files: number }> {
  const { out, range } = context;
  // iOS 4–5 files have no handle/chat tables (messages-madrid.ts); iOS 6+ share one layout read by its columns.
  const messageColumns = tableColumns(db, 'message');
  if (messageColumns.size === 0) throw unsupportedSchema(db, 'sms.db', 'message table');
  const madrid = isMadridSchema(messageColumns);
  if (!madrid && !messageColumns.has('date'))
    throw unsupportedSchema(db, 'sms.db', 'message table in a layout it knows (no date column)');
  const chats: Map<string, ChatRow> = madrid
    ? readMadridChats(db)
    : new Map([...readChats(db)].map(([id, row]) => [`chat:${id}`, row]));
  const attachments = madrid ? new Map() : readAttachments(db);
  const rows = madrid ? readMadridMessages(db) : readMessages(db, attachments);
  const names = await contactNames(context);
  const csv = new TextSink(await out.absolute('messages/messages.csv'));
  await csv.write(csvRow(CSV_HEADER));
  const index: ChatRecord[] = [];
  let current: OpenConversation | undefined;
  let currentKey = '';
  let records = 0;
  let files = 0;
  const copies = new WriteQueue();
  try {
    for (const { conversation, message } of rows) {
      if (!inRange(range, message.date)) continue;
      context.signal?.throwIfAborted();
      if (message.handle) message.handleName = names.get(phoneKey(message.handle)) ?? null;
      if (current === undefined || conversation !== currentKey) {
        if (current) await closeConversation(current);
        current = await openConversation(out, chatRecordFor(conversation, chats, message, names));
        index.push(current.chat);
        currentKey = conversation;
        files += 2;
      }
      files += await copyAttachments(context, copies, current.chat.folder, message);
      await writeMessage(out, current, csv, message);
      records++;
    }
    if (current) await closeConversation(current);
    await copies.drain();
  } finally {
    await copies.drain().catch(() => undefined);
  }

  // Then the messages deleted for good that the carver finds: one conversation of their own, each marked.
  let recovered: OpenConversation | undefined;
  for await (const message of readRecoveredMessages(dbPath, db)) {
    if (!inRange(range, message.date)) continue;
    context.signal?.throwIfAborted();
    if (message.handle) message.handleName = names.get(phoneKey(message.handle)) ?? null;
    if (recovered === undefined) {
      recovered = await openConversation(out, {
        id: 0,
        guid: null,
        identifier: null,
        displayName: 'Recovered deleted messages',
        isGroup: false,
        service: null,
        participants: [],
        messageCount: 0,
      });
      index.push(recovered.chat);
      files += 2;
    }
    await writeMessage(out, recovered, csv, message);
    records++;
  }
  if (recovered) await closeConversation(recovered);
  await csv.close();
  await out.writeFile('messages/conversations.json', `${JSON.stringify(index, null, 2)}\n`);
  return { records, files: files + 2 };
}

export const messagesExtractor = defineExtractor({
  type: 'messages',
  label: 'Messages',
  saves: 'messages (HTML/JSON/CSV)',
  sources: [
    source(SMS_DB, '4–5 madrid, 6–10 seconds, 11+ nanoseconds; Recently Deleted 16+'),
    { domain: 'MediaDomain', path: 'Library/SMS/Attachments/**', ios: 'any' },
  ],
  outputs: [
    'messages.csv',
    'conversations.json',
    '<conversation>/conversation.json',
    '<conversation>/conversation.html',
    '<conversation>/attachments/<id>-<name>',
  ],
  records: ['MessageRecord', 'ChatRecord'],
  section: messagesSection,

  async scan({ reader, work }) {
    const opened = await work.openDatabase(reader, SMS_DB.domain, SMS_DB.relativePath);
    if (opened === undefined) return null;
    const db = opened.db;
    if (!hasTable(db, 'message'))
      return { count: 0, recentlyDeleted: null, purged: null, firstDate: null, lastDate: null, bytes: opened.bytes };
    const madrid = isMadridSchema(tableColumns(db, 'message'));
    const row = db
      .prepare(
        `SELECT count(*) AS n, ${madrid ? 'NULL AS first, NULL AS last' : 'min(date) AS first, max(date) AS last'} FROM message`,
      )
      .safeIntegers(true)
      .get() as { n: bigint; first: bigint | null; last: bigint | null };
    const range = madrid ? madridDateRange(db) : { first: messageDateIso(row.first), last: messageDateIso(row.last) };
    const count = Number(row.n);
    const recentlyDeleted = hasTable(db, 'chat_recoverable_message_join')
      ? Number(
          (
            db.prepare('SELECT count(DISTINCT message_id) AS n FROM chat_recoverable_message_join').get() as {
              n: number;
            }
          ).n,
        )
      : null;
    // total(), not sum(): sum's integer overflows (an SqliteError) on crafted sizes near 2^63.
    const media = hasTable(db, 'attachment')
      ? Number((db.prepare('SELECT total(total_bytes) AS n FROM attachment').get() as { n: number }).n)
      : 0;
    return {
      count,
      recentlyDeleted,
      purged: deletedBySequence(db, 'message', count),
      firstDate: range.first,
      lastDate: range.last,
      bytes: opened.bytes + media,
    };
  },

  async extract(context) {
    const opened = await context.work.openDatabase(context.reader, SMS_DB.domain, SMS_DB.relativePath);
    if (opened === undefined) return null;
    return exportMessages(context, opened.db, opened.path);
  },
});
