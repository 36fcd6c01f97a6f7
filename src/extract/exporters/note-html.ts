import type { NoteBody, NoteRun, NoteSpan } from '../notes/note-body.js';
import { noteParagraphs } from '../notes/note-body.js';
import type { NoteAttachmentView } from '../notes/note-entry.js';
import type { NoteTable } from '../notes/note-table.js';
import type { NoteRecord } from '../records.js';
import { escapeHtml } from './messages-html.js';

/** Links a page may carry: the web, mail and phone numbers. Anything else (javascript:, file:, data:) stays text. */
export function safeHref(url: string): string | null {
  return /^(https?:|mailto:|tel:|sms:|facetime:)/i.test(url.trim()) ? url.trim() : null;
}

/** Spans merged where their inline styles are the same (Notes splits runs at every edit). */
export function mergedSpans(spans: NoteSpan[]): NoteSpan[] {
  const merged: NoteSpan[] = [];
  const same = (a: NoteRun, b: NoteRun): boolean =>
    a.attachment === null &&
    b.attachment === null &&
    a.bold === b.bold &&
    a.italic === b.italic &&
    a.underline === b.underline &&
    a.strikethrough === b.strikethrough &&
    Math.sign(a.superscript) === Math.sign(b.superscript) &&
    a.link === b.link &&
    a.color === b.color;
  for (const span of spans) {
    const last = merged[merged.length - 1];
    if (last && same(last.run, span.run)) merged[merged.length - 1] = { text: last.text + span.text, run: last.run };
    else merged.push(span);
  }
  return merged;
}

export type AttachmentLookup = (identifier: string) => NoteAttachmentView | undefined;

function tableHtml(table: NoteTable, attachments: AttachmentLookup, href: (file: string) => string): string {
  const cell = (body: NoteBody): string =>
    noteParagraphs(body)
      .map((p) => inlineHtml(p.spans, attachments, href))
      .join('<br>');
  return `<table>${table.rows.map((row) => `<tr>${row.map((c) => `<td>${cell(c)}</td>`).join('')}</tr>`).join('')}</table>`;
}

function attachmentHtml(
  view: NoteAttachmentView | undefined,
  attachments: AttachmentLookup,
  href: (file: string) => string,
): string {
  if (view === undefined) return '<span class="att missing">[attachment]</span>';
  const name = escapeHtml(view.record.name ?? view.record.uti ?? 'attachment');
  if (view.kind === 'inline') return `<span class="inline">${escapeHtml(view.text ?? '')}</span>`;
  if (view.kind === 'table' && view.table) return tableHtml(view.table, attachments, href);
  if (view.kind === 'link' && view.url) {
    const url = safeHref(view.url);
    return url ? `<a href="${escapeHtml(url)}">${escapeHtml(view.url)}</a>` : escapeHtml(view.url);
  }
  if (view.record.file === null)
    return `<span class="att missing">[${name}${view.source === null && view.record.storedPath ? ': not in the backup' : ''}]</span>`;
  const link = escapeHtml(href(view.record.file));
  return view.kind === 'image'
    ? `<a href="${link}"><img class="att" src="${link}" alt="${name}"></a>`
    : `<a class="att" href="${link}">${name}</a>`;
}

function inlineHtml(spans: NoteSpan[], attachments: AttachmentLookup, href: (file: string) => string): string {
  let html = '';
  for (const { text, run } of mergedSpans(spans)) {
    if (run.attachment) {
      html += attachmentHtml(attachments(run.attachment.identifier), attachments, href).repeat(
        Math.max(1, [...text].length),
      );
      continue;
    }
    let piece = escapeHtml(text);
    if (run.bold) piece = `<b>${piece}</b>`;
    if (run.italic) piece = `<i>${piece}</i>`;
    if (run.underline) piece = `<u>${piece}</u>`;
    if (run.strikethrough) piece = `<s>${piece}</s>`;
    if (run.superscript > 0) piece = `<sup>${piece}</sup>`;
    if (run.superscript < 0) piece = `<sub>${piece}</sub>`;
    if (run.color) piece = `<span style="color:${escapeHtml(run.color)}">${piece}</span>`;
    const url = run.link === null ? null : safeHref(run.link);
    if (url) piece = `<a href="${escapeHtml(url)}">${piece}</a>`;
    html += piece;
  }
  return html;
}

const LIST_TAG = { bullet: 'ul', dash: 'ul', numbered: 'ol', checklist: 'ul' } as const;

