import type { ChatRecord, MessageRecord } from '../../records.js';
import { attr, dateTime, fileHref, fileLink, isWebImage, itemAttributes, originMark, text } from '../html.js';
import { addStats, emptyStats, type ReportSection, type SectionContext, type SectionStats } from '../section.js';
import { threadWindow, writeThread } from './thread.js';

/**
 * Conversations as in the Messages app: one collapsible thread per conversation, bubbles on the right for the
 * owner's messages and on the left for the others'. Each thread shows its newest messages and every deleted one
 * (`thread.ts`), and links to its own conversation.html for the whole thread.
 */

function bubble(m: MessageRecord, group: boolean): string {
  const body = (m.text ?? '').replace(/\uFFFC/g, '').trim();
  const who = m.isFromMe ? '' : (m.handleName ?? m.handle ?? 'Unknown');
  const parts: string[] = [];
  if (who && (group || m.origin === 'recovered')) parts.push(`<span class="who">${text(who)}</span>`);
  if (body) parts.push(`<div class="bubble">${text(body)}</div>`);
  for (const a of m.attachments ?? []) {
    const name = a.transferName ?? a.storedPath ?? 'attachment';
    const href = fileHref(a.file);
    if (href === null) parts.push(`<div class="bubble">[${text(name)}: not in the backup]</div>`);
    else if ((a.mimeType ?? '').startsWith('image/') && isWebImage(a.file))
      parts.push(`<a href=${attr(href)}><img class="att" loading="lazy" src=${attr(href)} alt=${attr(name)}></a>`);
    else parts.push(`<div class="bubble">📎 ${fileLink(a.file, name)}</div>`);
  }
  const deletedOn = m.origin === 'recently-deleted' && m.dateDeleted ? ` on ${dateTime(m.dateDeleted)}` : '';
  parts.push(
    `<span class="who">${dateTime(m.date)}${m.service ? ` · ${text(m.service)}` : ''}${originMark(m.origin)}${deletedOn}</span>`,
  );
  const classes = ['msg', m.isFromMe ? 'me' : 'them', m.service === 'SMS' ? 'SMS' : ''].filter(Boolean).join(' ');
  return `<div ${itemAttributes(m.origin, classes)}>${parts.join('')}</div>\n`;
}

function title(chat: ChatRecord): string {
  return (
    chat.displayName || chat.participants.map((p) => p.name ?? p.handle).join(', ') || chat.identifier || 'Conversation'
  );
}

async function conversation(context: SectionContext, chat: ChatRecord, id: number): Promise<SectionStats> {
  const thread = await threadWindow(
    context.input.records<MessageRecord>(`${chat.folder}/conversation.json`, 'messages'),
  );
  const { count, deleted, recovered, last } = thread;
  const page = `${chat.folder}/conversation.html`;
  const preview = last
    ? (last.text ?? '')
        .replace(/\uFFFC/g, '')
        .trim()
        .slice(0, 80) || (last.attachments?.length ? 'Attachment' : '')
    : '';
  const participants = chat.participants.map((p) => (p.name ? `${p.name} (${p.handle})` : p.handle)).join(', ');
  await context.write(
    `<details class="conversation" id=${attr(`conversation-${id}`)} data-messages=${attr(count)} data-deleted=${attr(deleted)}>` +
      `<summary><span class="title">${text(title(chat))}</span>${deleted > 0 ? `<span class="mark">${deleted} deleted</span>` : ''} ` +
      `<span class="muted">${text([participants, chat.service].filter(Boolean).join(' · '))} · ${count} message${count === 1 ? '' : 's'}${last ? ` · last ${dateTime(last.date)}` : ''}</span>` +
      `<br><span class="muted">${text(preview)}</span> ${fileLink(page, 'open conversation')}</summary><div class="chat">\n`,
  );
  await writeThread(context, thread, page, (message) => bubble(message, chat.isGroup));
  await context.write('</div></details>\n');
  return { items: count, deleted, recovered };
}

export const messagesSection: ReportSection = {
  async render(context) {
    const stats = emptyStats();
    let id = 0;
    for await (const chat of context.input.records<ChatRecord>(`${context.folder}/conversations.json`)) {
      try {
        const shown = await conversation(context, chat, ++id);
        addStats(stats, shown);
      } catch (error) {
        await context.write(`<p class="failed">${text(title(chat))}: ${text((error as Error).message)}</p>\n`);
      }
    }
    return stats;
  },
};
