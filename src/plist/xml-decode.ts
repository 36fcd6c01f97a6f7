import { PlistError } from './errors.js';
import { Real, Uid, type PlistDict, type PlistValue } from './types.js';

const MAX_DEPTH = 512;
const INT_MIN = -(1n << 63n);
const UINT_MAX = (1n << 64n) - 1n;

/**
 * Decodes an XML plist. A small tokenizer of our own over the string (indexOf-based, linear): the plist
 * dialect is tiny, and a general XML library would accept far more than a plist and cost speed.
 */
export function parseXmlPlist(input: string | Buffer): PlistValue {
  let text = typeof input === 'string' ? input : input.toString('utf8');
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  const parser = new XmlPlistParser(text);
  return parser.document();
}

class XmlPlistParser {
  private pos = 0;

  constructor(private readonly text: string) {}

  document(): PlistValue {
    this.skipMisc();
    let tag = this.openTag();
    const wrapped = tag.name === 'plist';
    if (wrapped) {
      if (tag.selfClosing) throw this.error('an empty <plist/>');
      this.skipMisc();
      tag = this.openTag();
    }
    const value = this.value(tag, 0);
    this.skipMisc();
    if (wrapped) {
      this.closeTag('plist');
      this.skipMisc();
    }
    if (this.pos < this.text.length) throw this.error('content after the plist');
    return value;
  }

  private value(tag: { name: string; selfClosing: boolean }, depth: number): PlistValue {
    if (depth > MAX_DEPTH) throw new PlistError('PLIST_TOO_LARGE', `nesting deeper than ${MAX_DEPTH}`);
    switch (tag.name) {
      case 'dict':
        return tag.selfClosing ? {} : this.dict(depth);
      case 'array':
        return tag.selfClosing ? [] : this.array(depth);
      case 'string':
        return tag.selfClosing ? '' : this.textUntil('string');
      case 'true':
      case 'false':
        if (!tag.selfClosing) this.closeTag(tag.name);
        return tag.name === 'true';
      case 'integer':
        return parseInteger(tag.selfClosing ? '' : this.textUntil('integer').trim(), this);
      case 'real':
        return new Real(parseReal(tag.selfClosing ? '' : this.textUntil('real').trim(), this));
      case 'date': {
        const raw = tag.selfClosing ? '' : this.textUntil('date').trim();
        const time = Date.parse(raw);
        if (Number.isNaN(time)) throw this.error(`a bad date "${raw.slice(0, 40)}"`);
        return new Date(time);
      }
      case 'data': {
        const raw = tag.selfClosing ? '' : this.textUntil('data').replace(/\s+/g, '');
        if (!/^[A-Za-z0-9+/]*={0,2}$/.test(raw)) throw this.error('data that is not base64');
        return Buffer.from(raw, 'base64');
      }
      default:
        throw this.error(`an unknown element <${tag.name}>`);
    }
  }

  private dict(depth: number): PlistValue {
    const out: PlistDict = {};
    for (;;) {
      this.skipMisc();
      if (this.text.startsWith('</', this.pos)) {
        this.closeTag('dict');
        break;
      }
      const keyTag = this.openTag();
      if (keyTag.name !== 'key') throw this.error(`<${keyTag.name}> where a <key> was expected`);
      const key = keyTag.selfClosing ? '' : this.textUntil('key');
      this.skipMisc();
      const value = this.value(this.openTag(), depth + 1);
      Object.defineProperty(out, key, { value, enumerable: true, writable: true, configurable: true });
    }
    // CoreFoundation writes a UID as a one-key dict {CF$UID: n}.
    const keys = Object.keys(out);
    if (keys.length === 1 && keys[0] === 'CF$UID' && typeof out.CF$UID === 'number') return new Uid(out.CF$UID);
    return out;
  }

  private array(depth: number): PlistValue[] {
    const out: PlistValue[] = [];
    for (;;) {
      this.skipMisc();
      if (this.text.startsWith('</', this.pos)) {
        this.closeTag('array');
        return out;
      }
      out.push(this.value(this.openTag(), depth + 1));
    }
  }

