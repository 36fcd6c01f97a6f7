/**
 * An MPEG-4 audio container: an `ftyp` box (major brand `M4A `, compatible `M4A `, `mp42`, `isom`, as Voice Memos,
 * iTunes and ringtone .m4r files carry) and an `mdat` box of payload bytes. Enough for file-type detection to call it
 * AAC audio in MPEG-4; it has no `moov` box, so players will not play it. Extraction copies bytes, never decodes.
 */
export function tinyAudio(payload: Buffer): Buffer {
  const compatible = ['M4A ', 'mp42', 'isom'];
  const ftyp = Buffer.alloc(16 + 4 * compatible.length);
  ftyp.writeUInt32BE(ftyp.length, 0);
  ftyp.write('ftypM4A ', 4, 'latin1');
  ftyp.writeUInt32BE(0, 12);
  compatible.forEach((brand, i) => ftyp.write(brand, 16 + 4 * i, 'latin1'));
  const mdatHead = Buffer.alloc(8);
  mdatHead.writeUInt32BE(8 + payload.length, 0);
  mdatHead.write('mdat', 4, 'latin1');
  return Buffer.concat([ftyp, mdatHead, payload]);
}
