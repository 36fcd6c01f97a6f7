import { formatPhone, phoneNumber } from './contacts.js';
import { FIRST_NAMES, LAST_NAMES, PHRASES } from './names.js';
import type { SeededRandom } from './seeded-random.js';
import { tinyJpeg } from './tiny-jpeg.js';
import { tinyMovie } from './tiny-movie.js';
import type { TruthWhatsAppChat, TruthWhatsAppMedia, TruthWhatsAppMember, TruthWhatsAppMessage } from './truth.js';

export interface WhatsAppPlan {
  messages: number;
  deleted: number;
  window: [Date, Date];
  seed: string;
  /** Newest messages left only in ChatStorage.sqlite-wal. */
  walTail: number;
}

export interface GeneratedWhatsApp {
  ownerJid: string;
  chats: TruthWhatsAppChat[];
  messages: TruthWhatsAppMessage[];
  deleted: TruthWhatsAppMessage[];
}

interface Person {
  jid: string;
  name: string;
  e164: string;
}

type Kind = TruthWhatsAppMessage['kind'];

/**
 * The first messages show every kind once (with the chat each belongs in): media of each type, a location, a
 * contact card, messages deleted for everyone by either side, group events, a reply and a photo the phone never
 * downloaded. The rest are texts.
 */
const SCRIPT: Array<{ kind: Kind | 'reply' | 'missing-image'; chat: number; fromMe: boolean; sender?: number }> = [
  { kind: 'system', chat: 1, fromMe: false },
  { kind: 'group-event', chat: 2, fromMe: false, sender: 3 },
  { kind: 'image', chat: 1, fromMe: false },
  { kind: 'video', chat: 2, fromMe: true },
  { kind: 'audio', chat: 2, fromMe: false, sender: 2 },
  { kind: 'document', chat: 3, fromMe: false },
  { kind: 'location', chat: 1, fromMe: true },
  { kind: 'contact', chat: 4, fromMe: false },
  { kind: 'deleted', chat: 2, fromMe: false, sender: 3 },
  { kind: 'sticker', chat: 3, fromMe: false },
  { kind: 'reply', chat: 1, fromMe: true },
  { kind: 'missing-image', chat: 2, fromMe: false, sender: 0 },
  { kind: 'deleted', chat: 3, fromMe: true },
  { kind: 'group-event', chat: 5, fromMe: false, sender: 1 },
];

/** ZMESSAGETYPE per kind (WhatsApp iOS; see the extractor for the sources). */
const MESSAGE_TYPE: Record<Kind, number> = {
  text: 0,
  image: 1,
  video: 2,
  audio: 3,
  contact: 4,
  location: 5,
  'group-event': 6,
  document: 8,
  system: 10,
  deleted: 14,
  sticker: 15,
};

function digits(e164: string): string {
  return e164.replace(/\D/g, '');
}

function hex(random: SeededRandom, length: number): string {
  return Array.from({ length }, () => random.int(0, 15).toString(16))
    .join('')
    .toUpperCase();
}

function makeChats(random: SeededRandom, people: Person[], owner: string, window: [Date, Date]): TruthWhatsAppChat[] {
  let memberPk = 0;
  const member = (
    jid: string,
    contactName: string | null,
    pushName: string | null,
    isAdmin = false,
  ): TruthWhatsAppMember => ({ pk: ++memberPk, jid, contactName, pushName, isAdmin });
  const groupJid = (): string =>
    `120363${String(random.int(100_000_000, 999_999_999))}${String(random.int(100, 999))}@g.us`;
  const created = new Date(Math.floor(window[0].getTime() / 1000) * 1000 - 86_400_000);
  const [a, b, c, d, e, f] = people as [Person, Person, Person, Person, Person, Person];
  const one = (pk: number, p: Person, name = p.name): TruthWhatsAppChat => ({
    pk,
    jid: p.jid,
    name,
    isGroup: false,
    archived: false,
    created: null,
    members: [],
  });
  return [
    one(1, a),
    {
      pk: 2,
      jid: groupJid(),
      name: 'Weekend trip ⛺',
      isGroup: true,
      archived: false,
      created,
      // Saved contacts show by their address-book name, others by the name they chose (push name), else their number.
      members: [
        member(owner, null, null, true),
        member(a.jid, a.name, random.pick(FIRST_NAMES)),
        member(c.jid, null, `${random.pick(FIRST_NAMES)} 🌴`),
        member(d.jid, null, null),
        member(b.jid, b.name, null),
      ],
    },
    one(3, b),
    // Someone not in the address book: the chat is named after the number.
    one(4, f, formatPhone(f.e164)),
    {
      pk: 5,
      jid: groupJid(),
      name: 'Family 🏡',
      isGroup: true,
      archived: true,
      created,
      members: [member(owner, null, null, true), member(b.jid, b.name, null), member(e.jid, e.name, null)],
    },
  ];
}

