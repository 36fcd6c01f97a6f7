import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { BackupReader, writeSyntheticBackup } from '../../src/backup/index.js';
import { CONTENT_PATHS, generateDeviceContent, type DeviceContent } from '../../src/emulator/content/index.js';
import { runExtraction, scanBackupContent, type DataType } from '../../src/extract/index.js';
import { SMALL_PHONE } from './fuzz-sample.js';

/**
 * Bugs the backup fuzzer (fuzz.test.ts) found, one test each: a value of the wrong type or out of range in a phone
 * database used to end its whole type with UNEXPECTED (a TypeError, a RangeError or an SqliteError escaping).
 */
const roots: string[] = [];
afterEach(async () => {
  for (const root of roots.splice(0)) await rm(root, { recursive: true, force: true });
});

/** The small phone with no sms.db-wal (its frames would cover the edited pages) and `edit` run on one database. */
async function editedContent(
  path: { domain: string; relativePath: string },
  ...statements: string[]
): Promise<DeviceContent> {
  const content = generateDeviceContent({ ...SMALL_PHONE, walTailMessages: 0 });
  const item = content.items.find((i) => i.domain === path.domain && i.relativePath === path.relativePath);
  if (item === undefined || !Buffer.isBuffer(item.data)) throw new Error(`no ${path.relativePath} in the sample`);
  const root = await mkdtemp(join(tmpdir(), 'iosrescue-regression-db-'));
  roots.push(root);
  const file = join(root, 'edited.sqlite');
  await writeFile(file, item.data);
  const db = new Database(file);
  // Triggers of the phone's schema call functions only iOS has.
  for (const { name } of db.prepare("SELECT name FROM sqlite_master WHERE type = 'trigger'").all() as Array<{
    name: string;
  }>) {
    db.exec(`DROP TRIGGER "${name}"`);
  }
  for (const sql of statements) db.exec(sql);
  db.close();
  item.data = await readFile(file);
  return content;
}

/** Writes `content` as a plain backup, scans and extracts `types`. */
async function run(content: DeviceContent, types: DataType[]) {
  const root = await mkdtemp(join(tmpdir(), 'iosrescue-regression-'));
  roots.push(root);
  await writeSyntheticBackup(join(root, 'backup'), { items: content.items });
  const reader = await BackupReader.open(join(root, 'backup'));
  try {
    const scan = await scanBackupContent(reader, { types, tempDir: root });
    const out = join(root, 'out');
    const report = await runExtraction(reader, { out, types, tempDir: root });
    const json = async (file: string): Promise<any> => JSON.parse(await readFile(join(out, file), 'utf8'));
    return { scan, report, json };
  } finally {
    await reader.close();
  }
}

function ok(result: Awaited<ReturnType<typeof run>>): void {
  for (const scan of result.scan) expect(scan.warnings.filter((w) => w.includes('[UNEXPECTED]'))).toEqual([]);
  for (const type of result.report.types)
    expect({ type: type.type, status: type.status, error: type.error }).toEqual({
      type: type.type,
      status: 'ok',
      error: undefined,
    });
}

