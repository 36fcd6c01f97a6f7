import type { ChatRecord, MessageRecord } from '../records.js';

export function escapeHtml(value: string): string {
  return value
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&#39;');
}

/** A conversation page that needs nothing but itself and its attachments folder: no scripts, no remote resources. */
export function conversationHtmlHead(
  chat: Pick<ChatRecord, 'displayName' | 'identifier' | 'participants' | 'service'>,
): string {
  const title =
    chat.displayName ||
    chat.participants.map((p) => p.name ?? p.handle).join(', ') ||
    chat.identifier ||
    'Conversation';
  return `<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; img-src 'self'; style-src 'unsafe-inline'; media-src 'self'">
<title>${escapeHtml(title)}</title>
<style>
body{font-family:-apple-system,system-ui,sans-serif;max-width:46rem;margin:0 auto;padding:1rem;background:#fff;color:#111}
h1{font-size:1.2rem} .meta{color:#666;font-size:.8rem} .msg{margin:.4rem 0;display:flex;flex-direction:column}
.bubble{max-width:75%;padding:.45rem .75rem;border-radius:1rem;white-space:pre-wrap;word-wrap:break-word}
.me{align-items:flex-end} .me .bubble{background:#0a84ff;color:#fff} .me.SMS .bubble{background:#30d158}
.them{align-items:flex-start} .them .bubble{background:#e9e9eb} .deleted .bubble{outline:2px dashed #ff453a}
.tag{color:#ff453a;font-size:.75rem} img.att{max-width:16rem;border-radius:.6rem;display:block;margin-top:.3rem}
.me.WhatsApp .bubble{background:#d9fdd3;color:#111} .event{align-items:center} .event .bubble{background:#f2f2f2;color:#555;font-size:.8rem;text-align:center}
.revoked .bubble{font-style:italic;color:#666;background:#f2f2f2} video.att{max-width:16rem;border-radius:.6rem;display:block} audio{display:block;margin-top:.3rem}
.caption{margin-top:.25rem} .quote{border-left:3px solid #25d366;padding-left:.4rem;color:#555;font-size:.8rem;display:block}
</style></head><body>
<h1>${escapeHtml(title)}</h1>
<p class="meta">${escapeHtml([chat.service, ...chat.participants.map((p) => (p.name ? `${p.name} <${p.handle}>` : p.handle))].filter(Boolean).join(' · '))}</p>
`;
}

/** The page's view of a message; `attachmentHref` maps an exported file to a link relative to the page. */
export function messageHtml(message: MessageRecord, attachmentHref: (file: string) => string): string {
  const who = message.isFromMe ? 'Me' : (message.handleName ?? message.handle ?? 'Unknown');
  const body = (message.text ?? '').replace(/\uFFFC/g, '').trim();
  const parts = [
    `<div class="meta">${escapeHtml(who)} · ${escapeHtml(message.date ?? 'no date')}${message.dateSuspect ? ' (date unclear)' : ''}${message.service ? ` · ${escapeHtml(message.service)}` : ''}${message.dateEdited ? ` · edited ${escapeHtml(message.dateEdited)}` : ''}</div>`,
  ];
  if (message.dateRetracted) parts.push(`<div class="tag">Unsent on ${escapeHtml(message.dateRetracted)}</div>`);
  if (body) parts.push(`<div class="bubble">${escapeHtml(body)}</div>`);
  for (const a of message.attachments) {
    const name = escapeHtml(a.transferName ?? a.storedPath ?? 'attachment');
    if (a.file === null) parts.push(`<div class="bubble">[${name}: not in the backup]</div>`);
    else if ((a.mimeType ?? '').startsWith('image/'))
      parts.push(
        `<a href="${escapeHtml(attachmentHref(a.file))}"><img class="att" src="${escapeHtml(attachmentHref(a.file))}" alt="${name}"></a>`,
      );
    else parts.push(`<div class="bubble"><a href="${escapeHtml(attachmentHref(a.file))}">${name}</a></div>`);
  }
  if (message.origin === 'recovered') parts.push('<div class="tag">Recovered (deleted)</div>');
  if (message.origin === 'recently-deleted')
    parts.push(
      `<div class="tag">Recently Deleted${message.dateDeleted ? ` on ${escapeHtml(message.dateDeleted)}` : ''}</div>`,
    );
  const classes = [
    'msg',
    message.isFromMe ? 'me' : 'them',
    message.service ?? '',
    message.origin !== 'live' ? 'deleted' : '',
  ]
    .filter(Boolean)
    .join(' ');
  return `<div class="${escapeHtml(classes)}" id="m${message.id}">${parts.join('')}</div>\n`;
}

export const CONVERSATION_HTML_TAIL = '</body></html>\n';
