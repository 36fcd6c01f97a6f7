import type { WhatsAppChatRecord, WhatsAppMessageRecord } from '../../records.js';
import {
  attr,
  dateTime,
  duration,
  fileHref,
  fileLink,
  isWebImage,
  itemAttributes,
  originMark,
  text,
  webLink,
} from '../html.js';
import { addStats, emptyStats, type ReportSection, type SectionContext, type SectionStats } from '../section.js';
import { threadWindow, writeThread } from './thread.js';

/**
 * Chats as in WhatsApp: one collapsible thread per chat, the owner's bubbles on the right, the sender's name over
 * each bubble in groups, group events and notices centred, photos and stickers inline, videos and voice notes with
 * players (preload="none": nothing is read until played), documents and contact cards linked, locations as map
 * links. Each thread shows its newest messages and every deleted one (`thread.ts`) and links to its
 * conversation.html.
 *
 * Deleted: rows the carver rebuilt (origin `recovered`) are deleted items, marked and counted like every other
 * section's. A message the sender deleted for everyone is not: it is a live row whose text and media WhatsApp
 * itself erased, so the extraction holds nothing of it but the time it was sent. It is drawn as the phone draws
 * it, with its own grey mark, counted apart per chat and explained at the top of the section, so the summary's
 * "Deleted" stays the number of deleted items whose content the report has — the same number as the JSON's
 * `origin` — and "Show only deleted items" does not fill up with empty bubbles.
 */

const REVOKED_MARK = '<span class="mark revoked">Deleted for everyone</span>';

/** `+<number>` for a phone's JID, the part before the @ otherwise (the extractor names folders the same way). */
function jidLabel(jid: string): string {
  const user = jid.split('@')[0] ?? jid;
  return jid.endsWith('@s.whatsapp.net') && /^\d+$/.test(user) ? `+${user}` : user;
}

function title(chat: WhatsAppChatRecord): string {
  return (
    chat.name || (chat.jid ? jidLabel(chat.jid) : '') || chat.folder.slice(chat.folder.lastIndexOf('/') + 1) || 'Chat'
  );
}

function mediaHtml(m: WhatsAppMessageRecord): string {
  const media = m.media!;
  const fileName = media.localPath?.slice(media.localPath.lastIndexOf('/') + 1) ?? null;
  const label = media.title ?? media.vcardName ?? fileName ?? m.kind;
  if (m.kind === 'location' && media.latitude !== null && media.longitude !== null) {
    const at = `${media.latitude.toFixed(6)}, ${media.longitude.toFixed(6)}`;
    const map = `https://www.openstreetmap.org/?mlat=${media.latitude}&mlon=${media.longitude}#map=16/${media.latitude}/${media.longitude}`;
    return `<div class="bubble">📍 ${webLink(map, at)}${media.title ? `\n${text(media.title)}` : ''}</div>`;
  }
  const href = fileHref(media.file);
  const caption = media.title && m.kind !== 'document' ? `<div class="bubble">${text(media.title)}</div>` : '';
  if (href === null)
    return `<div class="bubble">[${text(m.kind)} ${text(fileName ?? label)}: not in the backup]</div>${caption}`;
  if ((m.kind === 'image' || m.kind === 'sticker') && isWebImage(media.file)) {
    return `<a href=${attr(href)}><img class="att" loading="lazy" src=${attr(href)} alt=${attr(label)}></a>${caption}`;
  }
  const length = media.durationSeconds ? ` ${duration(media.durationSeconds)}` : '';
  if (m.kind === 'video' || m.kind === 'gif')
    return `<video class="att" controls preload="none" src=${attr(href)}></video><span class="who">${fileLink(media.file, `▶ video${length}`)}</span>${caption}`;
  if (m.kind === 'audio')
    return `<audio controls preload="none" src=${attr(href)}></audio><span class="who">${fileLink(media.file, `🎤 voice message${length}`)}</span>`;
  if (m.kind === 'contact') return `<div class="bubble">👤 ${fileLink(media.file, label)}</div>`;
  return `<div class="bubble">📄 ${fileLink(media.file, label)}</div>${caption}`;
}

