import type { CarvedRecord } from './carved-record.js';
import type { CarvedValue } from './record.js';

/**
 * Writes `carve --json` lines straight into bytes: the same bytes as `JSON.stringify(carvedRecordToJson(record))`
 * plus a newline, without the object per record, the converted values array, the string built from them and the
 * UTF-8 copy the stream makes of that string. On an sms.db of 20k recovered records (41 columns each) the
 * object-then-stringify way spent about as long in output as a fast carve of the whole file should take.
 * test/unit/operations/carve-json-line.test.ts holds the two to each other for every value kind. It lives with the
 * carver so that carving workers write the lines themselves (parallel.ts): the main thread only passes bytes on.
 */
export class CarvedJsonLineEncoder {
  private buffer: Buffer;
  private pos = 0;

  constructor(private readonly batchBytes = 65536) {
    this.buffer = Buffer.allocUnsafe(batchBytes + 4096);
  }

  /** Bytes waiting to be taken. */
  get length(): number {
    return this.pos;
  }

  /** The bytes written so far, as a view valid until the next write. */
  written(): Buffer {
    return this.buffer.subarray(0, this.pos);
  }

  /** Forgets what was written, keeping the buffer. */
  clear(): void {
    this.pos = 0;
  }

  /** The bytes written so far, handed over (the encoder starts a new buffer: the stream may keep this one). */
  take(): Buffer {
    const taken = this.buffer.subarray(0, this.pos);
    this.buffer = Buffer.allocUnsafe(Math.max(this.batchBytes + 4096, this.pos));
    this.pos = 0;
    return taken;
  }

  /** Appends one record's line, newline included. */
  add(record: CarvedRecord): void {
    this.ascii('{"table":');
    if (record.table === null) this.ascii('null');
    else this.string(record.table);
    if (record.tableDropped) this.ascii(',"tableDropped":true');
    this.ascii(',"source":');
    this.string(record.source);
    this.ascii(',"page":');
    this.number(record.page);
    this.ascii(',"offset":');
    this.number(record.offset);
    this.ascii(',"values":[');
    const values = record.values;
    for (let i = 0; i < values.length; i++) {
      if (i > 0) this.byte(0x2c);
      this.value(values[i]!);
    }
    this.byte(0x5d);
    const rowid = record.rowid;
    if (rowid !== undefined) {
      this.ascii(',"rowid":');
      if (typeof rowid === 'bigint') this.ascii(`"${rowid}"`);
      else this.number(rowid);
    }
    if (record.inferred) {
      this.ascii(',"inferred":[');
      record.inferred.forEach((name, i) => {
        if (i > 0) this.byte(0x2c);
        this.string(name);
      });
      this.byte(0x5d);
    }
    this.byte(0x7d);
    this.byte(0x0a);
  }

  /** One record's line on its own (a copy; the encoder's buffer is reused): for this thread's own records. */
  line(record: CarvedRecord): Buffer {
    const start = this.pos;
    this.add(record);
    const line = Buffer.from(this.buffer.subarray(start, this.pos));
    this.pos = start;
    return line;
  }

  /** As carvedValueToJson then JSON.stringify: bigints and non-finite reals as strings, BLOBs as {base64}. */
  private value(value: CarvedValue): void {
    if (value === null) {
      this.reserve(4);
      const buffer = this.buffer;
      buffer[this.pos] = 0x6e; // n
      buffer[this.pos + 1] = 0x75; // u
      buffer[this.pos + 2] = 0x6c; // l
      buffer[this.pos + 3] = 0x6c; // l
      this.pos += 4;
    } else if (typeof value === 'number') {
      if (Number.isFinite(value)) this.number(value);
      else this.ascii(`"${value}"`);
    } else if (typeof value === 'string') this.string(value);
    else if (typeof value === 'bigint') this.ascii(`"${value}"`);
    else if (Buffer.isBuffer(value)) this.base64(value);
    else this.ascii('{"unknown":true}');
  }

