import { APPLE_EPOCH_OFFSET_S } from './binary-decode.js';
import { PlistError } from './errors.js';
import { Real, Uid, isPlistDict, plistNumber, type PlistDict, type PlistValue } from './types.js';

const MAX_DEPTH = 256;

/** A decoded archive object: plain JSON-like data, Buffers, Dates, and `$class` naming custom classes. */
export type ArchivedValue =
  | null
  | string
  | number
  | bigint
  | boolean
  | Date
  | Buffer
  | ArchivedValue[]
  | ArchivedObject;
export interface ArchivedObject {
  [key: string]: ArchivedValue | undefined;
}

/**
 * Decodes an NSKeyedArchiver archive generically: every Uid is resolved through `$objects`, Foundation
 * collections and strings become plain values, and any other class becomes an object of its decoded fields with
 * `$class` set to its class name (a backup's MBFile gives `{ $class: 'MBFile', Size, Mode, RelativePath, … }`).
 * Nothing depends on fixed positions inside `$objects`.
 */
export function decodeKeyedArchive(archive: PlistValue): ArchivedValue {
  if (!isPlistDict(archive) || archive.$archiver !== 'NSKeyedArchiver' || !Array.isArray(archive.$objects)) {
    throw new PlistError('PLIST_BAD_ARCHIVE', 'not an NSKeyedArchiver archive');
  }
  const top = archive.$top;
  if (!isPlistDict(top)) throw new PlistError('PLIST_BAD_ARCHIVE', 'the archive has no $top');
  const root = top.root ?? Object.values(top)[0];
  const decoder = new ArchiveDecoder(archive.$objects);
  return decoder.resolve(root ?? '$null', 0);
}

class ArchiveDecoder {
  private readonly onPath = new Set<number>();
  private readonly done = new Map<number, ArchivedValue>();

  constructor(private readonly objects: PlistValue[]) {}

  resolve(value: PlistValue, depth: number): ArchivedValue {
    if (depth > MAX_DEPTH) throw new PlistError('PLIST_BAD_ARCHIVE', `archive nesting deeper than ${MAX_DEPTH}`);
    if (value instanceof Uid) return this.object(value.value, depth);
    return this.plain(value, depth);
  }

  private object(index: number, depth: number): ArchivedValue {
    const cached = this.done.get(index);
    if (cached !== undefined) return cached;
    if (index >= this.objects.length) throw new PlistError('PLIST_BAD_ARCHIVE', `UID ${index} is outside $objects`);
    if (this.onPath.has(index)) throw new PlistError('PLIST_CYCLE', `archived object ${index} contains itself`);
    this.onPath.add(index);
    try {
      const raw = this.objects[index]!;
      const decoded = raw === '$null' ? null : this.plain(raw, depth);
      this.done.set(index, decoded);
      return decoded;
    } finally {
      this.onPath.delete(index);
    }
  }

  private plain(value: PlistValue, depth: number): ArchivedValue {
    if (value instanceof Real) return value.value;
    if (value instanceof Uid) return this.object(value.value, depth + 1);
    if (Array.isArray(value)) return value.map((item) => this.resolve(item, depth + 1));
    if (!isPlistDict(value)) return value;
    const className = this.className(value.$class);
    if (className === undefined) return this.fields(value, depth);
    switch (className) {
      case 'NSDictionary':
      case 'NSMutableDictionary': {
        const keys = this.list(value['NS.keys'], depth);
        const values = this.list(value['NS.objects'], depth);
        if (keys.length !== values.length)
          throw new PlistError('PLIST_BAD_ARCHIVE', 'a dictionary with unequal keys and values');
        const out: ArchivedObject = {};
        keys.forEach((key, i) =>
          Object.defineProperty(out, String(key), {
            value: values[i],
            enumerable: true,
            writable: true,
            configurable: true,
          }),
        );
        return out;
      }
      case 'NSArray':
      case 'NSMutableArray':
      case 'NSSet':
      case 'NSMutableSet':
      case 'NSOrderedSet':
        return this.list(value['NS.objects'], depth);
      case 'NSString':
      case 'NSMutableString':
        return this.resolve(value['NS.string'] ?? '', depth + 1);
      case 'NSData':
      case 'NSMutableData': {
        const data = this.resolve(value['NS.data'] ?? Buffer.alloc(0), depth + 1);
        if (!Buffer.isBuffer(data)) throw new PlistError('PLIST_BAD_ARCHIVE', 'NSData without bytes');
        return data;
      }
      case 'NSDate': {
        const seconds = plistNumber(value['NS.time']);
        if (seconds === undefined) throw new PlistError('PLIST_BAD_ARCHIVE', 'NSDate without NS.time');
        return new Date((seconds + APPLE_EPOCH_OFFSET_S) * 1000);
      }
      default: {
        const out = this.fields(value, depth);
        (out as ArchivedObject).$class = className;
        return out;
      }
    }
  }

  private fields(value: PlistDict, depth: number): ArchivedObject {
    const out: ArchivedObject = {};
    for (const [key, item] of Object.entries(value)) {
      if (key === '$class') continue;
      Object.defineProperty(out, key, {
        value: this.resolve(item, depth + 1),
        enumerable: true,
        writable: true,
        configurable: true,
      });
    }
    return out;
  }

  private list(value: PlistValue | undefined, depth: number): ArchivedValue[] {
    if (value === undefined) return [];
    if (!Array.isArray(value)) throw new PlistError('PLIST_BAD_ARCHIVE', 'a collection without an object list');
    return value.map((item) => this.resolve(item, depth + 1));
  }

  private className(ref: PlistValue | undefined): string | undefined {
    if (!(ref instanceof Uid)) return undefined;
    if (ref.value >= this.objects.length) throw new PlistError('PLIST_BAD_ARCHIVE', 'a $class UID outside $objects');
    const description = this.objects[ref.value];
    if (!isPlistDict(description) || typeof description.$classname !== 'string') {
      throw new PlistError('PLIST_BAD_ARCHIVE', 'a $class without $classname');
    }
    return description.$classname;
  }
}
