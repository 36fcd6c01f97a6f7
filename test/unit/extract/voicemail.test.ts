import { readFileSync } from 'node:fs';
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { TruthContact, TruthVoicemail } from '../../../src/emulator/content/index.js';
import type { VoicemailRecord } from '../../../src/extract/index.js';
import { displayName } from '../../../src/extract/exporters/vcard.js';
import { corpusPath } from '../../helpers/backup-corpus.js';
import { parseCsv } from '../../helpers/csv.js';
import { extractGenerated } from '../../helpers/extract-backups.js';
import { extractItems, scanGenerated } from '../../helpers/scan-generated.js';

const root = await mkdtemp(join(tmpdir(), 'iosrescue-voicemail-test-'));
afterAll(() => rm(root, { recursive: true, force: true }));

function nameOf(contacts: TruthContact[], rowid: number | null): string | null {
  const c = contacts.find((x) => x.rowid === rowid);
  return c === undefined ? null : displayName({ prefix: null, middle: null, suffix: null, ...c }) || null;
}

function expected(
  v: TruthVoicemail,
  contacts: TruthContact[],
  origin: VoicemailRecord['origin'],
): Omit<VoicemailRecord, 'file'> {
  return {
    origin,
    id: v.rowid,
    table: v.table,
    remoteUid: v.remoteUid,
    date: v.date.toISOString(),
    sender: v.sender,
    name: nameOf(contacts, v.senderContactRowid),
    callbackNumber: v.callbackNumber,
    receiver: v.receiver,
    durationSeconds: v.durationSeconds,
    trashedDate: v.trashedDate?.toISOString() ?? null,
    flags: v.flags,
  };
}