  private reserve(bytes: number): void {
    if (this.pos + bytes <= this.buffer.length) return;
    const grown = Buffer.allocUnsafe(Math.max(this.buffer.length * 2, this.pos + bytes));
    this.buffer.copy(grown, 0, 0, this.pos);
    this.buffer = grown;
  }

  private byte(b: number): void {
    this.reserve(1);
    this.buffer[this.pos++] = b;
  }

  /** Text known to be ASCII and to need no JSON escaping (our own keys, digits, bigints). */
  private ascii(text: string): void {
    this.reserve(text.length);
    const buffer = this.buffer;
    let pos = this.pos;
    for (let i = 0; i < text.length; i++) buffer[pos++] = text.charCodeAt(i);
    this.pos = pos;
  }

  /** As JSON.stringify writes a number (non-finite ones become null; page, offset and rowid never are). */
  private number(value: number): void {
    if (Number.isSafeInteger(value)) {
      // Digits by hand: most values are integers, and String() would make a string for each.
      this.reserve(17);
      if (value < 0) {
        this.buffer[this.pos++] = 0x2d;
        value = -value;
      }
      const buffer = this.buffer;
      if (value < 10) {
        // 0 and 1 are most of a carve's numbers (flags, booleans)
        buffer[this.pos++] = 0x30 + value;
        return;
      }
      let digits = 1;
      for (let rest = value; rest >= 10; rest = Math.floor(rest / 10)) digits++;
      let rest = value;
      let i = this.pos + digits - 1;
      // Past 2^31 in doubles, then in small-integer arithmetic, which is cheaper.
      for (; rest > 0x7fffffff; i--) {
        buffer[i] = 0x30 + (rest % 10);
        rest = Math.floor(rest / 10);
      }
      for (; i >= this.pos; i--) {
        buffer[i] = 0x30 + (rest % 10);
        rest = (rest / 10) | 0;
      }
      this.pos += digits;
    } else this.ascii(Number.isFinite(value) ? String(value) : 'null');
  }

  /**
   * A JSON string. Plain ASCII (most text in a carve: table names, GUIDs, handles) is copied byte by byte as it is
   * checked; other text goes through Buffer.write, and the rare text that needs escaping through JSON.stringify, so
   * that the escapes are JSON.stringify's own.
   */
  private string(text: string): void {
    // UTF-8 takes at most 3 bytes per UTF-16 unit, and JSON.stringify's escapes are ASCII.
    this.reserve(text.length * 3 + 2);
    const buffer = this.buffer;
    const start = this.pos;
    let pos = start;
    buffer[pos++] = 0x22;
    let i = 0;
    for (; i < text.length; i++) {
      const c = text.charCodeAt(i);
      if (c < 0x20 || c === 0x22 || c === 0x5c || c >= 0x80) break;
      buffer[pos++] = c;
    }
    if (i === text.length) {
      buffer[pos++] = 0x22;
      this.pos = pos;
      return;
    }
    if (needsEscape(text, i)) {
      const quoted = JSON.stringify(text);
      this.reserve(quoted.length * 3);
      this.pos = start + this.buffer.write(quoted, start, 'utf8');
      return;
    }
    pos += buffer.write(text.slice(i), pos, 'utf8');
    buffer[pos++] = 0x22;
    this.pos = pos;
  }

  private base64(blob: Buffer): void {
    this.ascii('{"base64":"');
    this.reserve(Math.ceil(blob.length / 3) * 4 + 2);
    this.pos += this.buffer.write(blob.toString('base64'), this.pos, 'latin1');
    this.ascii('"}');
  }
}

/** Whether JSON.stringify escapes anything in text from index `from` on: quote, backslash, control characters,
 * surrogates (a lone one is escaped; for a pair, JSON.stringify decides). */
function needsEscape(text: string, from: number): boolean {
  for (let i = from; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 0x20 || c === 0x22 || c === 0x5c || (c >= 0xd800 && c <= 0xdfff)) return true;
  }
  return false;
}
