import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { expect, it } from 'vitest';
import { CONTENT_PATHS, generateDeviceContent } from '../../../src/emulator/content/index.js';
import type { CallRecord, MessageRecord } from '../../../src/extract/index.js';
import { parseCsv } from '../../helpers/csv.js';
import { extractGenerated } from '../../helpers/extract-backups.js';

/** The bytes of `data` after `sql` ran on it (a copy on disk, journal mode DELETE so no -wal is left behind). */
function edited(data: Buffer, sql: string): Buffer {
  const dir = mkdtempSync(join(tmpdir(), 'iosrescue-dates-'));
  try {
    writeFileSync(join(dir, 'db'), data);
    const db = new Database(join(dir, 'db'));
    db.pragma('journal_mode = DELETE');
    db.exec(sql);
    db.close();
    return readFileSync(join(dir, 'db'));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

it('a date outside 2000 … now+1y is kept but flagged dateSuspect (date_unclear in the CSV), never shown as fact', async () => {
  // iOS 9 content (dates in seconds since 2001), with the first message's date shifted by 31 years, as a file that
  // holds Unix seconds where Apple seconds belong reads; and one call dated 1990.
  const content = generateDeviceContent({
    seed: 'dates',
    iosVersion: 9,
    contacts: 3,
    messages: 6,
    photos: 0,
    calls: 3,
    walTailMessages: 0,
  });
  const shift = (item: { domain: string; relativePath: string }, sql: string) => {
    const at = content.items.findIndex((i) => i.domain === item.domain && i.relativePath === item.relativePath);
    content.items[at] = { ...item, data: edited(content.items[at]!.data as Buffer, sql) };
  };
  shift(
    CONTENT_PATHS.smsDb,
    'UPDATE message SET date = date + 978307200 WHERE ROWID = (SELECT min(ROWID) FROM message)',
  );
  shift(
    CONTENT_PATHS.callHistory,
    'UPDATE ZCALLRECORD SET ZDATE = -347155200 WHERE Z_PK = (SELECT min(Z_PK) FROM ZCALLRECORD)',
  );
  const run = await extractGenerated({
    encrypted: false,
    content,
    format: 'mbdb',
    extract: { types: ['messages', 'calls'] },
  });
  try {
    const rows = parseCsv(await readFile(join(run.out, 'messages/messages.csv'), 'utf8'));
    const header = rows[0]!;
    const flagged = rows.slice(1).filter((r) => r[header.indexOf('date_unclear')] === 'true');
    expect(flagged.map((r) => [r[header.indexOf('id')], r[header.indexOf('date')]!.slice(0, 4)])).toEqual([
      [
        String(Math.min(...run.truth.messages.map((m) => m.rowid))),
        String(run.truth.messages[0]!.date.getUTCFullYear() + 31),
      ],
    ]);
    const calls = JSON.parse(await readFile(join(run.out, 'calls/calls.json'), 'utf8')) as CallRecord[];
    expect(calls.filter((c) => c.dateSuspect).map((c) => c.date)).toEqual(['1990-01-01T00:00:00.000Z']);
    const chats = JSON.parse(await readFile(join(run.out, 'messages/conversations.json'), 'utf8')) as Array<{
      folder: string;
    }>;
    let suspect = 0;
    for (const chat of chats) {
      const file = JSON.parse(await readFile(join(run.out, chat.folder, 'conversation.json'), 'utf8')) as {
        messages: MessageRecord[];
      };
      suspect += file.messages.filter((m) => m.dateSuspect === true).length;
    }
    expect(suspect).toBe(1);
    let pages = '';
    for (const chat of chats) pages += await readFile(join(run.out, chat.folder, 'conversation.html'), 'utf8');
    expect(pages.split('(date unclear)').length - 1).toBe(1);
  } finally {
    await run.cleanup();
  }
});

it('iOS 16 edit and unsend times come out as dateEdited / dateRetracted, only on the messages that have them', async () => {
  const content = generateDeviceContent({
    seed: 'edits',
    iosVersion: 16,
    contacts: 3,
    messages: 6,
    photos: 0,
    calls: 0,
    walTailMessages: 0,
  });
  const at = content.items.findIndex(
    (i) => i.domain === CONTENT_PATHS.smsDb.domain && i.relativePath === CONTENT_PATHS.smsDb.relativePath,
  );
  const [first, second] = [...content.truth.messages].sort((a, b) => a.rowid - b.rowid);
  content.items[at] = {
    ...CONTENT_PATHS.smsDb,
    data: edited(
      content.items[at]!.data as Buffer,
      `UPDATE message SET date_edited = date + 60000000000 WHERE ROWID = ${first!.rowid};
       UPDATE message SET date_retracted = date + 120000000000 WHERE ROWID = ${second!.rowid};`,
    ),
  };
  const run = await extractGenerated({ encrypted: false, content, extract: { types: ['messages'] } });
  try {
    const chats = JSON.parse(await readFile(join(run.out, 'messages/conversations.json'), 'utf8')) as Array<{
      folder: string;
    }>;
    const all: MessageRecord[] = [];
    for (const chat of chats)
      all.push(
        ...(
          JSON.parse(await readFile(join(run.out, chat.folder, 'conversation.json'), 'utf8')) as {
            messages: MessageRecord[];
          }
        ).messages,
      );
    const touched = all
      .filter((m) => m.dateEdited !== undefined || m.dateRetracted !== undefined)
      .map((m) => [m.id, m.dateEdited ?? null, m.dateRetracted ?? null]);
    expect(touched).toEqual(
      [
        [first!.rowid, new Date(first!.date.getTime() + 60_000).toISOString(), null],
        [second!.rowid, null, new Date(second!.date.getTime() + 120_000).toISOString()],
      ].sort((a, b) => all.findIndex((m) => m.id === a[0]) - all.findIndex((m) => m.id === b[0])),
    );
    let pages = '';
    for (const chat of chats) pages += await readFile(join(run.out, chat.folder, 'conversation.html'), 'utf8');
    expect(pages.split(' · edited ').length - 1).toBe(1);
    expect(pages.split('Unsent on ').length - 1).toBe(1);
  } finally {
    await run.cleanup();
  }
});
