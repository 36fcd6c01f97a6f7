import { gunzipSync } from 'node:zlib';
import { ExtractError } from '../errors.js';
import { ProtoMessage } from '../protobuf.js';

/**
 * Apple Notes' body format (iOS 9+), as ZICNOTEDATA.ZDATA holds it: a gzip stream of a `NoteStoreProto` protobuf.
 * Field numbers as documented by apple_cloud_notes_parser's notestore.proto: NoteStoreProto.document = 2;
 * Document.version = 2, .note = 3; Note.note_text = 2, .attribute_run = 5 (repeated). Each AttributeRun styles the
 * next `length` UTF-16 code units of the text: paragraph_style = 2 (style_type 1, alignment 2, indent_amount 4,
 * checklist 5 {uuid 1, done 2}, block_quote 8), font = 3, font_weight = 5 (1 bold, 2 italic, 3 both),
 * underlined = 6, strikethrough = 7, superscript = 8 (sign: up or down), link = 9, color = 10 (four floats),
 * attachment_info = 12 {attachment_identifier 1, type_uti 2}. An attachment sits in the text as U+FFFC.
 */

/** Paragraph kinds from ParagraphStyle.style_type. */
export type NoteParagraphKind =
  | 'body'
  | 'title'
  | 'heading'
  | 'subheading'
  | 'monospaced'
  | 'bullet'
  | 'dash'
  | 'numbered'
  | 'checklist';

const STYLE_TYPES: Record<number, NoteParagraphKind> = {
  0: 'title',
  1: 'heading',
  2: 'subheading',
  4: 'monospaced',
  100: 'bullet',
  101: 'dash',
  102: 'numbered',
  103: 'checklist',
};
const ALIGNMENTS = ['left', 'center', 'right', 'justify'] as const;

export interface NoteParagraphStyle {
  kind: NoteParagraphKind;
  /** Nesting level of lists and quotes (0 = none). */
  indent: number;
  alignment: (typeof ALIGNMENTS)[number];
  /** Checklist items only: ticked or not. */
  checked: boolean | null;
  blockQuote: boolean;
}

export interface NoteAttachmentRef {
  /** ZICCLOUDSYNCINGOBJECT.ZIDENTIFIER of the attachment row. */
  identifier: string;
  uti: string | null;
}

export interface NoteRun {
  /** Offset and length in UTF-16 code units (JavaScript string indices). */
  start: number;
  length: number;
  paragraph: NoteParagraphStyle;
  bold: boolean;
  italic: boolean;
  underline: boolean;
  strikethrough: boolean;
  /** Positive: superscript, negative: subscript. */
  superscript: number;
  link: string | null;
  /** `#RRGGBB`. */
  color: string | null;
  attachment: NoteAttachmentRef | null;
}

export interface NoteBody {
  text: string;
  runs: NoteRun[];
}

/** gzip streams start 1f 8b; a body bigger than this once inflated is refused rather than held in memory. */
const MAX_INFLATED = 64 * 1024 * 1024;

/** Inflates a gzip'd blob (a raw protobuf passes through); a broken or truncated stream is an error. */
export function inflateNoteData(data: Buffer): Buffer {
  if (data.length < 2 || data[0] !== 0x1f || data[1] !== 0x8b) return data;
  try {
    return gunzipSync(data, { maxOutputLength: MAX_INFLATED });
  } catch (error) {
    throw new ExtractError('EXTRACT_NOTE_BODY_UNREADABLE', `note body does not inflate: ${(error as Error).message}`, {
      cause: error,
    });
  }
}

const DEFAULT_PARAGRAPH: NoteParagraphStyle = {
  kind: 'body',
  indent: 0,
  alignment: 'left',
  checked: null,
  blockQuote: false,
};

/** A run of body text with no styling: plain notes, and text a note's runs leave uncovered. */
export function unstyledRun(start: number, length: number): NoteRun {
  return {
    start,
    length,
    paragraph: DEFAULT_PARAGRAPH,
    bold: false,
    italic: false,
    underline: false,
    strikethrough: false,
    superscript: 0,
    link: null,
    color: null,
    attachment: null,
  };
}

