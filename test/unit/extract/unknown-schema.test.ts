import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { toBinaryPlist } from '../../../src/plist/index.js';
import { extractItems } from '../../helpers/scan-generated.js';

const scratch = mkdtempSync(join(tmpdir(), 'iosrescue-unknown-schema-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

/** A fresh folder for one backup and its output. */
const fresh = (): Promise<string> => mkdtemp(join(scratch, 'run-'));

/** A database no iOS version wrote: two tables of its own. */
function strangeDatabase(): Buffer {
  const path = join(scratch, `strange-${Math.random()}.sqlite`);
  const db = new Database(path);
  db.exec("CREATE TABLE shoebox (x); CREATE TABLE receipts (y); INSERT INTO shoebox VALUES ('not a phone database');");
  db.close();
  return readFileSync(path);
}

// Each place one of these types reads, holding a file of a schema none of its layouts fits: the type fails with
// EXTRACT_SCHEMA_UNSUPPORTED naming the tables it saw, never UNEXPECTED.
describe.each([
  { type: 'calendar', domain: 'HomeDomain', relativePath: 'Library/Calendar/Calendar.sqlitedb' },
  { type: 'safari', domain: 'AppDomain-com.apple.mobilesafari', relativePath: 'Library/Safari/History.db' },
  { type: 'voicemail', domain: 'HomeDomain', relativePath: 'Library/Voicemail/voicemail.db' },
  {
    type: 'whatsapp',
    domain: 'AppDomainGroup-group.net.whatsapp.WhatsApp.shared',
    relativePath: 'ChatStorage.sqlite',
  },
  { type: 'notes', domain: 'AppDomainGroup-group.com.apple.notes', relativePath: 'NoteStore.sqlite' },
  { type: 'notes', domain: 'HomeDomain', relativePath: 'Library/Notes/notes.sqlite' },
] as const)('$type: $relativePath of an unknown schema', ({ type, domain, relativePath }) => {
  it('is EXTRACT_SCHEMA_UNSUPPORTED naming the tables it saw', async () => {
    const { report } = await extractItems(await fresh(), [{ domain, relativePath, data: strangeDatabase() }], [type]);
    const result = report.types.find((t) => t.type === type)!;
    expect(result.status).toBe('failed');
    expect(result.error?.code).toBe('EXTRACT_SCHEMA_UNSUPPORTED');
    expect(result.error?.message).toMatch(/tables seen: .*receipts, shoebox/);
  });
});

describe('other unknown files', () => {
  it('a History.plist that is not a WebKit history file fails safari with the keys it has', async () => {
    const { report } = await extractItems(
      await fresh(),
      [{ domain: 'HomeDomain', relativePath: 'Library/Safari/History.plist', data: toBinaryPlist({ Shoebox: 1 }) }],
      ['safari'],
    );
    expect(report.types[0]).toMatchObject({
      status: 'failed',
      error: { code: 'EXTRACT_SCHEMA_UNSUPPORTED', message: expect.stringContaining('Shoebox') },
    });
  });

  it('an unknown Voice Memos database is a warning naming its tables; the rest of audio still comes out', async () => {
    const { report } = await extractItems(
      await fresh(),
      [{ domain: 'MediaDomain', relativePath: 'Media/Recordings/Recordings.db', data: strangeDatabase() }],
      ['audio'],
    );
    const audio = report.types[0]!;
    expect(audio.status).toBe('ok');
    expect(audio.warnings).toEqual([
      expect.stringMatching(/tables seen: receipts, shoebox\) \[EXTRACT_SCHEMA_UNSUPPORTED\]$/),
    ]);
    expect(JSON.stringify(audio)).not.toContain('UNEXPECTED');
  });
});
