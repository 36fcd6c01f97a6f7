import { createReadStream } from 'node:fs';

/**
 * The elements of a JSON array read piece by piece: the array at the top of the file, or the one under a key of
 * the top-level object (`{"chat": …, "messages": [ … ]}`). Only one element sits in memory at a time, so a
 * 100,000-message conversation.json streams like a CSV. Any formatting is accepted (the scanner follows strings,
 * escapes and nesting, not line breaks); the text of each element goes to JSON.parse, which rejects bad JSON.
 */
export async function* readJsonArray(
  path: string,
  key?: string,
  options: { chunkSize?: number } = {},
): AsyncGenerator<unknown> {
  const scanner = new ArrayScanner(key);
  for await (const chunk of createReadStream(path, {
    encoding: 'utf8',
    highWaterMark: options.chunkSize ?? 256 * 1024,
  })) {
    yield* scanner.push(chunk as string);
    if (scanner.done) return;
  }
  if (!scanner.found)
    throw new SyntaxError(key === undefined ? 'the file holds no JSON array' : `the file has no "${key}" array`);
  if (!scanner.done) throw new SyntaxError('the JSON array is not closed (truncated file?)');
}

class ArrayScanner {
  /** Depth of the array whose elements we yield, once found. */
  private target = -1;
  private depth = 0;
  private inString = false;
  private escaped = false;
  /** A string just closed at depth 1 (a key candidate), and the key whose value comes next. */
  private lastString = '';
  private stringStart = -1;
  private stringParts: string[] = [];
  private currentKey: string | undefined;
  /** Text of the element being read, in pieces. */
  private element: string[] = [];
  private elementOpen = false;
  found = false;
  done = false;

  constructor(private readonly key: string | undefined) {}

  *push(chunk: string): Generator<unknown> {
    let from = 0;
    const collect = (to: number): void => {
      if (this.elementOpen && to > from) this.element.push(chunk.slice(from, to));
      from = to;
    };
    for (let i = 0; i < chunk.length; i++) {
      const c = chunk.charCodeAt(i);
      if (this.inString) {
        if (this.escaped) this.escaped = false;
        else if (c === 0x5c) this.escaped = true;
        else if (c === 0x22) {
          this.inString = false;
          if (this.stringStart >= 0) {
            this.stringParts.push(chunk.slice(this.stringStart, i));
            this.lastString = JSON.parse(`"${this.stringParts.join('')}"`) as string;
            this.stringStart = -1;
          }
        }
        continue;
      }
      if (this.target < 0) {
        this.seek(c, i);
        if (this.target >= 0) from = i + 1;
        continue;
      }
      if (c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09) continue;
      if (this.depth === this.target && (c === 0x2c || c === 0x5d)) {
        // A comma or the closing bracket at the array's own depth ends the element read so far.
        collect(i);
        from = i + 1;
        if (this.elementOpen) yield this.finishElement();
        if (c === 0x5d) {
          this.done = true;
          return;
        }
        continue;
      }
      if (!this.elementOpen) {
        this.elementOpen = true;
        from = i;
      }
      if (c === 0x22) this.inString = true;
      else if (c === 0x7b || c === 0x5b) this.depth++;
      else if (c === 0x7d || c === 0x5d) this.depth--;
    }
    if (this.target >= 0) collect(chunk.length);
    if (this.inString && this.stringStart >= 0) {
      this.stringParts.push(chunk.slice(this.stringStart));
      this.stringStart = 0;
    }
  }

  /** Before the array: follows the top-level structure to the array (root, or the value of `key` at depth 1). */
  private seek(c: number, i: number): void {
    if (c === 0x22) {
      this.inString = true;
      this.escaped = false;
      this.stringParts = [];
      this.stringStart = this.depth === 1 ? i + 1 : -1;
    } else if (c === 0x3a && this.depth === 1) {
      this.currentKey = this.lastString;
    } else if (c === 0x2c && this.depth === 1) {
      this.currentKey = undefined;
    } else if (c === 0x5b) {
      this.depth++;
      if (
        (this.key === undefined && this.depth === 1) ||
        (this.key !== undefined && this.depth === 2 && this.currentKey === this.key)
      ) {
        this.target = this.depth;
        this.found = true;
      }
    } else if (c === 0x7b) {
      this.depth++;
    } else if (c === 0x7d || c === 0x5d) {
      this.depth--;
    }
  }

  private finishElement(): unknown {
    const text = this.element.join('');
    this.element = [];
    this.elementOpen = false;
    return JSON.parse(text);
  }
}
