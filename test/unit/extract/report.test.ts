import { mkdir, mkdtemp, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type {
  ChatRecord,
  MessageRecord,
  NoteRecord,
  ReminderRecord,
  TypeResult,
  VoicemailRecord,
  WhatsAppChatRecord,
  WhatsAppMessageRecord,
} from '../../../src/extract/index.js';
import { fileHref, webHref } from '../../../src/extract/report/html.js';
import { readJsonArray, SECTIONS, writeReport } from '../../../src/extract/report/index.js';

const root = await mkdtemp(join(tmpdir(), 'iosrescue-report-test-'));
afterAll(() => rm(root, { recursive: true, force: true }));
let counter = 0;

async function collect(path: string, key?: string, chunkSize?: number): Promise<unknown[]> {
  const items: unknown[] = [];
  for await (const item of readJsonArray(path, key, { chunkSize })) items.push(item);
  return items;
}

async function file(text: string): Promise<string> {
  const path = join(root, `json-${++counter}.json`);
  await writeFile(path, text);
  return path;
}

/** An output folder written by hand: extraction.json plus the given files. */
async function outputFolder(
  types: Array<Omit<Partial<TypeResult>, 'type'> & { type: string }>,
  files: Record<string, string>,
): Promise<string> {
  const out = join(root, `out-${++counter}`);
  await mkdir(out);
  const results = types.map((t) => ({ status: 'ok', records: 0, files: 0, warnings: [], ...t }));
  await writeFile(
    join(out, 'extraction.json'),
    JSON.stringify({ out, types: results, range: { since: null, until: null } }),
  );
  for (const [name, text] of Object.entries(files)) {
    await mkdir(dirname(join(out, name)), { recursive: true });
    await writeFile(join(out, name), text);
  }
  return out;
}

/** The HTML of one section of a written report. */
function section(html: string, type: string): string {
  const start = html.indexOf(`<section class="type" id="${type}"`);
  expect(start, `section ${type}`).toBeGreaterThanOrEqual(0);
  return html.slice(start, html.indexOf('</section>', start));
}

describe('readJsonArray', () => {
  const tricky = [
    { text: 'a ] b, c } d { e [ f', quote: 'say "hi" \\ there', unicode: 'Ünïcødé 🎉 \u2028' },
    [1, [2, [3]], { nested: ['x', { y: ']' }] }],
    'plain string, with comma',
    42,
    null,
    { empty: {}, list: [] },
  ];

  it('yields each element of a top-level array, whatever the chunk boundaries cut through', async () => {
    const path = await file(JSON.stringify(tricky, null, 2));
    for (const chunkSize of [1, 2, 3, 7, 64, 1 << 16])
      expect(await collect(path, undefined, chunkSize), `chunks of ${chunkSize}`).toEqual(tricky);
    expect(await collect(await file('[]'))).toEqual([]);
    expect(await collect(await file(' \n[ ]\n'))).toEqual([]);
  });

  it('yields the array under a top-level key, not a same-named key deeper down or a value that reads like the key', async () => {
    const doc = { chat: { messages: ['not these'], name: 'messages' }, note: 'messages', messages: tricky, after: [9] };
    const path = await file(JSON.stringify(doc));
    for (const chunkSize of [1, 5, 1 << 16]) expect(await collect(path, 'messages', chunkSize)).toEqual(tricky);
    expect(await collect(path, 'after')).toEqual([9]);
  });

  it('refuses a file without the array, a truncated array and a broken element', async () => {
    await expect(collect(await file('{"a": 1}'))).rejects.toThrow(/no JSON array/);
    await expect(collect(await file('{"chat": {}}'), 'messages')).rejects.toThrow(/no "messages" array/);
    await expect(collect(await file('[{"a": 1}, {"b": 2'))).rejects.toThrow(/not closed/);
    await expect(collect(await file('[{"a": 1}, {b: 2}]'))).rejects.toThrow(SyntaxError);
  });
});

describe('report links', () => {
  it('percent-encodes each segment of a file path, and refuses paths that are not plain relative paths', () => {
    expect(fileHref('photos/Camera Roll/Q&A #1 100%.jpg')).toBe('photos/Camera%20Roll/Q%26A%20%231%20100%25.jpg');
    expect(fileHref('messages/"><script>/a.html')).toBe('messages/%22%3E%3Cscript%3E/a.html');
    for (const bad of [
      '/etc/passwd',
      '../x',
      'a/../../x',
      'a//b',
      'javascript:alert(1)',
      'C:\\x',
      'file:///etc/passwd',
      '',
      null,
    ])
      expect(fileHref(bad), String(bad)).toBeNull();
  });

  it('links only http(s) addresses from the phone', () => {
    expect(webHref('https://example.org/a b')).toBe('https://example.org/a%20b');
    for (const bad of [
      'javascript:alert(1)',
      ' JavaScript:alert(1)',
      'file:///etc/passwd',
      'data:text/html,x',
      'not a url',
      null,
    ])
      expect(webHref(bad), String(bad)).toBeNull();
  });
});

describe('writeReport', () => {
  it('draws a type without a section of its own as a table of its JSON records (links, marks and escaping included)', async () => {
    expect(Object.hasOwn(SECTIONS, 'pager')).toBe(false);
    const pages = [
      {
        origin: 'live',
        id: 1,
        title: 'Shopping <script>alert(1)</script>',
        created: '2024-01-02T03:04:05.000Z',
        attachment: 'pager/files/list #1.png',
        folder: 'pager/Shopping',
        tags: ['a', 'b'],
      },
      {
        origin: 'recovered',
        id: 2,
        title: 'Gone',
        created: null,
        attachment: 'pager/files/missing.png',
        folder: 'pager/Nowhere',
        extra: 'late field',
      },
    ];
    const out = await outputFolder([{ type: 'pager', records: 2, files: 3 }], {
      'pager/messages.json': JSON.stringify(pages),
      'pager/index.json': JSON.stringify({ version: 1 }),
      'pager/files/list #1.png': 'png',
      'pager/Shopping/note.html': '<p>note</p>',
    });
    const summary = await writeReport(out, { tempDir: root });
    expect(summary.types).toEqual([{ type: 'pager', status: 'ok', records: 2, shown: 2, deleted: 1, recovered: 1 }]);
    const html = section(await readFile(join(out, 'report.html'), 'utf8'), 'pager');
    expect(html).toContain('Shopping &lt;script&gt;alert(1)&lt;/script&gt;');
    expect(html).not.toContain('<script>');
    expect(html).toContain('<img loading="lazy" class="att" src="pager/files/list%20%231.png"');
    expect(html).toContain('<a href="pager/Shopping/note.html">Shopping</a>');
    // A file or folder that is not there stays text.
    expect(html).toContain('<td>pager/files/missing.png</td>');
    expect(html).toContain('<td>pager/Nowhere</td>');
    expect(html).toContain('<time datetime="2024-01-02T03:04:05.000Z">2024-01-02 03:04 UTC</time>');
    expect(html).toMatch(/<tr class="item deleted" data-origin="recovered">.*Recovered \(deleted\)/);
    expect(html).toContain('<th>extra</th>');
    expect(html).toContain('<td>late field</td>');
    expect(html).toContain('<code>[&quot;a&quot;,&quot;b&quot;]</code>');
    expect(html.match(/<tr class="item/g)).toHaveLength(2);
  });

  it('shows a failed or missing type with its status, and a folder planted as a symlink is not read', async () => {
    const outside = join(root, 'outside');
    await mkdir(outside, { recursive: true });
    await writeFile(
      join(outside, 'calls.json'),
      JSON.stringify([{ origin: 'live', id: 1, address: 'SECRET-OUTSIDE' }]),
    );
    const out = await outputFolder(
      [
        {
          type: 'photos',
          status: 'failed',
          error: { code: 'EXTRACT_SCHEMA_UNSUPPORTED', message: 'no <asset> table' },
        },
        { type: 'contacts', status: 'missing' },
        { type: 'calls', records: 1 },
      ],
      {},
    );
    await symlink(outside, join(out, 'calls'));
    const summary = await writeReport(out, { tempDir: root });
    const html = await readFile(join(out, 'report.html'), 'utf8');
    expect(section(html, 'photos')).toContain('Extraction failed: no &lt;asset&gt; table [EXTRACT_SCHEMA_UNSUPPORTED]');
    expect(section(html, 'contacts')).toContain('Not in this backup.');
    expect(section(html, 'calls')).toContain('could not be drawn');
    expect(html).not.toContain('SECRET-OUTSIDE');
    expect(summary.types.map((t) => [t.type, t.shown])).toEqual([
      ['photos', null],
      ['contacts', null],
      ['calls', null],
    ]);
  });

  it('keeps a 20,000-message conversation to its newest messages and its deleted ones, linking the whole thread', async () => {
    const total = 20_000;
    const chat: ChatRecord = {
      id: 1,
      guid: 'g',
      identifier: '+15555550100',
      displayName: null,
      isGroup: false,
      service: 'iMessage',
      participants: [{ handle: '+15555550100', name: 'Ann' }],
      folder: 'messages/Ann',
      messageCount: total,
    };
    const message = (i: number): MessageRecord => ({
      origin: i === 10 || i === 500 ? 'recently-deleted' : 'live',
      id: i,
      guid: `m${i}`,
      chatId: 1,
      text: `message ${i}`,
      date: new Date(Date.UTC(2024, 0, 1) + i * 60_000).toISOString(),
      dateRead: null,
      dateDeleted: null,
      isFromMe: i % 2 === 0,
      service: 'iMessage',
      handle: '+15555550100',
      handleName: 'Ann',
      attachments: [],
    });
    const lines = Array.from({ length: total }, (_, i) => JSON.stringify(message(i)));
    const out = await outputFolder([{ type: 'messages', records: total }], {
      'messages/conversations.json': JSON.stringify([chat]),
      'messages/Ann/conversation.json': `{\n"chat": ${JSON.stringify(chat)},\n"messages": [\n${lines.join(',\n')}\n]\n}\n`,
      'messages/Ann/conversation.html': '<p>all</p>',
    });
    const summary = await writeReport(out, { tempDir: root });
    expect(summary.types).toEqual([
      { type: 'messages', status: 'ok', records: total, shown: total, deleted: 2, recovered: 0 },
    ]);
    const html = section(await readFile(join(out, 'report.html'), 'utf8'), 'messages');
    expect(html).toContain(`data-messages="${total}" data-deleted="2"`);
    const shown = [...html.matchAll(/<div class="bubble">message (\d+)<\/div>/g)].map((m) => Number(m[1]));
    expect(shown).toEqual([10, 500, ...Array.from({ length: 100 }, (_, i) => total - 100 + i)]);
    expect(html.match(/class="gap"/g)).toHaveLength(3);
    expect(html).toContain(
      '… 10 earlier messages — <a href="messages/Ann/conversation.html">open the whole conversation</a>',
    );
    expect(html).toContain(`… ${total - 100 - 501} earlier messages`);
  });

  it('draws WhatsApp chats as threads: senders named in groups, media from the exported files, recovered rows marked and counted, deleted-for-everyone marked apart', async () => {
    const total = 1_000;
    const chat: WhatsAppChatRecord = {
      id: 7,
      jid: '120363000000000001@g.us',
      name: 'Trip <b>#1</b>',
      isGroup: true,
      archived: false,
      lastMessageDate: null,
      groupCreated: '2023-01-01T00:00:00.000Z',
      groupCreator: null,
      members: [
        { jid: '15555550101@s.whatsapp.net', name: 'Ana', isAdmin: true, isActive: true },
        { jid: '15555550102@s.whatsapp.net', name: null, isAdmin: false, isActive: true },
      ],
      folder: 'whatsapp/Trip _b_#1_b_',
      messageCount: total,
    };
    const base = (i: number): WhatsAppMessageRecord => ({
      origin: 'live',
      id: i,
      stanzaId: `s${i}`,
      chatId: 7,
      kind: 'text',
      messageType: 0,
      groupEventType: null,
      text: `wa ${i}`,
      date: new Date(Date.UTC(2024, 0, 1) + i * 60_000).toISOString(),
      sentDate: null,
      isFromMe: i % 2 === 0,
      fromJid: null,
      toJid: null,
      senderJid: i % 2 === 0 ? null : '15555550101@s.whatsapp.net',
      senderName: i % 2 === 0 ? null : 'Ana',
      starred: false,
      deletedForEveryone: false,
      replyToStanzaId: null,
      media: null,
    });
    const media = (
      file: string | null,
      extra: Partial<NonNullable<WhatsAppMessageRecord['media']>> = {},
    ): WhatsAppMessageRecord['media'] => ({
      id: 1,
      localPath: `Media/x/${file?.split('/').pop() ?? 'gone.jpg'}`,
      title: null,
      mimeType: null,
      bytes: null,
      durationSeconds: null,
      latitude: null,
      longitude: null,
      vcardName: null,
      vcard: null,
      file,
      ...extra,
    });
    const special: Record<number, Partial<WhatsAppMessageRecord>> = {
      // Older than the newest 100: recovered ones stay in the page, a deleted-for-everyone one does not.
      5: { origin: 'recovered', id: -1, text: 'recovered old <i>one</i>' },
      6: { kind: 'deleted', messageType: 14, text: null, deletedForEveryone: true },
      [total - 10]: {
        kind: 'image',
        text: null,
        media: media('whatsapp/Trip _b_#1_b_/media/1-photo #1.jpg', { title: 'at the beach' }),
      },
      [total - 9]: {
        kind: 'audio',
        text: null,
        media: media('whatsapp/Trip _b_#1_b_/media/2-voice.opus', { durationSeconds: 7 }),
      },
      [total - 8]: {
        kind: 'document',
        text: null,
        media: media('whatsapp/Trip _b_#1_b_/media/3-Invoice.pdf', { title: 'Invoice.pdf' }),
      },
      [total - 7]: { kind: 'image', text: null, media: media(null) },
      [total - 6]: {
        kind: 'location',
        text: null,
        media: media(null, { localPath: null, latitude: 38.7223, longitude: -9.1393, title: 'Lisbon' }),
      },
      [total - 5]: { kind: 'deleted', messageType: 14, text: null, deletedForEveryone: true },
      [total - 4]: { origin: 'recovered', text: 'recovered new' },
      [total - 3]: { kind: 'group-event', groupEventType: 1, text: 'Trip <b>#1</b>' },
      [total - 1]: { senderJid: '15555550102@s.whatsapp.net', senderName: null },
    };
    const lines = Array.from({ length: total }, (_, i) => JSON.stringify({ ...base(i), ...special[i] }));
    const out = await outputFolder([{ type: 'whatsapp', records: total }], {
      'whatsapp/chats.json': JSON.stringify([chat]),
      [`${chat.folder}/conversation.json`]: `{\n"chat": ${JSON.stringify(chat)},\n"messages": [\n${lines.join(',\n')}\n]\n}\n`,
      [`${chat.folder}/conversation.html`]: '<p>all</p>',
    });
    const summary = await writeReport(out, { tempDir: root });
    // Deleted = the two recovered rows; the two deleted for everyone are marked but not counted.
    expect(summary.types).toEqual([
      { type: 'whatsapp', status: 'ok', records: total, shown: total, deleted: 2, recovered: 2 },
    ]);
    const html = section(await readFile(join(out, 'report.html'), 'utf8'), 'whatsapp');
    expect(html).toContain(`data-messages="${total}" data-deleted="2" data-revoked="2"`);
    expect(html).toContain(
      '<span class="title">Trip &lt;b&gt;#1&lt;/b&gt;</span><span class="mark">2 deleted</span><span class="mark revoked">2 deleted for everyone</span>',
    );
    expect(html).toContain('2 members: Ana, +15555550102');
    expect(html).not.toContain('<b>');
    const bubbles = html.split('\n').filter((l) => l.includes('class="item msg'));
    expect(bubbles).toHaveLength(101);
    expect(bubbles[0]).toMatch(
      /^<div class="item msg them WhatsApp deleted" data-origin="recovered"><span class="who">Ana<\/span><div class="bubble">recovered old &lt;i&gt;one&lt;\/i&gt;<\/div>.*<span class="mark recovered">Recovered \(deleted\)<\/span>/,
    );
    expect(bubbles.filter((b) => b.includes('data-origin="recovered"'))).toHaveLength(2);
    expect(bubbles.filter((b) => b.includes('Recovered (deleted)'))).toHaveLength(2);
    const revoked = bubbles.filter((b) => b.includes('revoked'));
    expect(revoked).toHaveLength(1);
    expect(revoked[0]).toMatch(
      /^<div class="item msg them WhatsApp revoked" data-origin="live"><span class="who">Ana<\/span><div class="bubble revoked">🚫 This message was deleted<\/div>.*<span class="mark revoked">Deleted for everyone<\/span>/,
    );
    expect(html).toContain(
      '… 5 earlier messages — <a href="whatsapp/Trip%20_b_%231_b_/conversation.html">open the whole conversation</a>',
    );
    expect(html).toContain(`… ${total - 100 - 6} earlier messages`);
    expect(html).toContain(
      '<a href="whatsapp/Trip%20_b_%231_b_/media/1-photo%20%231.jpg"><img class="att" loading="lazy" src="whatsapp/Trip%20_b_%231_b_/media/1-photo%20%231.jpg" alt="at the beach"></a><div class="bubble">at the beach</div>',
    );
    expect(html).toContain(
      '<audio controls preload="none" src="whatsapp/Trip%20_b_%231_b_/media/2-voice.opus"></audio>',
    );
    expect(html).toContain('0:07');
    expect(html).toContain('📄 <a href="whatsapp/Trip%20_b_%231_b_/media/3-Invoice.pdf">Invoice.pdf</a>');
    expect(html).toContain('[image gone.jpg: not in the backup]');
    expect(html).toContain(
      'href="https://www.openstreetmap.org/?mlat=38.7223&amp;mlon=-9.1393#map=16/38.7223/-9.1393"',
    );
    expect(html).toContain('Ana changed the group subject to “Trip &lt;b&gt;#1&lt;/b&gt;”');
    // A member without a name in the address book is named by number.
    expect(bubbles.at(-1)).toMatch(
      /^<div class="item msg them WhatsApp" data-origin="live"><span class="who">\+15555550102<\/span><div class="bubble">wa 999<\/div>/,
    );
    // The owner's own bubbles carry no name.
    expect(bubbles.at(-2)).toMatch(
      /^<div class="item msg me WhatsApp" data-origin="live"><div class="bubble">wa 998<\/div>/,
    );
  });

  it('draws notes as cards: title, folder, first lines, attachments, page links, locked badge, deleted marks', async () => {
    const note = (over: Partial<NoteRecord>): NoteRecord => ({
      origin: 'live',
      id: 1,
      identifier: 'N1',
      store: 'NoteStore.sqlite',
      account: 'iCloud',
      folder: 'Travel/Lisbon',
      title: 'Packing <list>',
      snippet: 'passport',
      text: 'Packing <list>\npassport\ncharger\n\uFFFC\nadapter\nshoes\nhat',
      created: '2024-01-02T03:04:05.000Z',
      modified: '2024-02-03T04:05:06.000Z',
      pinned: true,
      locked: false,
      attachments: [
        {
          identifier: 'A1',
          uti: 'public.jpeg',
          name: 'IMG 1.jpeg',
          storedPath: 'Accounts/x/Media/y/IMG 1.jpeg',
          file: 'notes/iCloud/Travel/Lisbon/attachments/IMG 1.jpeg',
        },
        {
          identifier: 'A2',
          uti: 'com.adobe.pdf',
          name: 'Scan #2.pdf',
          storedPath: 'Accounts/x/Media/z/Scan #2.pdf',
          file: 'notes/iCloud/Travel/Lisbon/attachments/Scan #2.pdf',
        },
        {
          identifier: 'A3',
          uti: 'com.adobe.pdf',
          name: 'Gone.pdf',
          storedPath: 'Accounts/x/Media/w/Gone.pdf',
          file: null,
        },
        { identifier: 'A4', uti: 'com.apple.notes.table', name: null, storedPath: null, file: null },
      ],
      file: 'notes/iCloud/Travel/Lisbon/Packing _list_.html',
      markdownFile: 'notes/iCloud/Travel/Lisbon/Packing _list_.md',
      ...over,
    });
    const notes = [
      note({}),
      note({
        id: 2,
        origin: 'recently-deleted',
        folder: 'Recently Deleted',
        title: 'Old',
        text: 'Old\nbye',
        pinned: false,
        attachments: [],
        file: 'notes/iCloud/Recently Deleted/Old.html',
        markdownFile: null,
      }),
      note({
        id: 3,
        origin: 'live',
        title: 'Secret',
        text: null,
        snippet: null,
        locked: true,
        pinned: false,
        attachments: [],
      }),
      note({
        id: -1,
        origin: 'recovered',
        account: null,
        folder: null,
        title: 'Gift list',
        text: 'Gift list\nbook',
        pinned: false,
        attachments: [],
        file: 'notes/Recovered deleted notes/Gift list.html',
        markdownFile: 'notes/Recovered deleted notes/Gift list.md',
      }),
    ];
    const out = await outputFolder([{ type: 'notes', records: notes.length }], {
      'notes/notes.json': JSON.stringify(notes),
    });
    const summary = await writeReport(out, { tempDir: root });
    expect(summary.types).toEqual([{ type: 'notes', status: 'ok', records: 4, shown: 4, deleted: 2, recovered: 1 }]);
    // The summary splits the deleted ones by where they came from; both are counts of items shown, not estimates.
    const page = await readFile(join(out, 'report.html'), 'utf8');
    expect(page).toContain(
      '<td class="num deleted-count">2</td><td class="num recently-deleted-count">1</td><td class="num recovered-count">1</td>',
    );
    expect(page).toContain('none is an estimate');
    const html = section(page, 'notes');
    const cards = html.split(/(?=<div class="item card note)/).slice(1);
    expect(cards).toHaveLength(4);
    expect(cards[0]).toContain(
      '<div class="name">Packing &lt;list&gt;<span class="badge">📌 Pinned</span></div><div class="muted">iCloud › Travel/Lisbon</div>',
    );
    // The lines under the title, at most four; the attachment placeholder left out.
    expect(cards[0]).toContain('<div class="text">passport\ncharger\nadapter\nshoes\n…</div>');
    expect(cards[0]).toContain(
      '<img class="att" loading="lazy" src="notes/iCloud/Travel/Lisbon/attachments/IMG%201.jpeg" alt="IMG 1.jpeg">',
    );
    expect(cards[0]).toContain('📎 <a href="notes/iCloud/Travel/Lisbon/attachments/Scan%20%232.pdf">Scan #2.pdf</a>');
    expect(cards[0]).toContain('📎 Gone.pdf (not in the backup)');
    expect(cards[0]).toContain(
      '<a href="notes/iCloud/Travel/Lisbon/Packing%20_list_.html">open note</a> · <a href="notes/iCloud/Travel/Lisbon/Packing%20_list_.md">Markdown</a>',
    );
    expect(cards[0]).toContain('created <time datetime="2024-01-02T03:04:05.000Z">2024-01-02 03:04 UTC</time>');
    expect(cards[0]).toMatch(/^<div class="item card note" data-origin="live">/);
    expect(cards[1]).toMatch(
      /^<div class="item card note deleted" data-origin="recently-deleted"><div class="name">Old<span class="mark recently-deleted">Recently deleted<\/span>/,
    );
    expect(cards[1]).not.toContain('Markdown');
    expect(cards[2]).toContain('<span class="badge">🔒 Locked</span>');
    expect(cards[2]).toContain('the text is encrypted and was not exported');
    expect(cards[3]).toMatch(
      /^<div class="item card note deleted" data-origin="recovered"><div class="name">Gift list<span class="mark recovered">Recovered \(deleted\)<\/span>/,
    );
    expect(cards[3]).toContain('<div class="text">book</div>');
    expect(html).not.toContain('<list>');
  });

  it('draws reminders and voicemails as tables, voicemails with a player for their audio', async () => {
    const reminder = (over: Partial<ReminderRecord>): ReminderRecord => ({
      origin: 'live',
      id: 1,
      uid: 'U1',
      store: 'Data-1.sqlite',
      list: 'Groceries',
      title: 'Buy <milk>',
      notes: null,
      due: '2024-03-01T00:00:00.000Z',
      allDay: true,
      timeZone: null,
      completed: false,
      completionDate: null,
      priority: 1,
      flagged: true,
      parent: null,
      created: null,
      modified: null,
      ...over,
    });
    const voicemail = (over: Partial<VoicemailRecord>): VoicemailRecord => ({
      origin: 'live',
      id: 1,
      table: 'voicemail',
      remoteUid: null,
      date: '2024-01-31T09:30:00.000Z',
      sender: '+15555550100',
      name: 'Ana',
      callbackNumber: null,
      receiver: null,
      durationSeconds: 65,
      trashedDate: null,
      flags: null,
      file: 'voicemail/2024-01-31 09.30.00 Ana.amr',
      ...over,
    });
    const out = await outputFolder(
      [
        { type: 'reminders', records: 3 },
        { type: 'voicemail', records: 3 },
      ],
      {
        'reminders/reminders.json': JSON.stringify([
          reminder({}),
          reminder({ id: 2, completed: true, completionDate: '2024-03-02T10:00:00.000Z', flagged: false, priority: 0 }),
          reminder({ id: -1, origin: 'recovered', title: 'Gone' }),
        ]),
        'voicemail/voicemail.json': JSON.stringify([
          voicemail({}),
          voicemail({
            id: 2,
            origin: 'recently-deleted',
            name: null,
            trashedDate: '2024-02-01T00:00:00.000Z',
            file: 'voicemail/Recently Deleted/2024-01-31 #2.amr',
          }),
          voicemail({ id: -1, origin: 'recovered', name: null, sender: null, file: null }),
        ]),
      },
    );
    const summary = await writeReport(out, { tempDir: root });
    expect(summary.types).toEqual([
      { type: 'reminders', status: 'ok', records: 3, shown: 3, deleted: 1, recovered: 1 },
      { type: 'voicemail', status: 'ok', records: 3, shown: 3, deleted: 2, recovered: 1 },
    ]);
    const html = await readFile(join(out, 'report.html'), 'utf8');
    const reminders = section(html, 'reminders');
    expect(reminders).toContain('☐ !!! <strong>Buy &lt;milk&gt;</strong> 🚩');
    expect(reminders).toContain('☑ <s>Buy &lt;milk&gt;</s>');
    expect(reminders).toContain('<time datetime="2024-03-01T00:00:00.000Z">2024-03-01</time>');
    expect(reminders).toMatch(/<tr class="item deleted" data-origin="recovered">.*Gone.*Recovered \(deleted\)/);
    const voicemails = section(html, 'voicemail');
    expect(voicemails).toContain('<strong>Ana</strong> <span class="muted">+15555550100</span>');
    expect(voicemails).toContain(
      '<audio controls preload="none" src="voicemail/2024-01-31%2009.30.00%20Ana.amr"></audio> <a href="voicemail/2024-01-31%2009.30.00%20Ana.amr">AMR</a>',
    );
    expect(voicemails).toContain('<td class="num">1:05</td>');
    expect(voicemails).toMatch(
      /<tr class="item deleted" data-origin="recently-deleted">.*Recently%20Deleted\/2024-01-31%20%232\.amr.*in Deleted Messages since.*Recently deleted/,
    );
    expect(voicemails).toMatch(
      /<tr class="item deleted" data-origin="recovered">.*unknown caller.*audio gone with the row.*Recovered \(deleted\)/,
    );
    expect(voicemails.match(/<audio /g)).toHaveLength(2);
  });
});
