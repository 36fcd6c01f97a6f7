/**
 * Hand-built plists that the project's own encoder would refuse to write: nesting deeper than any stack, and binary
 * containers that contain themselves. Each is what a hostile backup can hold in place of Info/Status/Manifest.plist
 * or an MBFile archive.
 */

/** `<array>` nested `depth` times around one integer. */
export function deepXmlPlist(depth: number): Buffer {
  return Buffer.from(
    `<?xml version="1.0" encoding="UTF-8"?>\n<plist version="1.0">${'<array>'.repeat(depth)}<integer>1</integer>${'</array>'.repeat(depth)}</plist>`,
  );
}

/** A bplist00 of `count` objects with 4-byte references and offsets; `objects[i]` are the encoded objects. */
function bplist(objects: Buffer[], top = 0): Buffer {
  const header = Buffer.from('bplist00', 'latin1');
  const offsets: number[] = [];
  let at = header.length;
  for (const object of objects) {
    offsets.push(at);
    at += object.length;
  }
  const table = Buffer.alloc(objects.length * 4);
  offsets.forEach((offset, i) => table.writeUInt32BE(offset, i * 4));
  const trailer = Buffer.alloc(32);
  trailer[6] = 4; // offset size
  trailer[7] = 4; // reference size
  trailer.writeBigUInt64BE(BigInt(objects.length), 8);
  trailer.writeBigUInt64BE(BigInt(top), 16);
  trailer.writeBigUInt64BE(BigInt(at), 24);
  return Buffer.concat([header, ...objects, table, trailer]);
}

function oneElementArray(ref: number): Buffer {
  const object = Buffer.alloc(5);
  object[0] = 0xa1;
  object.writeUInt32BE(ref, 1);
  return object;
}

/** Arrays nested `depth` deep, each holding the next, the last holding the integer 1. */
export function deepBinaryPlist(depth: number): Buffer {
  const objects = Array.from({ length: depth }, (_, i) => oneElementArray(i + 1));
  objects.push(Buffer.from([0x10, 0x01]));
  return bplist(objects);
}

/** An array whose only element is itself (or a dict whose value is itself): a cycle, not a tree. */
export function cyclicBinaryPlist(kind: 'array' | 'dict'): Buffer {
  if (kind === 'array') return bplist([oneElementArray(0)]);
  // { "k": <the dict itself> }
  const dict = Buffer.alloc(9);
  dict[0] = 0xd1;
  dict.writeUInt32BE(1, 1); // key → object 1
  dict.writeUInt32BE(0, 5); // value → object 0
  return bplist([dict, Buffer.from([0x51, 0x6b])]);
}
