import { closeSync, existsSync, openSync, readSync, statSync } from 'node:fs';
import { TEXT_MARKER, type DeadMessage, type GeneratedDb } from './generate.js';

/**
 * Where a dead row's text lies in the evidence files, read from the bytes with a parser of its own (the carver's
 * code is what is being measured, so it is not used here). In the main file: on a freelist page, inside a freeblock
 * of a table leaf, in a leaf's unallocated gap (between the cell pointers and the cell content), or elsewhere (in
 * a cell of a page the WAL supersedes: that counts as 'wal'). Then the WAL and the rollback journal.
 */
export type Location = 'freeblock' | 'freelist' | 'unallocated' | 'wal' | 'journal' | 'other';
export const LOCATIONS: Location[] = ['freeblock', 'freelist', 'unallocated', 'wal', 'journal', 'other'];

export interface PresentRow extends DeadMessage {
  location: Location;
  /** Bytes the rowid's varint takes: 1..9 (reported as 1, 2, 3, 4+). */
  rowidWidth: number;
}

export function varintWidth(value: number): number {
  let width = 1;
  let v = value;
  while (v >= 0x80 && width < 9) {
    v = Math.floor(v / 128);
    width += 1;
  }
  return width;
}

export function widthBand(width: number): string {
  return width >= 4 ? '4+' : String(width);
}

const CHUNK = 8 << 20;
const OVERLAP = 4096;

/** Offsets of every marker in a file, read in chunks (a 1 GB database is never held whole): serial → offsets. */
function markerOffsets(
  path: string,
  onHit: (serial: number, offset: number, read: (n: number) => Buffer) => void,
): void {
  const fd = openSync(path, 'r');
  try {
    const size = statSync(path).size;
    const chunk = Buffer.allocUnsafe(CHUNK + OVERLAP);
    // The marker is UTF-8 'm§' = 6d c2 a7; read as latin1 each byte is one character.
    const pattern = new RegExp(`${Buffer.from(TEXT_MARKER).toString('latin1')}(\\d+)\u00c2\u00a7`, 'g');
    for (let start = 0; start < size; start += CHUNK) {
      const length = readSync(fd, chunk, 0, Math.min(CHUNK + OVERLAP, size - start), start);
      const text = chunk.toString('latin1', 0, length);
      pattern.lastIndex = 0;
      for (let m = pattern.exec(text); m; m = pattern.exec(text)) {
        if (m.index >= CHUNK) break; // the next chunk sees it whole
        const offset = start + m.index;
        onHit(Number(m[1]), offset, (n) => {
          const out = Buffer.alloc(n);
          readSync(fd, out, 0, n, offset);
          return out;
        });
      }
    }
  } finally {
    closeSync(fd);
  }
}

interface PageInfo {
  freelist: Set<number>;
  pageSize: number;
}

function freelistPages(path: string): PageInfo {
  const fd = openSync(path, 'r');
  try {
    const header = Buffer.alloc(100);
    readSync(fd, header, 0, 100, 0);
    const raw = header.readUInt16BE(16);
    const pageSize = raw === 1 ? 65536 : raw;
    const pages = Math.floor(statSync(path).size / pageSize);
    const freelist = new Set<number>();
    const page = Buffer.alloc(pageSize);
    for (let trunk = header.readUInt32BE(32); trunk > 0 && trunk <= pages && !freelist.has(trunk); ) {
      freelist.add(trunk);
      readSync(fd, page, 0, pageSize, (trunk - 1) * pageSize);
      const leaves = Math.min(page.readUInt32BE(4), pageSize / 4 - 2);
      for (let i = 0; i < leaves; i += 1) freelist.add(page.readUInt32BE(8 + i * 4));
      trunk = page.readUInt32BE(0);
    }
    return { freelist, pageSize };
  } finally {
    closeSync(fd);
  }
}

/** Where `offset` of the main file lies: freeblock, unallocated gap, or 'other' (a cell, an index or overflow page). */
function placeInMainFile(path: string, info: PageInfo, offset: number): Location {
  const pageNumber = Math.floor(offset / info.pageSize) + 1;
  if (info.freelist.has(pageNumber)) return 'freelist';
  const page = Buffer.alloc(info.pageSize);
  const fd = openSync(path, 'r');
  try {
    readSync(fd, page, 0, info.pageSize, (pageNumber - 1) * info.pageSize);
  } finally {
    closeSync(fd);
  }
  const at = offset % info.pageSize;
  const h = pageNumber === 1 ? 100 : 0;
  if (page[h] !== 13) return 'other';
  const cells = page.readUInt16BE(h + 3);
  const contentStart = page.readUInt16BE(h + 5) || 65536;
  if (at >= h + 8 + cells * 2 && at < contentStart) return 'unallocated';
  for (let fb = page.readUInt16BE(h + 1), hops = 0; fb !== 0 && fb + 4 <= info.pageSize && hops < 1000; hops += 1) {
    const size = page.readUInt16BE(fb + 2);
    if (at >= fb && at < fb + size) return 'freeblock';
    fb = page.readUInt16BE(fb);
  }
  return 'other';
}

/** The dead rows whose whole text is still somewhere in the files, each with where it lies and its rowid width. */
export function locateDeadRows(db: GeneratedDb): PresentRow[] {
  const bySerial = new Map<number, DeadMessage>();
  for (const dead of db.dead.values()) bySerial.set(Number(dead.text.slice(TEXT_MARKER.length).split('§')[0]), dead);
  const found = new Map<DeadMessage, Set<Location>>();
  const note = (dead: DeadMessage, where: Location): void => {
    const set = found.get(dead) ?? new Set<Location>();
    set.add(where);
    found.set(dead, set);
  };
  const info = freelistPages(db.path);
  const hasWal = existsSync(`${db.path}-wal`);
  const sidecars: Array<[string, Location]> = [
    [`${db.path}-wal`, 'wal'],
    [`${db.path}-journal`, 'journal'],
  ];
  markerOffsets(db.path, (serial, offset, read) => {
    const dead = bySerial.get(serial);
    if (!dead) return;
    const bytes = Buffer.from(dead.text);
    if (!read(bytes.length).equals(bytes)) return;
    const place = placeInMainFile(db.path, info, offset);
    // A cell of the main file that the WAL replaced: its page's newer version in the WAL dropped the row.
    note(dead, place === 'other' && hasWal ? 'wal' : place);
  });
  for (const [path, where] of sidecars) {
    if (!existsSync(path)) continue;
    markerOffsets(path, (serial, _offset, read) => {
      const dead = bySerial.get(serial);
      if (dead && read(Buffer.byteLength(dead.text)).equals(Buffer.from(dead.text))) note(dead, where);
    });
  }
  const rows: PresentRow[] = [];
  for (const [dead, places] of found) {
    const location = LOCATIONS.find((l) => places.has(l))!;
    rows.push({ ...dead, location, rowidWidth: varintWidth(dead.rowid) });
  }
  return rows;
}
