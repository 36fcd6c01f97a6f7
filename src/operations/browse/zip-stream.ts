import type { Readable, Writable } from 'node:stream';

/**
 * A zip archive written as a stream (PKWARE APPNOTE 6.3.10: local headers with a data descriptor, bit 3, so sizes
 * and CRC follow the data; method 0, stored: photos and videos do not compress). Nothing is buffered but the central
 * directory's entries. Entries and the archive stay under 4 GiB (no Zip64); a bigger one is refused, not cut.
 */
export class ZipStream {
  private offset = 0;
  private readonly central: Buffer[] = [];
  private count = 0;

  constructor(private readonly sink: Writable) {}

  async add(name: string, data: Readable | Buffer, mtime = new Date()): Promise<void> {
    const nameBytes = Buffer.from(name, 'utf8');
    const { time, date } = dosTime(mtime);
    const header = Buffer.alloc(30);
    header.writeUInt32LE(0x04034b50, 0);
    header.writeUInt16LE(20, 4); // version needed: 2.0
    header.writeUInt16LE(0x0808, 6); // bit 3: data descriptor; bit 11: UTF-8 names
    header.writeUInt16LE(0, 8); // stored
    header.writeUInt16LE(time, 10);
    header.writeUInt16LE(date, 12);
    header.writeUInt16LE(nameBytes.length, 26);
    const start = this.offset;
    await this.write(Buffer.concat([header, nameBytes]));
    let crc = 0;
    let size = 0;
    const chunks: AsyncIterable<Buffer> | Buffer[] = Buffer.isBuffer(data) ? [data] : (data as AsyncIterable<Buffer>);
    for await (const chunk of chunks) {
      crc = crc32(chunk, crc);
      size += chunk.length;
      if (size > 0xfffffffe) throw new RangeError(`${name} is larger than a zip without Zip64 holds`);
      await this.write(chunk);
    }
    const descriptor = Buffer.alloc(16);
    descriptor.writeUInt32LE(0x08074b50, 0);
    descriptor.writeUInt32LE(crc, 4);
    descriptor.writeUInt32LE(size, 8);
    descriptor.writeUInt32LE(size, 12);
    await this.write(descriptor);
    const entry = Buffer.alloc(46);
    entry.writeUInt32LE(0x02014b50, 0);
    entry.writeUInt16LE(0x031e, 4); // made by: Unix, 3.0
    entry.writeUInt16LE(20, 6);
    entry.writeUInt16LE(0x0808, 8);
    entry.writeUInt16LE(0, 10);
    entry.writeUInt16LE(time, 12);
    entry.writeUInt16LE(date, 14);
    entry.writeUInt32LE(crc, 16);
    entry.writeUInt32LE(size, 20);
    entry.writeUInt32LE(size, 24);
    entry.writeUInt16LE(nameBytes.length, 28);
    entry.writeUInt32LE((0o100600 << 16) >>> 0, 38); // a regular file, owner read/write
    entry.writeUInt32LE(start, 42);
    this.central.push(entry, nameBytes);
    this.count++;
  }

  /** Writes the central directory and ends the sink. */
  async finish(): Promise<void> {
    const start = this.offset;
    const directory = Buffer.concat(this.central);
    await this.write(directory);
    const end = Buffer.alloc(22);
    end.writeUInt32LE(0x06054b50, 0);
    end.writeUInt16LE(this.count, 8);
    end.writeUInt16LE(this.count, 10);
    end.writeUInt32LE(directory.length, 12);
    end.writeUInt32LE(start, 16);
    await this.write(end);
    await new Promise<void>((done) => this.sink.end(done));
  }

  private async write(chunk: Buffer): Promise<void> {
    this.offset += chunk.length;
    if (this.offset > 0xfffffffe) throw new RangeError('the archive is larger than a zip without Zip64 holds');
    if (!this.sink.write(chunk)) {
      await new Promise<void>((done, fail) => {
        const onError = (error: Error): void => fail(error);
        this.sink.once('error', onError);
        this.sink.once('drain', () => {
          this.sink.off('error', onError);
          done();
        });
      });
    }
  }
}

function dosTime(at: Date): { time: number; date: number } {
  const year = Math.max(1980, at.getFullYear());
  return {
    time: (at.getHours() << 11) | (at.getMinutes() << 5) | (at.getSeconds() >> 1),
    date: ((year - 1980) << 9) | ((at.getMonth() + 1) << 5) | at.getDate(),
  };
}

const CRC_TABLE = (() => {
  const table = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    table[n] = c >>> 0;
  }
  return table;
})();

/** CRC-32 (the zip and PNG one), continued from `previous`. */
export function crc32(data: Buffer, previous = 0): number {
  let crc = ~previous >>> 0;
  for (let i = 0; i < data.length; i++) crc = CRC_TABLE[(crc ^ data[i]!) & 0xff]! ^ (crc >>> 8);
  return ~crc >>> 0;
}
