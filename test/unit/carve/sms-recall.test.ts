import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type CarvedRecord, carveDatabase } from '../../../src/carve/index.js';
import {
  buildSmsLikeDb,
  describeScore,
  rowidWidth,
  type SmsLikeDb,
  type SmsScore,
  scoreSmsCarve,
} from '../../helpers/sms-like-db.js';

/**
 * Recall and attribution on an sms.db-shaped database written by SQLite in rollback-journal mode (deleted rows live
 * only in the main file's free space): a few thousand messages whose rowids are pushed into every varint width a
 * phone's sms.db has (1–2 bytes, 3 bytes from 16,384, 4 from 2^21, 5 from 2^28) by inserting with explicit rowids.
 */
async function carveAll(path: string, workers?: number): Promise<CarvedRecord[]> {
  const records: CarvedRecord[] = [];
  for await (const record of carveDatabase(path, { workers })) records.push(record);
  return records;
}

describe('carving a rollback-journal sms.db', () => {
  let db: SmsLikeDb;
  let records: CarvedRecord[];
  let score: SmsScore;

  beforeAll(async () => {
    db = buildSmsLikeDb({
      bands: [
        { from: 1, count: 1200 },
        { from: 2 ** 14, count: 1200 },
        { from: 2 ** 21, count: 1000 },
        { from: 2 ** 28, count: 600 },
      ],
      scattered: 0.1,
      clusters: 3,
      clusterLength: 30,
      churn: 120,
      seed: 11,
    });
    records = await carveAll(db.path);
    score = scoreSmsCarve(records, db);
  }, 120_000);
  afterAll(() => db?.remove());

  it('recovers at least 95% of the deleted messages still in the file, for every rowid width', () => {
    const widths = [...score.byWidth.keys()].sort();
    expect(widths, describeScore(score)).toEqual(expect.arrayContaining([2, 3, 4, 5]));
    for (const [width, { recoverable, recovered }] of score.byWidth) {
      if (recoverable < 20) continue;
      expect(recovered / recoverable, `width ${width}\n${describeScore(score)}`).toBeGreaterThanOrEqual(0.95);
    }
  });

  it('reports no live message, no message under another table, and at least 99% right records', () => {
    expect(score.liveReported, describeScore(score)).toBe(0);
    expect(score.wrongTable, describeScore(score)).toBe(0);
    expect(score.correct / score.reported, describeScore(score)).toBeGreaterThanOrEqual(0.99);
    // Over everything reported: a deleted message or its chat_message_join row, every known column right.
    expect(score.allCorrect / score.all, describeScore(score)).toBeGreaterThanOrEqual(0.99);
  });

  it("never rebuilds a message page's free space in the shape of a table nothing was deleted from", () => {
    expect(score.foreignTable, describeScore(score)).toBe(0);
    expect(score.noTable, describeScore(score)).toBe(0);
  });

  it('rebuilds the rowid of most freed messages, marks it inferred, and never gets one wrong', () => {
    const messages = records.filter((r) => r.table === 'message' && r.source === 'freeblock');
    const withRowid = messages.filter((r) => typeof r.values[0] === 'number');
    expect(withRowid.length / messages.length, describeScore(score)).toBeGreaterThanOrEqual(0.9);
    expect(score.wrongRowid, describeScore(score)).toBe(0);
    for (const record of withRowid) expect(record.rowid).toBe(record.values[0]);
    // A freeblock header overwrites the first bytes of the cell it frees: most rowids there are rebuilt, not read
    // (a cell freed right after a freeblock is merged into it and keeps its bytes).
    const inferred = withRowid.filter((r) => r.inferred?.includes('rowid'));
    expect(inferred.length / withRowid.length).toBeGreaterThanOrEqual(0.5);
    const widths = new Set(inferred.map((r) => rowidWidth(r.values[0] as number)));
    expect([...widths].sort()).toEqual(expect.arrayContaining([2, 3, 4, 5]));
  });
});

const scale = Number(process.env.IOSRESCUE_SMS_SCALE ?? 0);

// A measurement, not a CI test: IOSRESCUE_SMS_SCALE=40000 npx vitest run test/unit/carve/sms-recall.test.ts
describe.skipIf(!scale)('sms.db-like recall at scale (IOSRESCUE_SMS_SCALE=messages)', () => {
  it(`carves a ${scale}-message rollback-journal database`, async () => {
    const t0 = performance.now();
    const big = buildSmsLikeDb({
      bands: [{ from: 1, count: scale }],
      scattered: 0.08,
      clusters: Math.ceil(scale / 4000),
      clusterLength: 60,
      churn: Math.ceil(scale / 50),
      seed: 7,
    });
    const t1 = performance.now();
    // IOSRESCUE_SMS_WORKERS=N picks the carving threads (default: the carver's own choice).
    const workers = process.env.IOSRESCUE_SMS_WORKERS ? Number(process.env.IOSRESCUE_SMS_WORKERS) : undefined;
    const carved = await carveAll(big.path, workers);
    const t2 = performance.now();
    console.log(
      `${scale} messages: built in ${((t1 - t0) / 1000).toFixed(1)} s, carved in ${((t2 - t1) / 1000).toFixed(1)} s, ` +
        `${carved.length} records\n${describeScore(scoreSmsCarve(carved, big))}`,
    );
    big.remove();
  }, 3_600_000);
});
