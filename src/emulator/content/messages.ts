import { phoneNumber } from './contacts.js';
import { GROUP_NAMES, PHRASES } from './names.js';
import type { SeededRandom } from './seeded-random.js';
import { tinyJpeg } from './tiny-jpeg.js';
import type { TruthAttachment, TruthChat, TruthContact, TruthHandle, TruthMessage } from './truth.js';

export interface GeneratedMessages {
  handles: TruthHandle[];
  chats: TruthChat[];
  messages: TruthMessage[];
  deleted: TruthMessage[];
}

export interface MessagesPlan {
  messages: number;
  deleted: number;
  conversations: number;
  window: [Date, Date];
  seed: string;
  /** Messages written after the last checkpoint (only in sms.db-wal). */
  walTail: number;
}

/** E.164 form of a number as typed in Contacts ("+1 (415) 555-0123" → "+14155550123"). */
function e164(value: string): string {
  return value.replace(/[^+\d]/g, '');
}

function makeHandles(random: SeededRandom, contacts: TruthContact[], wanted: number): TruthHandle[] {
  const ids: Array<{ id: string; service: TruthHandle['service'] }> = [];
  for (const c of contacts) {
    if (c.phones[0]) ids.push({ id: e164(c.phones[0].value), service: random.chance(0.7) ? 'iMessage' : 'SMS' });
    if (c.emails[0] && random.chance(0.3)) ids.push({ id: c.emails[0].value, service: 'iMessage' });
  }
  // Some correspondents are not in the address book.
  for (let i = 0; ids.length < wanted + 2 || i < 2; i++) ids.push({ id: phoneNumber(90_000 + i), service: 'SMS' });
  return ids.slice(0, Math.max(wanted + 2, 3)).map((h, i) => ({ rowid: i + 1, ...h }));
}

function makeChats(random: SeededRandom, handles: TruthHandle[], count: number): TruthChat[] {
  const chats: TruthChat[] = [];
  for (let i = 0; i < count; i++) {
    const rowid = i + 1;
    if (i % 3 === 2 && handles.length >= 3) {
      const members = new Set<number>();
      const size = random.int(2, Math.min(4, handles.length));
      while (members.size < size) members.add(random.pick(handles).rowid);
      const identifier = `chat${String(random.int(100_000_000, 999_999_999))}${rowid}`;
      chats.push({
        rowid,
        guid: `iMessage;+;${identifier}`,
        chatIdentifier: identifier,
        style: 43,
        displayName: random.pick(GROUP_NAMES),
        service: 'iMessage',
        handleRowids: [...members].sort((a, b) => a - b),
      });
    } else {
      const h = handles[i % handles.length]!;
      chats.push({
        rowid,
        guid: `${h.service};-;${h.id}`,
        chatIdentifier: h.id,
        style: 45,
        displayName: null,
        service: h.service,
        handleRowids: [h.rowid],
      });
    }
  }
  return chats;
}

function attachmentFor(random: SeededRandom, rowid: number, date: Date, seed: string): TruthAttachment {
  const guid = random.uuid();
  const hex = guid.replace(/-/g, '').toLowerCase();
  const name = `IMG_${String(random.int(1000, 9999))}.jpeg`;
  const relativePath = `Library/SMS/Attachments/${hex.slice(0, 2)}/${hex.slice(2, 4)}/${guid}/${name}`;
  return {
    rowid,
    guid,
    filename: `~/${relativePath}`,
    transferName: name,
    mimeType: 'image/jpeg',
    uti: 'public.jpeg',
    created: new Date(Math.floor(date.getTime() / 1000) * 1000),
    data: tinyJpeg({
      rgb: [random.int(0, 255), random.int(0, 255), random.int(0, 255)],
      blocksWide: 2,
      blocksHigh: 2,
      comment: `${seed}:attachment:${rowid}`,
    }),
    domain: 'MediaDomain',
    relativePath,
  };
}

