import Database from 'better-sqlite3';
import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { CarveError, carveDatabase, type CarvedRecord } from '../../../src/carve/index.js';

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');
const nemetz = resolve(repoRoot, '../shared/corpus/nemetz-sqlite-forensic-corpus-v2');

async function carve(path: string): Promise<CarvedRecord[]> {
  const out: CarvedRecord[] = [];
  for await (const r of carveDatabase(path)) out.push(r);
  return out;
}

function tempFile(name: string, bytes: Buffer): string {
  const path = join(mkdtempSync(join(tmpdir(), 'carve-hostile-')), name);
  writeFileSync(path, bytes);
  return path;
}

/** A small real database to damage: two tables, deleted rows, a freelist, an overflowing row. */
function baseDatabase(): Buffer {
  const path = join(mkdtempSync(join(tmpdir(), 'carve-base-')), 'base.db');
  const db = new Database(path);
  db.pragma('page_size = 1024');
  db.pragma('journal_mode = DELETE');
  db.exec('CREATE TABLE t (id INTEGER PRIMARY KEY, body TEXT, n INTEGER)');
  const insert = db.prepare('INSERT INTO t (body, n) VALUES (?, ?)');
  for (let i = 0; i < 200; i += 1) insert.run(`row ${i} ${'x'.repeat(i % 40)}`, i);
  insert.run('big '.repeat(1000), -1);
  db.exec('DELETE FROM t WHERE id BETWEEN 20 AND 150');
  db.close();
  return readFileSync(path);
}

function seeded(seed: number): () => number {
  let x = seed >>> 0;
  return () => {
    x = (Math.imul(x, 1664525) + 1013904223) >>> 0;
    return x;
  };
}

describe('hostile and corrupt files end with a typed error or partial results', () => {
  it('refuses random bytes with CARVE_NOT_SQLITE and a short file with CARVE_TRUNCATED', async () => {
    const random = seeded(7);
    const noise = Buffer.from(Buffer.alloc(8192, 0).map(() => random() & 0xff));
    await expect(carve(tempFile('noise.db', noise))).rejects.toMatchObject({ code: 'CARVE_NOT_SQLITE' });
    await expect(carve(tempFile('short.db', Buffer.from('SQLite format 3\0')))).rejects.toBeInstanceOf(CarveError);
    await expect(carve(tempFile('short.db', Buffer.from('SQLite format 3\0')))).rejects.toMatchObject({
      code: 'CARVE_TRUNCATED',
    });
  });

  it('survives a database whose pages after the header are random bytes', async () => {
    const base = baseDatabase();
    const random = seeded(11);
    for (let trial = 0; trial < 20; trial += 1) {
      const damaged = Buffer.from(base);
      for (let i = 100 + (trial % 3) * 1024; i < damaged.length; i += 1) damaged[i] = random() & 0xff;
      await carve(tempFile('random-pages.db', damaged));
    }
  });

  it('survives truncation at any page boundary and mid-page', async () => {
    const base = baseDatabase();
    for (let cut = 100; cut < base.length; cut += 700) {
      const outcome = await carve(tempFile('truncated.db', base.subarray(0, cut))).catch((error: unknown) => error);
      if (cut < 1024) expect(outcome).toMatchObject({ code: 'CARVE_TRUNCATED' });
      else expect(Array.isArray(outcome)).toBe(true);
    }
  });

  it('ends on a freelist trunk that points to itself', async () => {
    const damaged = baseDatabase();
    const trunk = damaged.readUInt32BE(32);
    expect(trunk).toBeGreaterThan(0);
    damaged.writeUInt32BE(trunk, (trunk - 1) * 1024);
    damaged.writeUInt32BE(0xffffffff, (trunk - 1) * 1024 + 4);
    const records = await carve(tempFile('freelist-loop.db', damaged));
    expect(records.length).toBeGreaterThan(0);
  });

  it('ends on an overflow chain that loops and on absurd payload lengths', async () => {
    const damaged = baseDatabase();
    const pages = damaged.length / 1024;
    // Point every page's first four bytes at itself: any overflow page now loops.
    for (let p = 2; p <= pages; p += 1)
      if (damaged[(p - 1) * 1024] !== 0x0d && damaged[(p - 1) * 1024] !== 0x05)
        damaged.writeUInt32BE(p, (p - 1) * 1024);
    // And give every cell on leaf pages a 9-byte payload length.
    for (let p = 2; p <= pages; p += 1) {
      const at = (p - 1) * 1024;
      if (damaged[at] !== 0x0d) continue;
      const cells = damaged.readUInt16BE(at + 3);
      for (let c = 0; c < Math.min(cells, 2); c += 1)
        damaged.fill(0xff, at + damaged.readUInt16BE(at + 8 + 2 * c), at + damaged.readUInt16BE(at + 8 + 2 * c) + 8);
    }
    await carve(tempFile('loops.db', damaged));
  });

  it('ends on a WAL of random frames and a journal of random records', async () => {
    const base = baseDatabase();
    const path = tempFile('side.db', base);
    const random = seeded(3);
    const wal = Buffer.from(Buffer.alloc(32 + 5 * (24 + 1024)).map(() => random() & 0xff));
    wal.writeUInt32BE(0x377f0682, 0);
    wal.writeUInt32BE(1024, 8);
    writeFileSync(`${path}-wal`, wal);
    writeFileSync(
      `${path}-journal`,
      Buffer.alloc(4096).map(() => random() & 0xff),
    );
    await carve(path);
  });

  describe.skipIf(!existsSync(nemetz))('the anti-forensic categories 11–19 of the Nemetz corpus', () => {
    if (!existsSync(nemetz)) console.warn(`skipping Nemetz hostile files: ${nemetz} not found`);
    for (const category of ['11', '12', '13', '14', '15', '16', '17', '18', '19']) {
      it(`carves every file of category ${category} without a crash or a hang`, async () => {
        const dir = join(nemetz, category);
        for (const name of readdirSync(dir).filter((n) => n.endsWith('.db'))) {
          const started = Date.now();
          try {
            await carve(join(dir, name));
          } catch (error) {
            expect(error).toBeInstanceOf(CarveError);
          }
          expect(Date.now() - started).toBeLessThan(10_000);
        }
      });
    }
  });
});
