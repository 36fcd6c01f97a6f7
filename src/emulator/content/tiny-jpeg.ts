/**
 * A minimal baseline JPEG encoder for solid-colour images, so generated camera-roll files are real JPEGs (any
 * decoder opens them) while staying a few hundred bytes. One 8×8 block per MCU, three components (YCbCr, 1×1
 * sampling), an all-ones quantisation table, and Huffman tables with only the codes a flat block needs: a constant
 * block has a single DC coefficient (8·(v−128), ITU T.81 A.3.3) and every AC coefficient is zero, so each block is
 * coded as "DC difference, end-of-block".
 */

function segment(marker: number, body: Buffer): Buffer {
  const head = Buffer.alloc(4);
  head.writeUInt16BE(0xff00 | marker, 0);
  head.writeUInt16BE(body.length + 2, 2);
  return Buffer.concat([head, body]);
}

/** Bit writer with JPEG byte stuffing (a 0xFF data byte is followed by 0x00, T.81 F.1.2.3). */
class BitWriter {
  private bytes: number[] = [];
  private current = 0;
  private count = 0;

  write(value: number, length: number): void {
    for (let i = length - 1; i >= 0; i--) {
      this.current = (this.current << 1) | ((value >> i) & 1);
      if (++this.count === 8) this.flushByte();
    }
  }

  private flushByte(): void {
    this.bytes.push(this.current);
    if (this.current === 0xff) this.bytes.push(0x00);
    this.current = 0;
    this.count = 0;
  }

  /** Pads the last byte with 1-bits, as T.81 F.1.2.3 requires. */
  finish(): Buffer {
    while (this.count !== 0) this.write(1, 1);
    return Buffer.from(this.bytes);
  }
}

function category(value: number): number {
  let magnitude = Math.abs(value);
  let bits = 0;
  while (magnitude > 0) {
    bits++;
    magnitude >>= 1;
  }
  return bits;
}

const DC_CODE_LENGTH = 4;
const DC_SYMBOLS = 12;

function toYCbCr([r, g, b]: [number, number, number]): number[] {
  const clamp = (v: number): number => Math.max(0, Math.min(255, Math.round(v)));
  return [
    clamp(0.299 * r + 0.587 * g + 0.114 * b),
    clamp(128 - 0.168736 * r - 0.331264 * g + 0.5 * b),
    clamp(128 + 0.5 * r - 0.418688 * g - 0.081312 * b),
  ];
}

export interface TinyJpegOptions {
  /** RGB, 0–255 each. */
  rgb: [number, number, number];
  /** Size in 8-pixel blocks (default 1×1, an 8×8 image). */
  blocksWide?: number;
  blocksHigh?: number;
  /** Written as a JPEG comment (COM) segment, so otherwise equal images differ byte-wise. */
  comment?: string;
}

export function tinyJpeg(options: TinyJpegOptions): Buffer {
  const wide = options.blocksWide ?? 1;
  const high = options.blocksHigh ?? 1;
  const jfif = Buffer.from([0x4a, 0x46, 0x49, 0x46, 0x00, 0x01, 0x01, 0x00, 0x00, 0x01, 0x00, 0x01, 0x00, 0x00]);
  const dqt = Buffer.concat([Buffer.from([0x00]), Buffer.alloc(64, 1)]);
  const sof = Buffer.alloc(15);
  sof.writeUInt8(8, 0);
  sof.writeUInt16BE(high * 8, 1);
  sof.writeUInt16BE(wide * 8, 3);
  sof.writeUInt8(3, 5);
  for (let c = 0; c < 3; c++) sof.set([c + 1, 0x11, 0x00], 6 + c * 3);
  const dcCounts = Array.from({ length: 16 }, (_, i) => (i === DC_CODE_LENGTH - 1 ? DC_SYMBOLS : 0));
  const dhtDc = Buffer.from([0x00, ...dcCounts, ...Array.from({ length: DC_SYMBOLS }, (_, i) => i)]);
  const acCounts = Array.from({ length: 16 }, (_, i) => (i === 0 ? 1 : 0));
  const dhtAc = Buffer.from([0x10, ...acCounts, 0x00]);
  const sos = Buffer.from([3, 1, 0x00, 2, 0x00, 3, 0x00, 0, 63, 0]);

  const levels = toYCbCr(options.rgb);
  const bits = new BitWriter();
  const previous = [0, 0, 0];
  for (let block = 0; block < wide * high; block++) {
    for (let c = 0; c < 3; c++) {
      const dc = 8 * (levels[c]! - 128);
      const diff = dc - previous[c]!;
      previous[c] = dc;
      const size = category(diff);
      bits.write(size, DC_CODE_LENGTH);
      if (size > 0) bits.write(diff > 0 ? diff : diff + (1 << size) - 1, size);
      bits.write(0, 1);
    }
  }
  const parts = [Buffer.from([0xff, 0xd8]), segment(0xe0, jfif)];
  if (options.comment !== undefined) parts.push(segment(0xfe, Buffer.from(options.comment, 'utf8')));
  parts.push(
    segment(0xdb, dqt),
    segment(0xc0, sof),
    segment(0xc4, dhtDc),
    segment(0xc4, dhtAc),
    segment(0xda, sos),
    bits.finish(),
    Buffer.from([0xff, 0xd9]),
  );
  return Buffer.concat(parts);
}