/** The body's paragraphs as HTML: headings, lists (nested by indent through margins), checklists, quotes, code. */
export function noteBodyHtml(body: NoteBody, attachments: AttachmentLookup, href: (file: string) => string): string {
  const out: string[] = [];
  // The list or code block being written, closed when a paragraph of another kind comes.
  const state: { list: { tag: string; kind: string } | null; pre: string[] | null } = { list: null, pre: null };
  const close = (): void => {
    if (state.list) out.push(`</${state.list.tag}>`);
    if (state.pre) out.push(`<pre>${state.pre.join('\n')}</pre>`);
    state.list = null;
    state.pre = null;
  };
  for (const p of noteParagraphs(body)) {
    const { kind, indent, alignment, checked, blockQuote } = p.style;
    const inner = inlineHtml(p.spans, attachments, href);
    const style = [
      indent > 0 ? `margin-left:${indent * 1.5}em` : '',
      alignment !== 'left' ? `text-align:${alignment}` : '',
    ]
      .filter(Boolean)
      .join(';');
    const attr = style ? ` style="${style}"` : '';
    if (kind === 'monospaced') {
      if (state.list) close();
      (state.pre ??= []).push(inner);
      continue;
    }
    if (kind === 'bullet' || kind === 'dash' || kind === 'numbered' || kind === 'checklist') {
      const tag = LIST_TAG[kind];
      if (state.pre || state.list?.kind !== kind) {
        close();
        state.list = { tag, kind };
        out.push(`<${tag} class="${kind}">`);
      }
      const box = kind === 'checklist' ? `<span class="box">${checked ? '☑' : '☐'}</span> ` : '';
      out.push(`<li${attr}${kind === 'checklist' && checked ? ' class="done"' : ''}>${box}${inner}</li>`);
      continue;
    }
    close();
    const tag = kind === 'title' ? 'h1' : kind === 'heading' ? 'h2' : kind === 'subheading' ? 'h3' : 'p';
    const line = `<${tag}${attr}>${inner === '' ? '<br>' : inner}</${tag}>`;
    out.push(blockQuote ? `<blockquote>${line}</blockquote>` : line);
  }
  close();
  return out.join('\n');
}

/** The origin as the page shows it. */
function originTag(note: NoteRecord): string {
  if (note.origin === 'recovered') return '<p class="tag">Recovered (deleted)</p>';
  if (note.origin === 'recently-deleted') return '<p class="tag">Recently Deleted</p>';
  return '';
}

/**
 * A note's page: needs nothing but itself and its attachments folder (no scripts, no remote resources, a
 * Content-Security-Policy that forbids both), every value from the backup escaped.
 */
export function noteHtml(
  note: NoteRecord,
  body: NoteBody | null,
  attachments: AttachmentLookup,
  href: (file: string) => string,
): string {
  const title = note.title ?? 'Untitled note';
  const meta = [
    note.account,
    note.folder,
    note.created ? `created ${note.created}` : null,
    note.modified ? `modified ${note.modified}` : null,
    note.pinned ? 'pinned' : null,
  ]
    .filter((v): v is string => Boolean(v))
    .map(escapeHtml)
    .join(' · ');
  const content = note.locked
    ? '<p class="locked">This note is locked with a password. Its body is encrypted on the phone and was not exported.</p>'
    : body === null
      ? '<p class="empty">(no readable body)</p>'
      : noteBodyHtml(body, attachments, href);
  return `<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; img-src 'self'; style-src 'unsafe-inline'">
<title>${escapeHtml(title)}</title>
<style>
body{font-family:-apple-system,system-ui,sans-serif;max-width:46rem;margin:0 auto;padding:1rem;background:#fff;color:#111;line-height:1.4}
.meta{color:#666;font-size:.8rem} .tag{color:#ff453a;font-size:.85rem} p{margin:.15rem 0} h1,h2,h3{margin:.5rem 0 .25rem}
ul.checklist{list-style:none;padding-left:.5rem} li.done{color:#666;text-decoration:line-through} blockquote{border-left:3px solid #ccc;margin:.2rem 0;padding-left:.6rem}
pre{background:#f4f4f4;padding:.5rem;overflow:auto} table{border-collapse:collapse;margin:.4rem 0} td{border:1px solid #bbb;padding:.25rem .5rem;vertical-align:top}
img.att{max-width:100%;border-radius:.4rem;display:block;margin:.3rem 0} .locked,.empty{color:#666;font-style:italic} .missing{color:#a00}
</style></head><body>
<p class="meta">${meta}</p>
${originTag(note)}<article>
${content}
</article>
</body></html>
`;
}
