import { parseBinaryPlist } from './binary-decode.js';
import { PlistError } from './errors.js';
import type { PlistValue } from './types.js';
import { parseXmlPlist } from './xml-decode.js';

export { Real, Uid, isPlistDict, plistNumber, type PlistValue, type PlistDict } from './types.js';
export { PlistError, type PlistErrorCode } from './errors.js';
export { parseBinaryPlist, APPLE_EPOCH_OFFSET_S } from './binary-decode.js';
export { toBinaryPlist } from './binary-encode.js';
export { parseXmlPlist } from './xml-decode.js';
export { toXmlPlist } from './xml-encode.js';
export { decodeKeyedArchive, type ArchivedValue, type ArchivedObject } from './keyed-archive.js';

/** Decodes either form: `bplist` magic → binary, anything else → XML (a BOM and leading whitespace tolerated). */
export function parsePlist(input: Buffer): PlistValue {
  if (input.length >= 6 && input.toString('latin1', 0, 6) === 'bplist') return parseBinaryPlist(input);
  if (input.length === 0) throw new PlistError('PLIST_TRUNCATED', 'an empty plist');
  return parseXmlPlist(input);
}
