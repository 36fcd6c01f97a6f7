import Database from 'better-sqlite3';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type CarvedRecord, carveDatabase, isUnknown } from '../../../src/carve/index.js';
import { liveRowPayload, sameSurvivingContent } from '../../../src/carve/live-row.js';
import { parseRecordHeader, serialTypeSize } from '../../../src/carve/record.js';
import { SMS_SCHEMA } from '../../../src/emulator/content/messages-db.js';

/**
 * A deleted message whose freed cell lost its first four bytes to the freeblock header (payload length, rowid and
 * header length: a 1-byte rowid) and whose attributedBody a later, smaller message took the end of (SQLite allocates
 * from the end of a freeblock). Its guid and text survive whole; no content fingerprint can be made of it, so it is
 * reported only once its rowid is rebuilt and no live row of that rowid holds the same texts.
 */
const PAGE = 4096;

function guidOf(rowid: number): string {
  return `5A1E4C0D-0000-4000-8000-${rowid.toString(16).padStart(12, '0').toUpperCase()}`;
}

function textOf(rowid: number): string {
  return `message number ${rowid}, see you at the station`;
}

function bodyOf(rowid: number, bytes: number): Buffer {
  return Buffer.alloc(bytes, `streamtyped NSString body ${rowid} `);
}

/**
 * Rows 1–6, then row 3 deleted and a smaller row 7 inserted, in one transaction: in PERSIST mode the journal keeps
 * the page as it was before it (row 3 whole).
 */
function buildCutDb(journalMode: 'DELETE' | 'PERSIST'): { dir: string; path: string } {
  const dir = mkdtempSync(join(tmpdir(), 'cut-texts-'));
  const path = join(dir, 'sms.db');
  const db = new Database(path);
  db.pragma(`page_size = ${PAGE}`);
  db.pragma(`journal_mode = ${journalMode}`);
  db.pragma('secure_delete = OFF');
  db.exec(SMS_SCHEMA);
  const insert = db.prepare(
    "INSERT INTO message (ROWID, guid, text, service, attributedBody, date) VALUES (?, ?, ?, 'iMessage', ?, ?)",
  );
  for (let rowid = 1; rowid <= 6; rowid += 1)
    insert.run(rowid, guidOf(rowid), textOf(rowid), bodyOf(rowid, 220), rowid);
  db.transaction(() => {
    db.prepare('DELETE FROM message WHERE ROWID = 3').run();
    // Smaller than the freed cell: placed at the end of its freeblock, over the end of row 3's attributedBody.
    db.prepare("INSERT INTO message (ROWID, guid, text, service, date) VALUES (7, ?, 'ok', 'SMS', 7)").run(guidOf(7));
  })();
  db.close();
  return { dir, path };
}

async function carveAll(path: string, workers: number): Promise<CarvedRecord[]> {
  const records: CarvedRecord[] = [];
  for await (const record of carveDatabase(path, { workers })) records.push(record);
  return records;
}