function paragraphStyle(message: ProtoMessage | undefined): NoteParagraphStyle {
  if (message === undefined) return DEFAULT_PARAGRAPH;
  const type = message.int(1) ?? -1;
  const checklist = message.message(5);
  return {
    kind: STYLE_TYPES[type] ?? 'body',
    indent: Math.max(0, Math.min(message.int(4) ?? 0, 20)),
    alignment: ALIGNMENTS[message.int(2) ?? 0] ?? 'left',
    checked: checklist === undefined ? null : (checklist.int(2) ?? 0) !== 0,
    blockQuote: (message.int(8) ?? 0) !== 0,
  };
}

function hexColor(message: ProtoMessage | undefined): string | null {
  if (message === undefined) return null;
  const channel = (n: number): string =>
    Math.round(Math.max(0, Math.min(1, message.float(n) ?? 0)) * 255)
      .toString(16)
      .padStart(2, '0')
      .toUpperCase();
  return `#${channel(1)}${channel(2)}${channel(3)}`;
}

/** The Note message inside a NoteStoreProto (document = 2, note = 3), or undefined when the shape is not there. */
export function noteMessage(protobuf: Buffer): ProtoMessage | undefined {
  return new ProtoMessage(protobuf).message(2)?.message(3);
}

/** Text and attribute runs of a Note message (also the shape of a table cell's contents). */
export function noteBodyFromMessage(note: ProtoMessage): NoteBody {
  const text = note.string(2) ?? '';
  const runs: NoteRun[] = [];
  let start = 0;
  for (const run of note.messages(5)) {
    const length = Math.max(0, run.int(1) ?? 0);
    if (length === 0) continue;
    const weight = run.int(5) ?? 0;
    const info = run.message(12);
    const identifier = info?.string(1);
    runs.push({
      start,
      length: Math.min(length, Math.max(0, text.length - start)),
      paragraph: paragraphStyle(run.message(2)),
      bold: weight === 1 || weight === 3,
      italic: weight === 2 || weight === 3,
      underline: (run.int(6) ?? 0) !== 0,
      strikethrough: (run.int(7) ?? 0) !== 0,
      superscript: run.int(8) ?? 0,
      link: run.string(9) ?? null,
      color: hexColor(run.message(10)),
      attachment: identifier === undefined ? null : { identifier, uti: info?.string(2) ?? null },
    });
    start += length;
    if (start >= text.length) break;
  }
  // Text the runs do not cover (a writer that left them short) still belongs to the note, unstyled.
  if (start < text.length) runs.push(unstyledRun(start, text.length - start));
  return { text, runs };
}

/** ZICNOTEDATA.ZDATA (gzip'd or raw NoteStoreProto) → text and runs. */
export function decodeNoteBody(data: Buffer): NoteBody {
  const note = noteMessage(inflateNoteData(data));
  if (note === undefined)
    throw new ExtractError('EXTRACT_PROTOBUF_MALFORMED', 'note body has no NoteStoreProto.document.note');
  return noteBodyFromMessage(note);
}

/** A piece of one line with one set of inline styles. */
export interface NoteSpan {
  text: string;
  run: NoteRun;
}

export interface NoteParagraph {
  style: NoteParagraphStyle;
  spans: NoteSpan[];
}

/**
 * The body as paragraphs (lines split at "\n"), each with the paragraph style of the run that holds its
 * line break (Notes styles a paragraph through its newline; the last line, without one, through its last
 * character) and its inline spans. Attachments stay as U+FFFC spans carrying their reference.
 */
export function noteParagraphs(body: NoteBody): NoteParagraph[] {
  const paragraphs: NoteParagraph[] = [];
  let current: NoteSpan[] = [];
  let style: NoteParagraphStyle | null = null;
  const flush = (): void => {
    paragraphs.push({
      style: style ?? current[current.length - 1]?.run.paragraph ?? DEFAULT_PARAGRAPH,
      spans: current,
    });
    current = [];
    style = null;
  };
  for (const run of body.runs) {
    const chunk = body.text.slice(run.start, run.start + run.length);
    let from = 0;
    for (let nl = chunk.indexOf('\n'); nl !== -1; nl = chunk.indexOf('\n', from)) {
      if (nl > from) current.push({ text: chunk.slice(from, nl), run });
      style = run.paragraph;
      flush();
      from = nl + 1;
    }
    if (from < chunk.length) current.push({ text: chunk.slice(from), run });
  }
  if (current.length > 0) flush();
  return paragraphs;
}