export function generateMessages(
  random: SeededRandom,
  contacts: TruthContact[],
  plan: MessagesPlan,
): GeneratedMessages {
  const handles = makeHandles(random, contacts, Math.max(plan.conversations, 3));
  const chats = makeChats(random, handles, Math.max(plan.conversations, 1));
  const total = plan.messages + plan.deleted;
  const doomed = new Set<number>();
  // The WAL tail holds the newest messages; deletions are chosen among the older ones.
  const oldest = Math.max(1, total - plan.walTail);
  while (doomed.size < Math.min(plan.deleted, oldest)) doomed.add(random.int(1, oldest));
  const start = plan.window[0].getTime();
  const step = (plan.window[1].getTime() - start) / Math.max(total, 1);
  const messages: TruthMessage[] = [];
  const deleted: TruthMessage[] = [];
  let attachmentRowid = 0;
  for (let rowid = 1; rowid <= total; rowid++) {
    const chat = random.pick(chats);
    const date = new Date(Math.floor(start + step * (rowid - 1) + random.next() * step * 0.9));
    const isFromMe = random.chance(0.4);
    const handleRowid = chat.style === 45 ? chat.handleRowids[0]! : isFromMe ? 0 : random.pick(chat.handleRowids);
    const isDeleted = doomed.has(rowid);
    const attachments =
      !isDeleted && random.chance(0.08) ? [attachmentFor(random, ++attachmentRowid, date, plan.seed)] : [];
    let text: string | null = random.chance(0.2)
      ? `${random.pick(PHRASES)} ${random.pick(PHRASES)}`
      : random.pick(PHRASES);
    // iOS puts U+FFFC (object replacement character) in the text where an attachment sits.
    if (attachments.length > 0) text = random.chance(0.5) ? '\uFFFC' : `\uFFFC${text}`;
    const message: TruthMessage = {
      rowid,
      guid: random.uuid(),
      text,
      date,
      dateRead: isFromMe || random.chance(0.1) ? null : new Date(date.getTime() + random.int(1, 3600) * 1000),
      isFromMe,
      service: chat.service,
      handleRowid,
      chatRowid: chat.rowid,
      attachments,
      recentlyDeleted:
        !isDeleted && rowid <= oldest && random.chance(0.04)
          ? new Date(date.getTime() + random.int(1, 20) * 86_400_000)
          : null,
      inWal: rowid > oldest && plan.walTail > 0,
      textOnlyInAttributedBody: random.chance(0.15),
    };
    (isDeleted ? deleted : messages).push(message);
  }
  const older = messages.filter((m) => !m.inWal);
  if (older.length >= 10 && !older.some((m) => m.recentlyDeleted))
    older[5]!.recentlyDeleted = new Date(older[5]!.date.getTime() + 3 * 86_400_000);
  return { handles, chats, messages, deleted };
}

const wholeSecond = (d: Date): Date => new Date(Math.round(d.getTime() / 1000) * 1000);

/**
 * The same messages as an older iOS would hold them, so the truth says what its sms.db can say: before iOS 11
 * dates are whole seconds; before iOS 16 there is no Recently Deleted and the text is always in `text`; before
 * iOS 6 (madrid) an SMS has no read date and carries no attachment (the generator writes no MMS parts). Uses no randomness, so every
 * version of a seed holds the same conversations.
 */
export function messagesForVersion(generated: GeneratedMessages, iosVersion: number): GeneratedMessages {
  if (iosVersion >= 18) return withRcs(generated);
  if (iosVersion >= 16) return generated;
  const adapt = (m: TruthMessage): TruthMessage => ({
    ...m,
    date: iosVersion >= 11 ? m.date : wholeSecond(m.date),
    dateRead:
      m.dateRead === null || (iosVersion <= 5 && m.service === 'SMS')
        ? null
        : iosVersion >= 11
          ? m.dateRead
          : wholeSecond(m.dateRead),
    recentlyDeleted: null,
    textOnlyInAttributedBody: false,
    // iOS 5 keeps an iMessage's files in madrid_attachment; the generator writes no MMS parts (msg_pieces).
    attachments: iosVersion <= 5 && m.service !== 'iMessage' ? [] : m.attachments,
  });
  const adapted = {
    ...generated,
    messages: generated.messages.map(adapt),
    deleted: generated.deleted.map(adapt),
  };
  return iosVersion <= 4 ? smsOnly(adapted) : adapted;
}

/** iOS 4 had no iMessage: every handle, chat and message is SMS (a group chat an SMS group), with no attachment. */
function smsOnly(generated: GeneratedMessages): GeneratedMessages {
  const adapt = (m: TruthMessage): TruthMessage => ({ ...m, service: 'SMS', dateRead: null, attachments: [] });
  return {
    handles: generated.handles.map((h) => ({ ...h, service: 'SMS' })),
    chats: generated.chats.map((c) => ({ ...c, service: 'SMS', guid: c.guid.replace(/^[A-Za-z]+;/, 'SMS;') })),
    messages: generated.messages.map(adapt),
    deleted: generated.deleted.map(adapt),
  };
}

/**
 * iOS 18 talks RCS with phones that support it: half of the SMS handles (even ROWIDs) become RCS handles, and their
 * one-to-one chats and messages carry service "RCS" (sms.db writes it in handle.service, chat.service_name and
 * message.service, as it does "SMS"). Uses no randomness.
 */
function withRcs(generated: GeneratedMessages): GeneratedMessages {
  const rcs = new Set(generated.handles.filter((h) => h.service === 'SMS' && h.rowid % 2 === 0).map((h) => h.rowid));
  if (rcs.size === 0) return generated;
  const rcsChats = new Set(
    generated.chats.filter((c) => c.style === 45 && rcs.has(c.handleRowids[0]!)).map((c) => c.rowid),
  );
  const adapt = (m: TruthMessage): TruthMessage => (rcsChats.has(m.chatRowid) ? { ...m, service: 'RCS' } : m);
  return {
    handles: generated.handles.map((h) => (rcs.has(h.rowid) ? { ...h, service: 'RCS' } : h)),
    chats: generated.chats.map((c) =>
      rcsChats.has(c.rowid) ? { ...c, service: 'RCS', guid: c.guid.replace(/^SMS;/, 'RCS;') } : c,
    ),
    messages: generated.messages.map(adapt),
    deleted: generated.deleted.map(adapt),
  };
}
