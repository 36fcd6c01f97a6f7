/**
 * The text of a Messages `attributedBody`: an NSAttributedString archived with NeXT's typedstream format
 * (header 0x04 0x0B "streamtyped", then version 1000 as 0x81 + int16 LE). Since iOS 16 `message.text` is often
 * NULL and this blob is the only copy of what was said. The string's bytes follow its NSString class record as the
 * type tag `+` (0x84 0x01 0x2B), then a typedstream integer length (one byte below 0x80, 0x81 + int16 LE, or
 * 0x82 + int32 LE), then UTF-8. Only that first string is read: attribute runs (links, mentions) are left alone.
 * Returns null for anything else; a length pointing past the blob is refused, never allocated.
 */
const HEADER = Buffer.from([0x04, 0x0b, ...Buffer.from('streamtyped', 'latin1')]);
const STRING_CLASS = Buffer.from('NSString', 'latin1');
const BYTES_TAG = Buffer.from([0x84, 0x01, 0x2b]);

export function attributedBodyText(blob: unknown): string | null {
  if (!Buffer.isBuffer(blob) || blob.length < HEADER.length || !blob.subarray(0, HEADER.length).equals(HEADER))
    return null;
  const cls = blob.indexOf(STRING_CLASS, HEADER.length);
  if (cls < 0) return null;
  const tag = blob.indexOf(BYTES_TAG, cls + STRING_CLASS.length);
  if (tag < 0) return null;
  let at = tag + BYTES_TAG.length;
  const first = blob[at];
  let length: number;
  if (first === undefined) return null;
  if (first < 0x80) {
    length = first;
    at += 1;
  } else if (first === 0x81 && at + 3 <= blob.length) {
    length = blob.readUInt16LE(at + 1);
    at += 3;
  } else if (first === 0x82 && at + 5 <= blob.length) {
    length = blob.readUInt32LE(at + 1);
    at += 5;
  } else {
    return null;
  }
  if (at + length > blob.length) return null;
  return blob.toString('utf8', at, at + length);
}