  /** Text content up to `</name>`, with entities and CDATA decoded. */
  private textUntil(name: string): string {
    const parts: string[] = [];
    for (;;) {
      const lt = this.text.indexOf('<', this.pos);
      if (lt < 0) throw this.error(`an unterminated <${name}>`);
      parts.push(decodeEntities(this.text.slice(this.pos, lt), this));
      if (this.text.startsWith('<![CDATA[', lt)) {
        const end = this.text.indexOf(']]>', lt + 9);
        if (end < 0) throw this.error('an unterminated CDATA section');
        parts.push(this.text.slice(lt + 9, end));
        this.pos = end + 3;
        continue;
      }
      if (this.text.startsWith('<!--', lt)) {
        const end = this.text.indexOf('-->', lt + 4);
        if (end < 0) throw this.error('an unterminated comment');
        this.pos = end + 3;
        continue;
      }
      this.pos = lt;
      this.closeTag(name);
      return parts.join('');
    }
  }

  private openTag(): { name: string; selfClosing: boolean } {
    if (this.text[this.pos] !== '<' || this.text[this.pos + 1] === '/') throw this.error('an element was expected');
    const end = this.text.indexOf('>', this.pos);
    if (end < 0) throw this.error('an unterminated tag');
    const inner = this.text.slice(this.pos + 1, end);
    this.pos = end + 1;
    const selfClosing = inner.endsWith('/');
    const name = (selfClosing ? inner.slice(0, -1) : inner).trim().split(/\s+/)[0] ?? '';
    if (!/^[A-Za-z][\w.-]*$/.test(name)) throw this.error(`a bad tag name "${name.slice(0, 20)}"`);
    return { name, selfClosing };
  }

  private closeTag(name: string): void {
    const expected = `</${name}`;
    if (!this.text.startsWith(expected, this.pos)) throw this.error(`</${name}> was expected`);
    const end = this.text.indexOf('>', this.pos);
    if (end < 0 || this.text.slice(this.pos + expected.length, end).trim() !== '') throw this.error(`a bad </${name}>`);
    this.pos = end + 1;
  }

  /** Skips whitespace, the XML declaration, DOCTYPE, comments and processing instructions. */
  private skipMisc(): void {
    for (;;) {
      while (this.pos < this.text.length && this.text.charCodeAt(this.pos) <= 0x20) this.pos++;
      if (this.text.startsWith('<?', this.pos)) this.skipPast('?>');
      else if (this.text.startsWith('<!--', this.pos)) this.skipPast('-->');
      else if (this.text.startsWith('<!DOCTYPE', this.pos)) this.skipPast('>');
      else return;
    }
  }

  private skipPast(terminator: string): void {
    const end = this.text.indexOf(terminator, this.pos);
    if (end < 0) throw this.error(`an unterminated "${terminator}" construct`);
    this.pos = end + terminator.length;
  }

  error(what: string): PlistError {
    return new PlistError('PLIST_BAD_XML', `bad XML plist: ${what} at offset ${this.pos}`);
  }
}

function decodeEntities(raw: string, parser: XmlPlistParser): string {
  if (!raw.includes('&')) return raw;
  return raw.replace(/&(#x[0-9a-fA-F]+|#[0-9]+|[a-z]+);?/g, (whole, entity: string) => {
    if (!whole.endsWith(';')) throw parser.error(`an unterminated entity "${whole}"`);
    if (entity[0] === '#') {
      const code = entity[1] === 'x' ? parseInt(entity.slice(2), 16) : parseInt(entity.slice(1), 10);
      if (!(code >= 0 && code <= 0x10ffff)) throw parser.error(`a bad character reference "${whole}"`);
      return String.fromCodePoint(code);
    }
    const named: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };
    const value = named[entity];
    if (value === undefined) throw parser.error(`an unknown entity "${whole}"`);
    return value;
  });
}

function parseInteger(raw: string, parser: XmlPlistParser): number | bigint {
  let value: bigint;
  if (/^[+-]?\d+$/.test(raw)) value = BigInt(raw);
  else if (/^[+-]?0x[0-9a-fA-F]+$/.test(raw))
    value = (raw.startsWith('-') ? -1n : 1n) * BigInt(raw.replace(/^[+-]/, ''));
  else throw parser.error(`a bad integer "${raw.slice(0, 40)}"`);
  if (value < INT_MIN || value > UINT_MAX) throw parser.error(`an integer beyond 64 bits`);
  return value >= BigInt(Number.MIN_SAFE_INTEGER) && value <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(value) : value;
}

function parseReal(raw: string, parser: XmlPlistParser): number {
  const lower = raw.toLowerCase();
  if (lower === 'nan') return NaN;
  if (lower === '+infinity' || lower === 'infinity' || lower === 'inf' || lower === '+inf') return Infinity;
  if (lower === '-infinity' || lower === '-inf') return -Infinity;
  if (!/^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(raw)) throw parser.error(`a bad real "${raw.slice(0, 40)}"`);
  return Number(raw);
}