describe.each([{ encrypted: false }, { encrypted: true }])('voicemail (encrypted: $encrypted)', ({ encrypted }) => {
  it('lists every voicemail with its caller matched to a contact, exports the audio named by date and caller with mtime = date, marks Deleted Messages and carved rows', async () => {
    const run = await extractGenerated({
      encrypted,
      spec: { seed: `voicemail-${encrypted}`, contacts: 8, messages: 3, photos: 0, calls: 0, voicemails: 14 },
      extract: { types: ['voicemail'] },
    });
    try {
      const records = JSON.parse(
        await readFile(join(run.out, 'voicemail/voicemail.json'), 'utf8'),
      ) as VoicemailRecord[];
      const result = run.report.types[0]!;
      const truth = run.truth.voicemails;
      const withAudio = truth.filter((v) => v.audio !== null);
      expect(result).toMatchObject({
        type: 'voicemail',
        status: 'ok',
        records: records.length,
        files: 2 + withAudio.length,
      });
      // Live and Deleted Messages rows of `voicemail` by date, then the `deleted` table, then the carved ones.
      const inOrder = [...truth.filter((v) => v.table === 'voicemail'), ...truth.filter((v) => v.table === 'deleted')];
      const kept = records.slice(0, inOrder.length);
      expect(kept.map(({ file: _file, ...r }) => r)).toEqual(
        inOrder.map((v) =>
          expected(
            v,
            run.truth.contacts,
            v.table === 'deleted' || v.trashedDate !== null ? 'recently-deleted' : 'live',
          ),
        ),
      );
      expect(
        truth.some((v) => v.trashedDate !== null) &&
          truth.some((v) => v.table === 'deleted') &&
          truth.some((v) => v.sender === null),
      ).toBe(true);
      expect(kept.filter((r) => r.name !== null).length).toBeGreaterThan(0);
      for (const [i, v] of inOrder.entries()) {
        const r = kept[i]!;
        if (v.audio === null) {
          expect(r.file).toBeNull();
          continue;
        }
        const folder = r.origin === 'live' ? 'voicemail' : 'voicemail/Recently Deleted';
        const stamp = v.date.toISOString().slice(0, 19).replace('T', ' ').replace(/:/g, '.');
        expect(r.file).toBe(
          `${folder}/${stamp} ${r.name ?? r.sender ?? 'unknown caller'}.amr`.replace(/[<>:"|?*]/g, '_'),
        );
        expect(await readFile(join(run.out, r.file!))).toEqual(v.audio);
        expect((await stat(join(run.out, r.file!))).mtimeMs).toBe(v.date.getTime());
      }
      expect(result.warnings.filter((w) => w.startsWith('audio of voicemail'))).toHaveLength(
        truth.filter((v) => v.audio === null && v.table === 'voicemail').length,
      );
      // Deleted for good: what the carver finds is one of them, once, field for field; no audio survives.
      const recovered = records.slice(inOrder.length);
      expect(run.truth.deletedVoicemails.length).toBeGreaterThan(0);
      expect(recovered.length).toBeGreaterThan(0);
      for (const r of recovered) {
        const t = run.truth.deletedVoicemails.find(
          (d) => d.date.toISOString() === r.date && d.remoteUid === r.remoteUid,
        );
        expect(t, `recovered voicemail ${r.id} at ${r.date}`).toBeDefined();
        expect(r).toEqual({
          ...expected(t!, run.truth.contacts, 'recovered'),
          id: r.id === -1 ? -1 : t!.rowid,
          file: null,
        });
      }
      expect(new Set(recovered.map((r) => r.date)).size).toBe(recovered.length);
      const rows = parseCsv(await readFile(join(run.out, 'voicemail/voicemail.csv'), 'utf8'));
      expect(rows[0]).toEqual([
        'id',
        'date',
        'sender',
        'name',
        'callback_number',
        'receiver',
        'duration_seconds',
        'trashed_date',
        'flags',
        'table',
        'file',
        'origin',
        'date_unclear',
      ]);
      expect(rows.slice(1).map((r) => [r[0], r[1], r[3], r[10], r[11]])).toEqual(
        records.map((r) => [String(r.id), r.date, r.name ?? '', r.file ?? '', r.origin]),
      );
    } finally {
      await run.cleanup();
    }
  });

  it('scan counts voicemails, those in Deleted Messages and the rows deleted since (sqlite_sequence), with SQL only', async () => {
    const { scan, truth } = await scanGenerated({
      encrypted,
      spec: { seed: `voicemail-scan-${encrypted}`, contacts: 2, messages: 3, photos: 0, calls: 0, voicemails: 14 },
      types: ['voicemail'],
    });
    const dates = truth.voicemails.filter((v) => v.table === 'voicemail').map((v) => v.date.getTime());
    const audio = truth.voicemails.reduce((n, v) => n + (v.audio?.length ?? 0), 0);
    expect(scan[0]).toMatchObject({
      type: 'voicemail',
      present: true,
      count: truth.voicemails.length,
      recentlyDeleted: truth.voicemails.filter((v) => v.trashedDate !== null || v.table === 'deleted').length,
      firstDate: new Date(Math.min(...dates)).toISOString(),
      lastDate: new Date(Math.max(...dates)).toISOString(),
      warnings: [],
    });
    // ROWIDs never come back (AUTOINCREMENT): the highest ever given minus the rows left (one moved to `deleted`).
    expect(scan[0]!.purged).toBe(
      truth.deletedVoicemails.length + truth.voicemails.filter((v) => v.table === 'deleted').length,
    );
    expect(scan[0]!.bytes).toBeGreaterThan(audio);
  });
});

describe('voicemail without a voicemail.db', () => {
  it('is reported missing, not failed', async () => {
    const run = await extractGenerated({
      encrypted: false,
      spec: { seed: 'no-voicemail', contacts: 1, messages: 1, photos: 0, calls: 0, omit: ['voicemail'] },
      extract: { types: ['voicemail'] },
    });
    try {
      expect(run.report.types).toEqual([{ type: 'voicemail', status: 'missing', records: 0, files: 0, warnings: [] }]);
    } finally {
      await run.cleanup();
    }
  });
});

const devices = ['hickman-ios15.3.1-iphone8', 'belkactf6-ios16.3', 'magnet-mvs2023-ios16.1.1'];
const corpus = corpusPath('ileapp-real-device');

describe.skipIf(corpus === undefined)(
  'real voicemail.db files (iLEAPP test images, iOS 15.3.1, 16.1.1, 16.3; 0 rows, as iLEAPP reports)',
  () => {
    it.each(devices)('%s: extracts with status ok and 0 records, scan counts 0', async (device) => {
      const dir = join(root, device);
      const db = readFileSync(join(corpus!, device, 'Voicemail/voicemail.db'));
      const { report, scan, out } = await extractItems(
        dir,
        [{ domain: 'HomeDomain', relativePath: 'Library/Voicemail/voicemail.db', data: db }],
        ['voicemail'],
      );
      expect(report.types).toEqual([{ type: 'voicemail', status: 'ok', records: 0, files: 2, warnings: [] }]);
      expect(await readFile(join(out, 'voicemail/voicemail.json'), 'utf8')).toBe('[]\n');
      // Their sqlite_sequence has a row for `map` only: no voicemail was ever stored, so nothing is counted as purged.
      expect(scan[0]).toMatchObject({
        present: true,
        count: 0,
        recentlyDeleted: 0,
        purged: null,
        firstDate: null,
        bytes: db.length,
      });
    });
  },
);
