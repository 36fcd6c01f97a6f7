import type { WhatsAppMessageRecord } from '../records.js';
import { escapeHtml } from './messages-html.js';

/**
 * A WhatsApp message in the Messages conversation page's style (conversationHtmlHead, service "WhatsApp"): bubbles
 * left and right, group events and notices centred, photos and stickers inline, videos and voice notes with
 * players, documents and contact cards as links to the copied files, locations as a link to a map (a link only:
 * the page loads nothing remote), deleted-for-everyone messages as the phone shows them.
 */
export function whatsAppMessageHtml(
  message: WhatsAppMessageRecord,
  href: (file: string) => string,
  quotedId?: number,
): string {
  const who = message.isFromMe ? 'Me' : (message.senderName ?? message.senderJid ?? 'Unknown');
  const when = escapeHtml(message.date ?? 'no date');
  const tags = message.origin === 'recovered' ? '<div class="tag">Recovered (deleted)</div>' : '';
  const classes = (extra: string[]): string =>
    escapeHtml(['msg', ...extra, message.origin !== 'live' ? 'deleted' : ''].filter(Boolean).join(' '));

  if (message.kind === 'group-event' || message.kind === 'system') {
    const actor = message.isFromMe ? 'You' : message.senderName;
    const line =
      message.kind === 'group-event' && message.groupEventType === 1
        ? `${actor ?? 'Someone'} changed the group subject to “${message.text ?? ''}”`
        : [
            message.kind === 'group-event' ? `Group event ${message.groupEventType ?? '?'}` : 'Notice',
            actor ? `(${actor})` : '',
            message.text ?? '',
          ]
            .filter(Boolean)
            .join(' ');
    return `<div class="${classes(['event'])}" id="m${message.id}"><div class="meta">${when}</div><div class="bubble">${escapeHtml(line)}</div>${tags}</div>\n`;
  }

  const parts = [`<div class="meta">${escapeHtml(who)} · ${when}${message.starred ? ' · ★' : ''}</div>`];
  if (message.replyToStanzaId !== null) {
    parts.push(
      quotedId === undefined
        ? '<span class="quote">↩ reply to a message not in this export</span>'
        : `<a class="quote" href="#m${quotedId}">↩ reply to an earlier message</a>`,
    );
  }
  if (message.deletedForEveryone) {
    parts.push(
      `<div class="bubble">🚫 ${message.isFromMe ? 'You deleted this message' : 'This message was deleted'}</div>`,
    );
    return `<div class="${classes([message.isFromMe ? 'me' : 'them', 'WhatsApp', 'revoked'])}" id="m${message.id}">${parts.join('')}${tags}</div>\n`;
  }
  const media = message.media;
  if (media !== null) {
    const link = media.file === null ? null : escapeHtml(href(media.file));
    const label = escapeHtml(
      media.title ?? media.vcardName ?? media.localPath?.slice(media.localPath.lastIndexOf('/') + 1) ?? message.kind,
    );
    if (message.kind === 'location' && media.latitude !== null && media.longitude !== null) {
      const at = `${media.latitude.toFixed(6)}, ${media.longitude.toFixed(6)}`;
      parts.push(
        `<div class="bubble"><a href="https://www.openstreetmap.org/?mlat=${media.latitude}&amp;mlon=${media.longitude}#map=16/${media.latitude}/${media.longitude}">📍 ${escapeHtml(at)}</a>${media.title ? `<div class="caption">${escapeHtml(media.title)}</div>` : ''}</div>`,
      );
    } else if (link === null) {
      const caption =
        media.title && message.kind !== 'document' ? `<div class="caption">${escapeHtml(media.title)}</div>` : '';
      const name = escapeHtml(media.localPath?.slice(media.localPath.lastIndexOf('/') + 1) ?? label);
      parts.push(`<div class="bubble">[${escapeHtml(message.kind)} ${name}: not in the backup]${caption}</div>`);
    } else if (message.kind === 'image' || message.kind === 'sticker') {
      parts.push(`<a href="${link}"><img class="att" src="${link}" alt="${label}"></a>`);
      if (media.title) parts.push(`<div class="bubble caption">${escapeHtml(media.title)}</div>`);
    } else if (message.kind === 'video' || message.kind === 'gif') {
      parts.push(`<video class="att" controls src="${link}"></video>`);
      if (media.title) parts.push(`<div class="bubble caption">${escapeHtml(media.title)}</div>`);
    } else if (message.kind === 'audio') {
      parts.push(`<audio controls src="${link}"></audio>`);
    } else if (message.kind === 'contact') {
      parts.push(`<div class="bubble"><a href="${link}">👤 ${label}</a></div>`);
    } else {
      parts.push(`<div class="bubble"><a href="${link}">📄 ${label}</a></div>`);
    }
  }
  const body = (message.text ?? '').trim();
  if (body) parts.push(`<div class="bubble">${escapeHtml(body)}</div>`);
  return `<div class="${classes([message.isFromMe ? 'me' : 'them', 'WhatsApp'])}" id="m${message.id}">${parts.join('')}${tags}</div>\n`;
}