function senderName(chat: TruthWhatsAppChat, jid: string | null): string | null {
  if (jid === null) return null;
  if (!chat.isGroup) return chat.name;
  const m = chat.members.find((x) => x.jid === jid);
  return m?.contactName ?? m?.pushName ?? `+${jid.split('@')[0]}`;
}

function mediaFor(
  random: SeededRandom,
  kind: Kind,
  pk: number,
  chat: TruthWhatsAppChat,
  seed: string,
  missing: boolean,
): TruthWhatsAppMedia | null {
  const uuid = random.uuid().toLowerCase();
  const path = (ext: string): string => `Media/${chat.jid}/${uuid[0]}/${uuid[1]}/${uuid}.${ext}`;
  const base = {
    pk,
    localPath: null,
    title: null,
    mimeType: null,
    fileSize: null,
    durationSeconds: null,
    latitude: null,
    longitude: null,
    vcardName: null,
    vcard: null,
    data: null,
  };
  const file = (
    ext: string,
    mimeType: string,
    data: Buffer,
    extra: Partial<TruthWhatsAppMedia> = {},
  ): TruthWhatsAppMedia => ({
    ...base,
    localPath: path(ext),
    mimeType,
    fileSize: data.length,
    data: missing ? null : data,
    ...extra,
  });
  const tag = Buffer.from(`${seed}:whatsapp:${pk}`);
  switch (kind) {
    case 'image':
      return file(
        'jpg',
        'image/jpeg',
        tinyJpeg({
          rgb: [random.int(0, 255), random.int(0, 255), random.int(0, 255)],
          blocksWide: 2,
          blocksHigh: 2,
          comment: tag.toString(),
        }),
        { title: missing ? null : 'Look at this, "view" 📷' },
      );
    case 'video':
      return file('mp4', 'video/mp4', tinyMovie(tag), { durationSeconds: random.int(2, 30) });
    case 'audio':
      return file('opus', 'audio/ogg; codecs=opus', Buffer.concat([Buffer.from('OggS\0\x02'), tag]), {
        durationSeconds: random.int(1, 20),
      });
    case 'document':
      return file('pdf', 'application/pdf', Buffer.concat([Buffer.from('%PDF-1.4\n'), tag, Buffer.from('\n%%EOF\n')]), {
        title: 'Invoice <March>, 2024.pdf',
      });
    case 'sticker':
      return file(
        'webp',
        'image/webp',
        Buffer.concat([Buffer.from('RIFF'), Buffer.from([tag.length + 4, 0, 0, 0]), Buffer.from('WEBP'), tag]),
      );
    case 'location':
      return {
        ...base,
        latitude: Math.round((35 + random.next()) * 1e6) / 1e6,
        longitude: Math.round((-79 + random.next()) * 1e6) / 1e6,
      };
    case 'contact': {
      const name = `${random.pick(FIRST_NAMES)} ${random.pick(LAST_NAMES)}`;
      const e164 = phoneNumber(random.int(1, 5000));
      return {
        ...base,
        vcardName: name,
        vcard: `BEGIN:VCARD\nVERSION:3.0\nN:;${name};;;\nFN:${name}\nTEL;type=CELL;waid=${digits(e164)}:${formatPhone(e164)}\nEND:VCARD`,
      };
    }
    default:
      return null;
  }
}