describe('a deleted message whose later texts a newer cell cut', () => {
  let dir: string;
  let path: string;
  let records: CarvedRecord[];
  let file: Buffer;

  beforeAll(async () => {
    ({ dir, path } = buildCutDb('DELETE'));
    file = readFileSync(path);
    records = await carveAll(path, 1);
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('is the case it claims: the text survives, the end of the attributedBody does not', () => {
    expect(file.includes(Buffer.from(textOf(3)))).toBe(true);
    expect(file.includes(bodyOf(3, 220))).toBe(false);
  });

  it('is reported with its rowid rebuilt, its guid and text, and what was cut unknown', () => {
    const found = records.filter((r) => r.table === 'message' && r.values[1] === guidOf(3));
    expect(found).toHaveLength(1);
    const [record] = found as [CarvedRecord];
    expect(record.rowid).toBe(3);
    expect(record.values[0]).toBe(3);
    expect(record.inferred).toContain('rowid');
    expect(record.values[2]).toBe(textOf(3));
    expect(isUnknown(record.values[8])).toBe(true);
    // Nothing live is reported.
    const liveGuids = [1, 2, 4, 5, 6, 7].map(guidOf);
    expect(records.filter((r) => liveGuids.includes(r.values[1] as string))).toEqual([]);
  });
});

describe('a cut copy and a whole copy of one deleted message', () => {
  let dir: string;
  let path: string;

  beforeAll(() => {
    ({ dir, path } = buildCutDb('PERSIST'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('are reported once, whole (the journal page), with one thread or two workers', async () => {
    for (const workers of [1, 2]) {
      const records = await carveAll(path, workers);
      const found = records.filter((r) => r.table === 'message' && r.values[1] === guidOf(3));
      expect(
        found.map((r) => r.source),
        `workers ${workers}`,
      ).toEqual(['journal']);
      expect(Buffer.from(found[0]!.values[8] as Uint8Array)).toEqual(bodyOf(3, 220));
    }
  });
});

describe('telling a cut copy from the live row of its rowid', () => {
  let dir: string;
  let file: Buffer;
  let root: number;
  const lookup = async (n: number): Promise<Buffer | null> =>
    n >= 1 && n * PAGE <= file.length ? file.subarray((n - 1) * PAGE, n * PAGE) : null;

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'live-row-'));
    const path = join(dir, 'sms.db');
    const db = new Database(path);
    db.pragma(`page_size = ${PAGE}`);
    db.exec(SMS_SCHEMA);
    const insert = db.prepare('INSERT INTO message (ROWID, guid, text, attributedBody) VALUES (?, ?, ?, ?)');
    // Enough rows for interior pages: the lookup goes down by the interior keys.
    db.transaction(() => {
      for (let rowid = 1; rowid <= 400; rowid += 1)
        insert.run(rowid * 3, guidOf(rowid * 3), textOf(rowid * 3), bodyOf(rowid, 120));
    })();
    // One row whose attributedBody spills over overflow pages.
    insert.run(5000, guidOf(5000), textOf(5000), bodyOf(5000, 20_000));
    root = (db.prepare("SELECT rootpage FROM sqlite_master WHERE name = 'message'").get() as { rootpage: number })
      .rootpage;
    db.close();
    file = readFileSync(path);
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  /** Where a record's column `index` starts in its payload. */
  function columnStart(
    payload: Buffer,
    index: number,
  ): { header: { headerLength: number; types: number[] }; at: number } {
    const header = parseRecordHeader(payload, 0, payload.length, 4096)!;
    let at = header.headerLength;
    for (let i = 0; i < index; i += 1) at += serialTypeSize(header.types[i]!);
    return { header, at };
  }

  it('finds the live row of a rowid down the interior pages, and none for a rowid not there', async () => {
    const interior = file[(root - 1) * PAGE + (root === 1 ? 100 : 0)];
    expect(interior).toBe(5);
    for (const rowid of [3, 600, 1200]) {
      const payload = await liveRowPayload(root, rowid, lookup, PAGE, file.length);
      expect(payload, `rowid ${rowid}`).not.toBeNull();
      expect(payload!.includes(Buffer.from(guidOf(rowid)))).toBe(true);
    }
    expect(await liveRowPayload(root, 601, lookup, PAGE, file.length)).toBeNull();
    expect(await liveRowPayload(root, 5001, lookup, PAGE, file.length)).toBeNull();
  });

  it('follows the overflow chain of a live row only as far as asked', async () => {
    const whole = await liveRowPayload(root, 5000, lookup, PAGE, file.length);
    expect(whole!.length).toBeGreaterThan(20_000);
    const first = await liveRowPayload(root, 5000, lookup, PAGE, file.length, 300);
    expect(first!.length).toBeGreaterThanOrEqual(300);
    expect(first!.length).toBeLessThan(2 * PAGE);
    expect(whole!.subarray(0, first!.length).equals(first!)).toBe(true);
  });

  it('takes a copy cut inside attributedBody for the live row when its guid and text agree, not otherwise', async () => {
    const live = (await liveRowPayload(root, 600, lookup, PAGE, file.length))!;
    const { header, at } = columnStart(live, 8);
    const cut = Buffer.from(live.subarray(0, at + 40));
    expect(sameSurvivingContent(cut, header.headerLength, header.types, -1, live)).toBe(true);
    // Another text of the same length: an older version of the row, not a stale copy.
    const textAt = columnStart(live, 2).at;
    const edited = Buffer.from(cut);
    edited[textAt] = edited[textAt]! ^ 0x20;
    expect(sameSurvivingContent(edited, header.headerLength, header.types, -1, live)).toBe(false);
  });
});