function bubble(m: WhatsAppMessageRecord, showSender: boolean): string {
  if (m.kind === 'group-event' || m.kind === 'system') {
    const actor = m.isFromMe ? 'You' : m.senderName;
    const line =
      m.kind === 'group-event' && m.groupEventType === 1
        ? `${actor ?? 'Someone'} changed the group subject to “${m.text ?? ''}”`
        : [
            m.kind === 'group-event' ? `Group event ${m.groupEventType ?? '?'}` : 'Notice',
            actor ? `(${actor})` : '',
            m.text ?? '',
          ]
            .filter(Boolean)
            .join(' ');
    return `<div ${itemAttributes(m.origin, 'msg event')}><div class="bubble">${text(line)}</div><span class="who">${dateTime(m.date)}${originMark(m.origin)}</span></div>\n`;
  }
  const parts: string[] = [];
  const who = m.isFromMe ? '' : (m.senderName ?? (m.senderJid ? jidLabel(m.senderJid) : 'Unknown'));
  if (who && (showSender || m.origin === 'recovered')) parts.push(`<span class="who">${text(who)}</span>`);
  // The row of a reply names the quoted message by stanza id only; the whole conversation page links to it.
  if (m.replyToStanzaId !== null) parts.push('<span class="who">↩ reply</span>');
  if (m.deletedForEveryone) {
    parts.push(
      `<div class="bubble revoked">🚫 ${m.isFromMe ? 'You deleted this message' : 'This message was deleted'}</div>`,
    );
  } else {
    if (m.media !== null) parts.push(mediaHtml(m));
    const body = (m.text ?? '').trim();
    if (body) parts.push(`<div class="bubble">${text(body)}</div>`);
  }
  parts.push(
    `<span class="who">${dateTime(m.date)}${m.starred ? ' · ★' : ''}${originMark(m.origin)}${m.deletedForEveryone ? REVOKED_MARK : ''}</span>`,
  );
  const classes = ['msg', m.isFromMe ? 'me' : 'them', 'WhatsApp', m.deletedForEveryone ? 'revoked' : '']
    .filter(Boolean)
    .join(' ');
  return `<div ${itemAttributes(m.origin, classes)}>${parts.join('')}</div>\n`;
}

function preview(m: WhatsAppMessageRecord | undefined): string {
  if (m === undefined) return '';
  if (m.deletedForEveryone) return 'This message was deleted';
  return (m.text ?? '').trim().slice(0, 80) || (m.media ? (m.media.title ?? m.media.vcardName ?? m.kind) : '');
}

interface ChatStats extends SectionStats {
  /** Messages deleted for everyone. */
  revoked: number;
}

async function chatThread(context: SectionContext, chat: WhatsAppChatRecord, id: number): Promise<ChatStats> {
  let revoked = 0;
  const thread = await threadWindow(
    context.input.records<WhatsAppMessageRecord>(`${chat.folder}/conversation.json`, 'messages'),
    (m) => {
      if (m.deletedForEveryone) revoked++;
    },
  );
  const { count, deleted, recovered, last } = thread;
  const page = `${chat.folder}/conversation.html`;
  const members = chat.isGroup
    ? `${chat.members.length} member${chat.members.length === 1 ? '' : 's'}: ${chat.members.map((m) => m.name ?? jidLabel(m.jid)).join(', ')}`
    : '';
  const about = [
    chat.isGroup ? members : chat.jid ? jidLabel(chat.jid) : '',
    chat.isGroup && chat.groupCreated ? `created ${chat.groupCreated.slice(0, 10)}` : '',
    chat.archived ? 'archived' : '',
  ]
    .filter(Boolean)
    .join(' · ');
  await context.write(
    `<details class="conversation" id=${attr(`whatsapp-chat-${id}`)} data-messages=${attr(count)} data-deleted=${attr(deleted)} data-revoked=${attr(revoked)}>` +
      `<summary><span class="title">${text(title(chat))}</span>${deleted > 0 ? `<span class="mark">${deleted} deleted</span>` : ''}` +
      `${revoked > 0 ? `<span class="mark revoked">${revoked} deleted for everyone</span>` : ''} ` +
      `<span class="muted">${text(about)}${about ? ' · ' : ''}${count} message${count === 1 ? '' : 's'}${last ? ` · last ${dateTime(last.date)}` : ''}</span>` +
      `<br><span class="muted">${text(preview(last))}</span> ${fileLink(page, 'open conversation')}</summary><div class="chat">\n`,
  );
  // In a group every bubble is named; the chat of recovered messages mixes chats, and names them too.
  await writeThread(context, thread, page, (message) => bubble(message, chat.isGroup || chat.id === 0));
  await context.write('</div></details>\n');
  return { items: count, deleted, recovered, revoked };
}

export const whatsappSection: ReportSection = {
  async render(context) {
    const total = emptyStats();
    await context.write(
      `<p class="muted">A message its sender deleted for everyone shows as on the phone, marked ${REVOKED_MARK}: ` +
        'WhatsApp erased its text and media, so it is not counted among the deleted items, which are the ones the report recovered.</p>\n',
    );
    let id = 0;
    for await (const chat of context.input.records<WhatsAppChatRecord>(`${context.folder}/chats.json`)) {
      try {
        const shown = await chatThread(context, chat, ++id);
        addStats(total, shown);
      } catch (error) {
        await context.write(`<p class="failed">${text(title(chat))}: ${text((error as Error).message)}</p>\n`);
      }
    }
    return total;
  },
};
