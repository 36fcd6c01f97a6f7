/**
 * A Messages `attributedBody` for plain text: the typedstream archive of an NSAttributedString with no attribute
 * runs, laid out as in real blobs (imessage-exporter's "Blank" test blob has exactly this shape with an empty
 * string): header, version 1000, object of class NSAttributedString : NSObject, its NSString (class version 1)
 * whose bytes are tagged `+`, then two end-of-object markers (0x86).
 */
function typedstreamLength(length: number): Buffer {
  if (length < 0x80) return Buffer.from([length]);
  if (length < 0x8000) {
    const out = Buffer.alloc(3);
    out[0] = 0x81;
    out.writeUInt16LE(length, 1);
    return out;
  }
  const out = Buffer.alloc(5);
  out[0] = 0x82;
  out.writeUInt32LE(length, 1);
  return out;
}

function className(name: string, version: number): Buffer {
  return Buffer.concat([Buffer.from([name.length]), Buffer.from(name, 'latin1'), Buffer.from([version])]);
}

export function attributedBody(text: string): Buffer {
  const bytes = Buffer.from(text, 'utf8');
  return Buffer.concat([
    Buffer.from([0x04, 0x0b]),
    Buffer.from('streamtyped', 'latin1'),
    Buffer.from([0x81, 0xe8, 0x03]),
    Buffer.from([0x84, 0x01, 0x40, 0x84, 0x84, 0x84]),
    className('NSAttributedString', 0),
    Buffer.from([0x84, 0x84]),
    className('NSObject', 0),
    Buffer.from([0x85, 0x92, 0x84, 0x84, 0x84]),
    className('NSString', 1),
    Buffer.from([0x94, 0x84, 0x01, 0x2b]),
    typedstreamLength(bytes.length),
    bytes,
    Buffer.from([0x86, 0x86]),
  ]);
}
