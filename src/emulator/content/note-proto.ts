import { gzipSync } from 'node:zlib';
import type { TruthNoteParagraph } from './truth.js';

/**
 * Writes Apple Notes bodies the way ZICNOTEDATA.ZDATA holds them: a gzip'd `NoteStoreProto` protobuf
 * (field numbers as apple_cloud_notes_parser's notestore.proto documents them; Apple's own blobs start
 * `08 00 12 …`). Our own encoder, independent of the extractor's reader, so a mistake on one side shows.
 */

function varint(value: number | bigint): Buffer {
  let v = BigInt.asUintN(64, BigInt(value));
  const bytes: number[] = [];
  do {
    const low = Number(v & 0x7fn);
    v >>= 7n;
    bytes.push(v === 0n ? low : low | 0x80);
  } while (v !== 0n);
  return Buffer.from(bytes);
}

function intField(number: number, value: number): Buffer {
  return Buffer.concat([varint(number << 3), varint(value)]);
}

function bytesField(number: number, value: Buffer | string): Buffer {
  const body = typeof value === 'string' ? Buffer.from(value, 'utf8') : value;
  return Buffer.concat([varint((number << 3) | 2), varint(body.length), body]);
}

const STYLE_TYPE: Record<TruthNoteParagraph['style'], number> = {
  title: 0,
  heading: 1,
  body: -1,
  bullet: 100,
  numbered: 102,
  checklist: 103,
};

interface Run {
  length: number;
  paragraph: TruthNoteParagraph;
  bold: boolean;
  link: string | null;
  attachment: { identifier: string; uti: string } | null;
}

/** A paragraph's runs: plain text, its bold substring, its link and each U+FFFC attachment as runs of their own. */
function paragraphRuns(
  paragraph: TruthNoteParagraph,
  attachments: Map<number, { identifier: string; uti: string }>,
  offset: number,
): Run[] {
  const runs: Run[] = [];
  const text = paragraph.text;
  const marks: Array<{ at: number; length: number; bold: boolean; link: string | null }> = [];
  if (paragraph.bold)
    marks.push({ at: text.indexOf(paragraph.bold), length: paragraph.bold.length, bold: true, link: null });
  if (paragraph.link)
    marks.push({
      at: text.indexOf(paragraph.link.text),
      length: paragraph.link.text.length,
      bold: false,
      link: paragraph.link.url,
    });
  marks.sort((a, b) => a.at - b.at);
  let at = 0;
  const plain = (to: number): void => {
    // Attachments split plain text: each U+FFFC is a run of length 1 with its attachment_info.
    while (at < to) {
      const next = text.indexOf('\uFFFC', at);
      if (next === -1 || next >= to) {
        runs.push({ length: to - at, paragraph, bold: false, link: null, attachment: null });
        at = to;
      } else {
        if (next > at) runs.push({ length: next - at, paragraph, bold: false, link: null, attachment: null });
        runs.push({
          length: 1,
          paragraph,
          bold: false,
          link: null,
          attachment: attachments.get(offset + next) ?? null,
        });
        at = next + 1;
      }
    }
  };
  for (const mark of marks) {
    if (mark.at < at) continue;
    plain(mark.at);
    runs.push({ length: mark.length, paragraph, bold: mark.bold, link: mark.link, attachment: null });
    at = mark.at + mark.length;
  }
  plain(text.length);
  return runs;
}

function encodeRun(run: Run, checklistUuid: Buffer): Buffer {
  const style = STYLE_TYPE[run.paragraph.style];
  const paragraphStyle = Buffer.concat([
    style === -1 ? Buffer.alloc(0) : intField(1, style),
    run.paragraph.style === 'checklist'
      ? bytesField(5, Buffer.concat([bytesField(1, checklistUuid), intField(2, run.paragraph.checked ? 1 : 0)]))
      : Buffer.alloc(0),
  ]);
  return Buffer.concat([
    intField(1, run.length),
    bytesField(2, paragraphStyle),
    run.bold ? intField(5, 1) : Buffer.alloc(0),
    run.link ? bytesField(9, run.link) : Buffer.alloc(0),
    run.attachment
      ? bytesField(12, Buffer.concat([bytesField(1, run.attachment.identifier), bytesField(2, run.attachment.uti)]))
      : Buffer.alloc(0),
  ]);
}

/**
 * The protobuf (not yet gzip'd) of a note made of `paragraphs` joined by "\n". Each paragraph's style covers its
 * line break, as Notes writes it; attachments (U+FFFC in the text) are found in `attachments` by their UTF-16
 * offset in the whole text. `checklistUuid` gives each checklist item its 16-byte id.
 */
export function noteStoreProto(
  paragraphs: TruthNoteParagraph[],
  attachments: Map<number, { identifier: string; uti: string }>,
  checklistUuid: (index: number) => Buffer,
): Buffer {
  const text = paragraphs.map((p) => p.text).join('\n');
  const runs: Buffer[] = [];
  let offset = 0;
  paragraphs.forEach((paragraph, index) => {
    const mine = paragraphRuns(paragraph, attachments, offset);
    if (index < paragraphs.length - 1) {
      // The newline belongs to the paragraph: lengthen its last run, or add one when that run is an attachment.
      const last = mine[mine.length - 1];
      if (last && last.attachment === null) last.length += 1;
      else mine.push({ length: 1, paragraph, bold: false, link: null, attachment: null });
    }
    for (const run of mine) runs.push(bytesField(5, encodeRun(run, checklistUuid(index))));
    offset += paragraph.text.length + 1;
  });
  const note = Buffer.concat([bytesField(2, text), ...runs]);
  const document = Buffer.concat([intField(1, 0), intField(2, 0), bytesField(3, note)]);
  return Buffer.concat([intField(1, 0), bytesField(2, document)]);
}

/** What ZICNOTEDATA.ZDATA holds: the protobuf, gzip'd. */
export function noteStoreData(
  paragraphs: TruthNoteParagraph[],
  attachments: Map<number, { identifier: string; uti: string }>,
  checklistUuid: (index: number) => Buffer,
): Buffer {
  return gzipSync(noteStoreProto(paragraphs, attachments, checklistUuid));
}