describe('values of the wrong type or out of range in a phone database', () => {
  it('a chat name, an attachment path, name or MIME type stored as a blob reads as absent; the messages are still exported', async () => {
    const content = await editedContent(
      CONTENT_PATHS.smsDb,
      "UPDATE chat SET display_name = x'0102'",
      "UPDATE attachment SET filename = x'0102', transfer_name = x'0304', mime_type = x'0506'",
    );
    const result = await run(content, ['messages']);
    ok(result);
    expect(result.report.types[0]!.records).toBeGreaterThan(0);
    const attachments = [];
    for (const { folder } of await result.json('messages/conversations.json')) {
      for (const message of (await result.json(`${folder}/conversation.json`)).messages)
        attachments.push(...message.attachments);
    }
    expect(attachments.length).toBeGreaterThan(0);
    for (const a of attachments)
      expect([a.storedPath, a.transferName, a.mimeType, a.file]).toEqual([null, null, null, null]);
  });

  it('an sms.db date beyond what a Date can hold is an unknown date, not a failed extraction', async () => {
    const content = await editedContent(
      CONTENT_PATHS.smsDb,
      'UPDATE attachment SET created_date = 1e300',
      'UPDATE message SET date_read = 9223372036854775807',
    );
    const result = await run(content, ['messages']);
    ok(result);
    expect(result.report.types[0]!.records).toBeGreaterThan(0);
  });

  it("a contact's phone number, label or address part stored as a blob is left out; the contact is still exported", async () => {
    const content = await editedContent(
      CONTENT_PATHS.addressBook,
      "UPDATE ABMultiValue SET value = x'0102' WHERE property = 3",
      "UPDATE ABMultiValueLabel SET value = CAST(printf('%08d', ROWID) AS BLOB)",
      "UPDATE ABMultiValueEntry SET value = x'0506'",
    );
    const result = await run(content, ['contacts']);
    ok(result);
    const contacts = await result.json('contacts/contacts.json');
    expect(contacts.length).toBeGreaterThan(0);
    for (const contact of contacts) expect(contact.phones).toEqual([]);
  });

  it("a calendar's or an event's title stored as a blob reads as absent; calendar.ics is still written", async () => {
    const content = await editedContent(
      CONTENT_PATHS.calendar,
      "UPDATE Calendar SET title = x'0102'",
      "UPDATE CalendarItem SET summary = x'0304', description = x'05'",
    );
    const result = await run(content, ['calendar']);
    ok(result);
    const events = await result.json('calendar/events.json');
    expect(events.length).toBeGreaterThan(0);
    for (const event of events) expect([event.calendar, event.summary, event.notes]).toEqual([null, null, null]);
  });

  it('a voicemail date beyond what a Date can hold is unknown: the scan and the extraction succeed', async () => {
    const content = await editedContent(CONTENT_PATHS.voicemail, 'UPDATE voicemail SET date = 1e300');
    const result = await run(content, ['voicemail']);
    ok(result);
    expect(result.scan[0]).toMatchObject({ present: true, firstDate: null, lastDate: null });
    for (const voicemail of await result.json('voicemail/voicemail.json')) expect(voicemail.date).toBeNull();
  });

  it('attachment and media sizes adding up past 2^63 do not overflow the Messages and WhatsApp scans', async () => {
    const big = 'UPDATE attachment SET total_bytes = 9223372036854775807';
    const messages = await run(await editedContent(CONTENT_PATHS.smsDb, big), ['messages']);
    ok(messages);
    expect(messages.scan[0]!.bytes).toBeGreaterThan(2 ** 63);
    const whatsapp = await run(
      await editedContent(CONTENT_PATHS.whatsapp, 'UPDATE ZWAMEDIAITEM SET ZFILESIZE = 9223372036854775807'),
      ['whatsapp'],
    );
    ok(whatsapp);
    expect(whatsapp.scan[0]!.bytes).toBeGreaterThan(2 ** 63);
  });

  it("a notes folder's or account's name stored as a blob reads as absent; the notes are still exported", async () => {
    const content = await editedContent(
      CONTENT_PATHS.noteStore,
      "UPDATE ZICCLOUDSYNCINGOBJECT SET ZTITLE2 = x'0102' WHERE ZTITLE2 IS NOT NULL",
      "UPDATE ZICCLOUDSYNCINGOBJECT SET ZNAME = x'0304' WHERE ZNAME IS NOT NULL",
    );
    const result = await run(content, ['notes']);
    ok(result);
    const notes = await result.json('notes/notes.json');
    expect(notes.length).toBeGreaterThan(0);
    for (const note of notes) expect(note.account).toBeNull();
  });

  it("a photo's file names stored as blobs read as absent; the other photos and photos.json are still written", async () => {
    const content = await editedContent(
      CONTENT_PATHS.photosDb,
      "UPDATE ZASSET SET ZFILENAME = x'0102' WHERE Z_PK = (SELECT min(Z_PK) FROM ZASSET)",
      "UPDATE ZADDITIONALASSETATTRIBUTES SET ZORIGINALFILENAME = x'0304'",
    );
    const result = await run(content, ['photos']);
    ok(result);
    const photos = await result.json('photos/photos.json');
    expect(photos.length).toBeGreaterThan(1);
    expect(photos.filter((p: { file: string | null }) => p.file !== null).length).toBeGreaterThan(0);
  });

  it('a ringtone whose LastModified lies beyond what a Date can hold is listed with an unknown date', async () => {
    const content = generateDeviceContent(SMALL_PHONE);
    const tone = content.items.find((i) => i.relativePath.startsWith('Media/iTunes_Control/Ringtones/'));
    tone!.mtime = 2 ** 53 - 1;
    const result = await run(content, ['audio']);
    ok(result);
    const tones = await result.json('audio/ringtones.json');
    expect(tones.find((t: { fileName: string }) => tone!.relativePath.endsWith(t.fileName))).toMatchObject({
      modified: null,
    });
  });
});
