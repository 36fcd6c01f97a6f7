import { noteParagraphs, type NoteBody, type NoteSpan } from '../notes/note-body.js';
import type { NoteAttachmentView } from '../notes/note-entry.js';
import type { NoteTable } from '../notes/note-table.js';
import type { NoteRecord } from '../records.js';
import { mergedSpans, safeHref, type AttachmentLookup } from './note-html.js';

/** Text that Markdown must not read as markup: emphasis, code, links, HTML, tables. */
export function escapeMarkdown(text: string): string {
  return text.replace(/[\\`*_[\]<>~|#]/g, '\\$&');
}

/** A line must not start a block it is not (a heading, list item, quote, rule) by accident. */
function escapeLineStart(line: string): string {
  return line.replace(
    /^(\s*)([-+>=]|\d+[.)])/,
    (_, space: string, marker: string) =>
      `${space}${marker.replace(/^(\d+)([.)])$/, '$1\\$2').replace(/^([-+>=])$/, '\\$1')}`,
  );
}

/** A URL inside `(...)`: spaces and parentheses encoded so the link does not end early. */
function linkTarget(url: string): string {
  return url.replace(/[ ()<>]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase().padStart(2, '0')}`);
}

/** Emphasis markers must hug the text: "**bold **" is not bold in CommonMark, so edge spaces go outside. */
function wrap(text: string, marker: string): string {
  const match = /^(\s*)([\s\S]*?)(\s*)$/.exec(text)!;
  return match[2] === '' ? text : `${match[1]}${marker}${match[2]}${marker}${match[3]}`;
}

function tableMarkdown(table: NoteTable): string {
  const cell = (body: NoteBody): string => escapeMarkdown(body.text.replace(/\s*\n\s*/g, ' ').trim());
  const width = Math.max(1, ...table.rows.map((r) => r.length));
  const rows = table.rows.map(
    (r) => `| ${Array.from({ length: width }, (_, i) => (r[i] ? cell(r[i]!) : '')).join(' | ')} |`,
  );
  const header = rows.length > 0 ? rows[0]! : `|${' |'.repeat(width)}`;
  return [header, `|${' --- |'.repeat(width)}`, ...rows.slice(1)].join('\n');
}

function attachmentMarkdown(view: NoteAttachmentView | undefined, href: (file: string) => string): string {
  if (view === undefined) return '\\[attachment\\]';
  const name = escapeMarkdown(view.record.name ?? view.record.uti ?? 'attachment');
  if (view.kind === 'inline') return escapeMarkdown(view.text ?? '');
  if (view.kind === 'table' && view.table) return `\n\n${tableMarkdown(view.table)}\n\n`;
  if (view.kind === 'link' && view.url)
    return safeHref(view.url) ? `<${linkTarget(view.url)}>` : escapeMarkdown(view.url);
  if (view.record.file === null)
    return `\\[${name}${view.source === null && view.record.storedPath ? ': not in the backup' : ''}\\]`;
  return `${view.kind === 'image' ? '!' : ''}[${name}](${linkTarget(href(view.record.file))})`;
}

function inlineMarkdown(spans: NoteSpan[], attachments: AttachmentLookup, href: (file: string) => string): string {
  let out = '';
  for (const { text, run } of mergedSpans(spans)) {
    if (run.attachment) {
      out += attachmentMarkdown(attachments(run.attachment.identifier), href).repeat(Math.max(1, [...text].length));
      continue;
    }
    let piece = escapeMarkdown(text);
    if (run.bold && run.italic) piece = wrap(piece, '***');
    else if (run.bold) piece = wrap(piece, '**');
    else if (run.italic) piece = wrap(piece, '*');
    if (run.strikethrough) piece = wrap(piece, '~~');
    const url = run.link === null ? null : safeHref(run.link);
    if (url && piece.trim() !== '') piece = `[${piece}](${linkTarget(url)})`;
    out += piece;
  }
  return out;
}

/**
 * The body as Markdown (CommonMark + GitHub task lists and tables): title and headings as #, ##, ###; lists
 * and checklists ("- [x]") indented by level; monospaced lines fenced; quotes with ">"; lines of one paragraph
 * kept apart with hard breaks. Text is escaped, so nothing the note says becomes markup.
 */
export function noteBodyMarkdown(
  body: NoteBody,
  attachments: AttachmentLookup,
  href: (file: string) => string,
): string {
  const lines: string[] = [];
  let fence = false;
  let previous: string | null = null;
  for (const p of noteParagraphs(body)) {
    const { kind, indent, checked, blockQuote } = p.style;
    if (kind === 'monospaced') {
      if (!fence) lines.push(...(lines.length > 0 && lines[lines.length - 1] !== '' ? [''] : []), '```');
      fence = true;
      lines.push(
        p.spans
          .map((s) => (s.run.attachment ? attachmentMarkdown(attachments(s.run.attachment.identifier), href) : s.text))
          .join('')
          .replace(/```/g, '`\u200b``'),
      );
      previous = 'code';
      continue;
    }
    if (fence) lines.push('```');
    fence = false;
    const inner = inlineMarkdown(p.spans, attachments, href);
    const pad = '  '.repeat(indent);
    let line: string;
    if (kind === 'title') line = `# ${inner}`;
    else if (kind === 'heading') line = `## ${inner}`;
    else if (kind === 'subheading') line = `### ${inner}`;
    else if (kind === 'bullet' || kind === 'dash') line = `${pad}- ${inner}`;
    else if (kind === 'numbered') line = `${pad}1. ${inner}`;
    else if (kind === 'checklist') line = `${pad}- [${checked ? 'x' : ' '}] ${inner}`;
    else line = escapeLineStart(inner);
    if (blockQuote) line = `> ${line}`;
    if (inner === '' && kind === 'body') {
      lines.push('');
      previous = null;
      continue;
    }
    // Blocks of different kinds are kept apart by a blank line (else a line after a list or quote would continue
    // it); consecutive lines of one paragraph are kept on their own lines by a trailing backslash (a hard break).
    const block = ['bullet', 'dash', 'numbered', 'checklist'].includes(kind)
      ? 'list'
      : `${kind}${blockQuote ? '>' : ''}`;
    const last = lines.length - 1;
    if (previous !== null && previous !== block && lines[last] !== '') lines.push('');
    else if (previous === block && kind === 'body' && lines[last] !== '') lines[last] += '\\';
    lines.push(line);
    previous = block;
  }
  if (fence) lines.push('```');
  return lines.join('\n').replace(/\n{3,}/g, '\n\n');
}

export function noteMarkdown(
  note: NoteRecord,
  body: NoteBody | null,
  attachments: AttachmentLookup,
  href: (file: string) => string,
): string {
  const meta = [
    note.account,
    note.folder,
    note.created ? `created ${note.created}` : null,
    note.modified ? `modified ${note.modified}` : null,
    note.pinned ? 'pinned' : null,
    note.origin === 'recovered'
      ? 'Recovered (deleted)'
      : note.origin === 'recently-deleted'
        ? 'Recently Deleted'
        : null,
  ].filter((v): v is string => Boolean(v));
  const content = note.locked
    ? `# ${escapeMarkdown(note.title ?? 'Locked note')}\n\n*This note is locked with a password. Its body is encrypted on the phone and was not exported.*`
    : body === null
      ? `# ${escapeMarkdown(note.title ?? 'Untitled note')}\n\n*(no readable body)*`
      : noteBodyMarkdown(body, attachments, href);
  return `<!-- ${meta.join(' · ').replace(/--/g, '- -')} -->\n\n${content}\n`;
}