/**
 * A WhatsApp history over the window: two one-to-one chats with contacts, one with a number not in the address
 * book, two groups (one archived) whose members show by contact name, push name or number, every message kind,
 * and `deleted` text messages deleted from the phone afterwards. Every value comes from `random`.
 */
export function generateWhatsApp(random: SeededRandom, plan: WhatsAppPlan): GeneratedWhatsApp {
  const people: Person[] = Array.from({ length: 6 }, (_, i) => {
    const e164 = phoneNumber(60_000 + i * 37);
    return {
      jid: `${digits(e164)}@s.whatsapp.net`,
      name: `${random.pick(FIRST_NAMES)} ${random.pick(LAST_NAMES)}`,
      e164,
    };
  });
  const ownerJid = `${digits(phoneNumber(70_000))}@s.whatsapp.net`;
  const chats = makeChats(random, people, ownerJid, plan.window);
  const total = plan.messages + plan.deleted;
  const script = SCRIPT.slice(0, plan.messages);
  const lastDeletable = Math.max(script.length, total - plan.walTail);
  const doomed = new Set<number>();
  while (doomed.size < Math.min(plan.deleted, lastDeletable - script.length))
    doomed.add(random.int(script.length + 1, lastDeletable));
  const start = plan.window[0].getTime();
  const step = (plan.window[1].getTime() - start) / Math.max(total, 1);
  const messages: TruthWhatsAppMessage[] = [];
  const deleted: TruthWhatsAppMessage[] = [];
  let mediaPk = 0;
  for (let pk = 1; pk <= total; pk++) {
    const planned = script[pk - 1];
    const chat = planned ? chats[planned.chat - 1]! : random.pick(chats);
    const isFromMe = planned ? planned.fromMe : random.chance(0.4);
    const others = chat.members.filter((m) => m.jid !== ownerJid);
    const senderJid = isFromMe
      ? null
      : chat.isGroup
        ? planned?.sender !== undefined
          ? people[planned.sender]!.jid
          : random.pick(others).jid
        : chat.jid;
    const kind: Kind =
      planned === undefined || planned.kind === 'reply'
        ? 'text'
        : planned.kind === 'missing-image'
          ? 'image'
          : planned.kind;
    const exact = Math.floor(start + step * (pk - 1) + random.next() * step * 0.9);
    // Incoming messages carry the server's whole-second stamp; the phone's own carry milliseconds.
    const date = new Date(isFromMe ? exact : Math.floor(exact / 1000) * 1000);
    const sentDate =
      kind === 'system' || kind === 'group-event'
        ? null
        : new Date(date.getTime() + (isFromMe ? random.int(30, 500) : random.int(200, 60_000)));
    const media = mediaFor(random, kind, mediaPk + 1, chat, plan.seed, planned?.kind === 'missing-image');
    if (media !== null) mediaPk++;
    const replyTo =
      planned?.kind === 'reply'
        ? (messages.filter((m) => m.chatPk === chat.pk && !m.isFromMe).at(-1)?.stanzaId ?? null)
        : null;
    let text: string | null = random.chance(0.2)
      ? `${random.pick(PHRASES)} ${random.pick(PHRASES)}`
      : random.pick(PHRASES);
    if (kind === 'group-event') text = chat.name;
    else if (kind !== 'text') text = null;
    const message: TruthWhatsAppMessage = {
      pk,
      stanzaId: `3A${hex(random, 18)}`,
      chatPk: chat.pk,
      kind,
      messageType: MESSAGE_TYPE[kind],
      // Group event 1 is a subject change (ZTEXT the new subject); system notices in one-to-one chats carry 2.
      groupEventType: kind === 'group-event' ? 1 : kind === 'system' ? 2 : null,
      text,
      date,
      sentDate,
      isFromMe,
      fromJid: isFromMe ? null : chat.jid,
      toJid: isFromMe ? chat.jid : kind === 'system' || chat.isGroup ? ownerJid : null,
      senderJid,
      senderName: senderName(chat, senderJid),
      starred: !doomed.has(pk) && random.chance(0.1),
      replyToStanzaId: replyTo,
      media,
      inWal: pk > total - plan.walTail,
    };
    (doomed.has(pk) ? deleted : messages).push(message);
  }
  return { ownerJid, chats, messages, deleted };
}
