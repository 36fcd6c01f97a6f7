/**
 * A QuickTime container with an `ftyp` box (major brand `qt  `) and an `mdat` box of payload bytes: enough for
 * file-type detection to call it a .MOV, small enough for thousands of generated videos. It holds no `moov` box,
 * so players will not play it; extraction only copies bytes and never decodes them.
 */
export function tinyMovie(payload: Buffer): Buffer {
  const ftyp = Buffer.alloc(20);
  ftyp.writeUInt32BE(20, 0);
  ftyp.write('ftypqt  ', 4, 'latin1');
  ftyp.writeUInt32BE(0, 12);
  ftyp.write('qt  ', 16, 'latin1');
  const mdatHead = Buffer.alloc(8);
  mdatHead.writeUInt32BE(8 + payload.length, 0);
  mdatHead.write('mdat', 4, 'latin1');
  return Buffer.concat([ftyp, mdatHead, payload]);
}
