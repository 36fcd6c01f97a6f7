import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { writeSyntheticBackup } from '../../../src/backup/index.js';
import { generateDeviceContent } from '../../../src/emulator/content/index.js';
import type { ScanTypeSummary } from '../../../src/operations/index.js';
import { withTempDir } from '../../helpers/backup-fixtures.js';
import { runCliInProcess } from '../../helpers/cli.js';
import { FAST_KDF } from '../../helpers/extract-backups.js';

describe('scan and extract commands', () => {
  afterEach(() => {
    delete process.env.IOSRESCUE_TEST_PW;
  });

  it('scan --json reports per-type counts of an encrypted backup (password from --password-env), and a readable table without --json', async () => {
    await withTempDir('iosrescue-cli-extract-', async (root) => {
      const content = generateDeviceContent({
        seed: 'cli-scan',
        contacts: 8,
        messages: 30,
        photos: 6,
        calls: 9,
        omit: ['calls'],
      });
      const backup = join(root, 'backup');
      await writeSyntheticBackup(backup, { items: content.items, password: 'pw', keybag: FAST_KDF });
      process.env.IOSRESCUE_TEST_PW = 'pw';
      const json = await runCliInProcess(['--json', 'scan', backup, '--password-env', 'IOSRESCUE_TEST_PW']);
      expect(json.status).toBe(0);
      const result = JSON.parse(json.stdout) as { encrypted: boolean; types: ScanTypeSummary[] };
      expect(result.encrypted).toBe(true);
      expect(result.types.map((t) => [t.type, t.present, t.records])).toEqual([
        ['photos', true, content.truth.photos.length],
        ['contacts', true, 8],
        ['messages', true, 30],
        ['calls', false, 0],
        ['calendar', true, content.truth.events.length],
        [
          'safari',
          true,
          content.truth.visits.length +
            content.truth.bookmarks.filter((b) => b.kind === 'bookmark' && !b.deleted && !b.webFilter).length,
        ],
        ['reminders', true, content.truth.reminders.length],
        ['voicemail', true, content.truth.voicemails.length],
        ['whatsapp', true, content.truth.whatsappMessages.length],
        ['audio', true, content.truth.voiceMemos.length + content.truth.ringtones.length + content.truth.tracks.length],
        ['notes', true, content.truth.notes.length],
      ]);
      const human = await runCliInProcess([
        'scan',
        backup,
        '--password-env',
        'IOSRESCUE_TEST_PW',
        '--types',
        'messages,calls',
      ]);
      expect(human.status).toBe(0);
      expect(human.stdout).toMatch(/^messages\s+30\s+\d+\s+\d{4}-\d{2}-\d{2}/m);
      expect(human.stdout).toMatch(/^calls\s+not in this backup/m);
      expect(human.stdout).not.toMatch(/^photos/m);
    });
  });

  it('extract --types --since --until writes only the chosen types and dates under --out', async () => {
    await withTempDir('iosrescue-cli-extract-', async (root) => {
      const content = generateDeviceContent({ seed: 'cli-extract', contacts: 5, messages: 40, photos: 10, calls: 20 });
      const backup = join(root, 'backup');
      await writeSyntheticBackup(backup, { items: content.items });
      const out = join(root, 'out');
      const { status, stdout } = await runCliInProcess([
        '--json',
        'extract',
        backup,
        '--out',
        out,
        '--types',
        'calls,contacts',
        '--since',
        '2024-01-01',
        '--until',
        '2024-06-30',
      ]);
      expect(status).toBe(0);
      const report = JSON.parse(stdout) as { types: Array<{ type: string; status: string; records: number }> };
      const calls = content.truth.calls.filter(
        (c) => c.date >= new Date('2024-01-01T00:00:00Z') && c.date <= new Date('2024-06-30T23:59:59.999Z'),
      );
      expect(calls.length).toBeGreaterThan(0);
      // Live records as chosen, plus the deleted ones the carver recovers (origin "recovered", dates in range too).
      const contacts = JSON.parse(readFileSync(join(out, 'contacts/contacts.json'), 'utf8')) as Array<{
        origin: string;
      }>;
      const extractedCalls = JSON.parse(readFileSync(join(out, 'calls/calls.json'), 'utf8')) as Array<{
        uniqueId: string;
        origin: string;
        date: string;
      }>;
      expect(report.types.map((t) => [t.type, t.status, t.records])).toEqual([
        ['contacts', 'ok', contacts.length],
        ['calls', 'ok', extractedCalls.length],
      ]);
      expect(contacts.filter((c) => c.origin === 'live')).toHaveLength(5);
      expect(existsSync(join(out, 'photos'))).toBe(false);
      expect(
        extractedCalls
          .filter((c) => c.origin === 'live')
          .map((c) => c.uniqueId)
          .sort(),
      ).toEqual(calls.map((c) => c.uniqueId).sort());
      for (const c of extractedCalls) expect(c.date >= '2024-01-01' && c.date <= '2024-06-30T23:59:59.999Z').toBe(true);
    });
  });

  it('refuses an unknown type and a bad date as usage errors (status 2) before touching the backup', async () => {
    const badType = await runCliInProcess(['extract', '/nonexistent', '--out', '/tmp/x', '--types', 'photos,selfies']);
    expect(badType.status).toBe(2);
    expect(badType.stderr).toMatch(/unknown data type "selfies"/);
    const badDate = await runCliInProcess(['extract', '/nonexistent', '--out', '/tmp/x', '--since', 'last tuesday']);
    expect(badDate.status).toBe(2);
    expect(badDate.stderr).toMatch(/--since last tuesday is not a date/);
  });
});
