import { mkdtemp, readFile, readdir, rm, stat } from 'node:fs/promises';
import { readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { noteStoreData, type DeviceContentSpec, type TruthNote } from '../../../src/emulator/content/index.js';
import { escapeMarkdown } from '../../../src/extract/exporters/note-markdown.js';
import { escapeHtml } from '../../../src/extract/exporters/messages-html.js';
import type { NoteRecord } from '../../../src/extract/index.js';
import { decodeNoteBody, noteParagraphs } from '../../../src/extract/notes/note-body.js';
import { decodeNoteTable } from '../../../src/extract/notes/note-table.js';
import { protoFields } from '../../../src/extract/protobuf.js';
import { corpusPath } from '../../helpers/backup-corpus.js';
import { parseCsv } from '../../helpers/csv.js';
import { extractGenerated } from '../../helpers/extract-backups.js';
import { extractItems, scanGenerated } from '../../helpers/scan-generated.js';

/** Everything but notes left out, so each backup is quick to write. */
const ONLY_NOTES: DeviceContentSpec['omit'] = [
  'messages',
  'contacts',
  'photos',
  'calls',
  'calendar',
  'safari',
  'reminders',
  'voicemail',
  'bookmarks',
  'whatsapp',
  'audio',
];

/** What a note's text reads as: its attachments by name, in order. */
function expectedText(note: TruthNote): string | null {
  if (note.text === null) return null;
  let i = 0;
  return note.text.replace(/\uFFFC/g, () => `[${note.attachments[i++]!.filename}]`);
}

/** The folder as the record names it: parents first, "/" between. */
function expectedFolder(
  note: TruthNote,
  folders: Array<{ pk: number; title: string; parentPk: number | null }>,
): string {
  const names: string[] = [];
  for (
    let f = folders.find((x) => x.pk === note.folderPk);
    f;
    f = f.parentPk === null ? undefined : folders.find((x) => x.pk === f!.parentPk)
  )
    names.unshift(f.title);
  return names.join('/');
}

describe.each([{ encrypted: false }, { encrypted: true }])('notes (encrypted: $encrypted)', ({ encrypted }) => {
  it('exports every note field by field, as dated HTML and Markdown, with attachments byte for byte; deleted notes the carver finds follow', async () => {
    const run = await extractGenerated({
      encrypted,
      spec: { seed: `notes-${encrypted}`, notes: 30, omit: ONLY_NOTES },
      extract: { types: ['notes'] },
    });
    try {
      const notes = JSON.parse(await readFile(join(run.out, 'notes/notes.json'), 'utf8')) as NoteRecord[];
      const report = run.report.types.find((t) => t.type === 'notes')!;
      expect(report).toMatchObject({ status: 'ok', records: notes.length });
      expect(report.warnings.some((w) => w.includes('locked'))).toBe(true);
      const recovered = notes.filter((n) => n.origin === 'recovered');
      const live = notes.slice(0, notes.length - recovered.length);
      expect(live.every((n) => n.origin !== 'recovered')).toBe(true);
      expect(live.map((n) => n.id).sort((a, b) => a - b)).toEqual(
        run.truth.notes.map((n) => n.pk).sort((a, b) => a - b),
      );

      for (const truth of run.truth.notes) {
        const note = live.find((n) => n.id === truth.pk)!;
        expect({ ...note, attachments: undefined, file: undefined, markdownFile: undefined }).toEqual({
          origin: truth.recentlyDeleted || truth.markedForDeletion ? 'recently-deleted' : 'live',
          id: truth.pk,
          identifier: truth.identifier,
          store: 'NoteStore.sqlite',
          account: truth.account,
          folder: expectedFolder(truth, run.truth.noteFolders),
          title: truth.title,
          snippet: truth.snippet,
          text: expectedText(truth),
          created: truth.created.toISOString(),
          modified: truth.modified.toISOString(),
          pinned: truth.pinned,
          locked: truth.locked,
          attachments: undefined,
          file: undefined,
          markdownFile: undefined,
        });
        // One page and one Markdown file per note, in its account's folder, dated like the note.
        expect(note.file).toMatch(new RegExp(`^notes/${truth.account}/`));
        expect(note.file!.startsWith(`notes/${truth.account}/${expectedFolder(truth, run.truth.noteFolders)}/`)).toBe(
          true,
        );
        expect(note.markdownFile).toBe(note.file!.replace(/\.html$/, '.md'));
        for (const file of [note.file!, note.markdownFile!])
          expect((await stat(join(run.out, file))).mtime.toISOString()).toBe(truth.modified.toISOString());
        const html = await readFile(join(run.out, note.file!), 'utf8');
        const markdown = await readFile(join(run.out, note.markdownFile!), 'utf8');
        expect(html).toContain(`<title>${escapeHtml(truth.title)}</title>`);
        expect(html).not.toMatch(/<script|javascript:/i);
        expect(html).toContain('Content-Security-Policy');
        if (truth.locked) {
          expect(html).toContain('locked with a password');
          continue;
        }
        expect(html).toContain(`<h1>${escapeHtml(truth.title)}</h1>`);
        expect(markdown).toContain(`\n# ${escapeMarkdown(truth.title)}\n`);
        for (const p of truth.paragraphs) {
          if (p.bold) {
            expect(html).toContain(`<b>${escapeHtml(p.bold)}</b>`);
            expect(markdown).toContain(`**${escapeMarkdown(p.bold)}**`);
          }
          if (p.link?.url.startsWith('https:')) {
            expect(html).toContain(`<a href="${escapeHtml(p.link.url)}">${escapeHtml(p.link.text)}</a>`);
            expect(markdown).toContain(`[${escapeMarkdown(p.link.text)}](${p.link.url})`);
          } else if (p.link) {
            // A javascript: link stays text, in the page and in the Markdown.
            expect(html).toContain(escapeHtml(p.text));
            expect(markdown).toContain(escapeMarkdown(p.text));
            expect(markdown).not.toContain('javascript:');
          }
          if (p.style === 'checklist')
            expect(markdown).toContain(`- [${p.checked ? 'x' : ' '}] ${escapeMarkdown(p.text)}`);
          if (p.style === 'heading') expect(html).toContain(`<h2>${escapeHtml(p.text)}</h2>`);
        }
        if (truth.paragraphs.some((p) => p.style === 'checklist' && p.checked))
          expect(html).toContain('<li class="done">');
        expect(note.attachments.length).toBe(truth.attachments.length);
        for (const [i, a] of truth.attachments.entries()) {
          const got = note.attachments[i]!;
          expect({ ...got, file: undefined }).toEqual({
            identifier: a.identifier,
            uti: a.uti,
            name: a.filename,
            storedPath: a.relativePath,
            file: undefined,
          });
          expect(got.file!.startsWith(`${note.file!.slice(0, note.file!.lastIndexOf('/'))}/attachments/`)).toBe(true);
          expect(await readFile(join(run.out, got.file!))).toEqual(a.data);
          expect((await stat(join(run.out, got.file!))).mtime.toISOString()).toBe(a.modified.toISOString());
          const href = `attachments/${encodeURIComponent(a.filename)}`;
          if (a.uti === 'public.jpeg') {
            expect(html).toContain(`<img class="att" src="${href}"`);
            expect(markdown).toContain(`![${escapeMarkdown(a.filename)}](${href})`);
          } else expect(html).toContain(`<a class="att" href="${href}">`);
        }
      }
      // The fixed roles are there: a pinned note with a picture, a locked one, one in each Recently Deleted.
      expect(run.truth.notes.filter((n) => n.locked)).toHaveLength(1);
      expect(
        run.truth.notes.some((n) =>
          n.paragraphs.some((p) => p.text.includes('<script>') && p.link?.url.startsWith('javascript:')),
        ),
      ).toBe(true);
      expect(run.truth.notes.filter((n) => n.recentlyDeleted)).toHaveLength(2);
      expect(
        live.filter((n) => n.origin === 'recently-deleted').every((n) => n.file!.includes('/Recently Deleted/')),
      ).toBe(true);

      // Deleted notes: each recovered one is one of them, once, with its exact text (a body whose overflow pages
      // were reused is not reported with damaged text), and none is a live note.
      expect(run.truth.deletedNotes.length).toBe(3);
      expect(recovered.length).toBeGreaterThan(0);
      for (const n of recovered) {
        const truth =
          n.id >= 0
            ? run.truth.deletedNotes.find((d) => d.pk === n.id)
            : run.truth.deletedNotes.find((d) => d.text === n.text);
        expect(truth, `recovered note ${n.id} "${n.title}" is one of the deleted ones`).toBeDefined();
        expect(n.text === null || n.text === truth!.text).toBe(true);
        expect(n.title).toBe(truth!.title);
        if (n.identifier !== null)
          expect([n.identifier, n.created, n.modified, n.folder]).toEqual([
            truth!.identifier,
            truth!.created.toISOString(),
            truth!.modified.toISOString(),
            expectedFolder(truth!, run.truth.noteFolders),
          ]);
        expect(n.file!.startsWith('notes/Recovered deleted notes/')).toBe(true);
        expect(await readFile(join(run.out, n.file!), 'utf8')).toContain('Recovered (deleted)');
      }
      expect(recovered.some((n) => n.text !== null)).toBe(true);
      expect(new Set(recovered.map((n) => n.id)).size).toBe(recovered.length);

      const rows = parseCsv(await readFile(join(run.out, 'notes/notes.csv'), 'utf8'));
      expect(rows[0]).toEqual([
        'id',
        'identifier',
        'origin',
        'store',
        'account',
        'folder',
        'title',
        'created',
        'modified',
        'pinned',
        'locked',
        'attachments',
        'text',
        'file',
        'date_unclear',
      ]);
      expect(rows.slice(1).map((r) => [Number(r[0]), r[2], r[6], r[12]])).toEqual(
        notes.map((n) => [n.id, n.origin, n.title ?? '', n.text ?? '']),
      );
    } finally {
      await run.cleanup();
    }
  });

  it('scan counts notes, those in Recently Deleted, modification dates and purged bodies with SQL only', async () => {
    const { scan, truth } = await scanGenerated({
      encrypted,
      spec: { seed: `notes-scan-${encrypted}`, notes: 12, omit: ONLY_NOTES },
      types: ['notes'],
    });
    const modified = truth.notes.map((n) => n.modified.getTime());
    expect(scan[0]).toMatchObject({
      type: 'notes',
      present: true,
      count: truth.notes.length,
      recentlyDeleted: truth.notes.filter((n) => n.recentlyDeleted || n.markedForDeletion).length,
      purged: truth.deletedNotes.length,
      firstDate: new Date(Math.min(...modified)).toISOString(),
      lastDate: new Date(Math.max(...modified)).toISOString(),
    });
  });
});

const root = await mkdtemp(join(tmpdir(), 'iosrescue-notes-test-'));
afterAll(() => rm(root, { recursive: true, force: true }));

describe('legacy notes.sqlite (iOS ≤ 8)', () => {
  it('reads ZNOTE with its HTML body as text, its store as folder, and never passes the HTML on', async () => {
    const dir = await mkdtemp(join(root, 'legacy-'));
    const path = join(dir, 'notes.sqlite');
    const db = new Database(path);
    db.exec(`CREATE TABLE ZACCOUNT (Z_PK INTEGER PRIMARY KEY, Z_ENT INTEGER, Z_OPT INTEGER, ZNAME VARCHAR, ZACCOUNTIDENTIFIER VARCHAR);
      CREATE TABLE ZSTORE (Z_PK INTEGER PRIMARY KEY, Z_ENT INTEGER, Z_OPT INTEGER, ZACCOUNT INTEGER, ZNAME VARCHAR, ZEXTERNALIDENTIFIER VARCHAR);
      CREATE TABLE ZNOTE (Z_PK INTEGER PRIMARY KEY, Z_ENT INTEGER, Z_OPT INTEGER, ZDELETEDFLAG INTEGER, ZBODY INTEGER, ZSTORE INTEGER,
        ZCREATIONDATE TIMESTAMP, ZMODIFICATIONDATE TIMESTAMP, ZGUID VARCHAR, ZSUMMARY VARCHAR, ZTITLE VARCHAR);
      CREATE TABLE ZNOTEBODY (Z_PK INTEGER PRIMARY KEY, Z_ENT INTEGER, Z_OPT INTEGER, ZOWNER INTEGER, ZCONTENT VARCHAR);
      INSERT INTO ZACCOUNT VALUES (1, 1, 1, 'Local', 'local-1');
      INSERT INTO ZSTORE VALUES (1, 2, 1, 1, 'Notes', NULL);
      INSERT INTO ZNOTE VALUES (1, 3, 1, 0, 1, 1, 400000000, 400000100, 'GUID-1', 'Milk, eggs', 'Shopping');
      INSERT INTO ZNOTE VALUES (2, 3, 1, 1, 2, 1, 400000200, 400000300, 'GUID-2', NULL, 'Old <b>plans</b>');
      INSERT INTO ZNOTEBODY VALUES (1, 4, 1, 1, 'Shopping<div>Milk, eggs &amp; bread</div><div><br></div><div>&lt;script&gt;alert(1)&lt;/script&gt; caf&#233;</div>');
      INSERT INTO ZNOTEBODY VALUES (2, 4, 1, 2, 'Old plans<br><script>alert(2)</script><div>done</div>');`);
    db.close();
    const { report, scan, out } = await extractItems(
      dir,
      [{ domain: 'HomeDomain', relativePath: 'Library/Notes/notes.sqlite', data: readFileSync(path) }],
      ['notes'],
    );
    expect(report.types[0]).toMatchObject({ type: 'notes', status: 'ok', records: 2 });
    const notes = JSON.parse(await readFile(join(out, 'notes/notes.json'), 'utf8')) as NoteRecord[];
    const at = (s: number): string => new Date(Date.UTC(2001, 0, 1) + s * 1000).toISOString();
    expect(
      notes.map((n) => [
        n.origin,
        n.id,
        n.identifier,
        n.store,
        n.account,
        n.folder,
        n.title,
        n.snippet,
        n.text,
        n.created,
        n.modified,
      ]),
    ).toEqual([
      [
        'live',
        1,
        'GUID-1',
        'notes.sqlite',
        'Local',
        'Notes',
        'Shopping',
        'Milk, eggs',
        'Shopping\nMilk, eggs & bread\n\n<script>alert(1)</script> café',
        at(400000000),
        at(400000100),
      ],
      [
        'recently-deleted',
        2,
        'GUID-2',
        'notes.sqlite',
        'Local',
        'Notes',
        'Old <b>plans</b>',
        null,
        'Old plans\ndone',
        at(400000200),
        at(400000300),
      ],
    ]);
    const html = await readFile(join(out, notes[0]!.file!), 'utf8');
    expect(html).toContain('&lt;script&gt;alert(1)&lt;/script&gt; café');
    expect(html).not.toMatch(/<script/i);
    expect(notes[0]!.file).toBe('notes/Legacy notes (notes.sqlite)/Notes/Shopping.html');
    expect(scan[0]).toMatchObject({
      present: true,
      count: 2,
      recentlyDeleted: 1,
      firstDate: at(400000100),
      lastDate: at(400000300),
    });
  });
});

describe('protobuf reader', () => {
  it('reads varints, lengths and fixed fields, and refuses a field that claims more bytes than there are', () => {
    // field 1 varint 150, field 2 "hi", field 3 fixed32, field 4 a negative int32 as a 10-byte varint
    const data = Buffer.from('089601' + '12026869' + '1d00002041' + '20feffffffffffffffff01', 'hex');
    expect([...protoFields(data)].map((f) => [f.number, f.wireType, f.varint ?? f.bytes?.toString('hex')])).toEqual([
      [1, 0, 150n],
      [2, 2, '6869'],
      [3, 5, '00002041'],
      [4, 0, 0xfffffffffffffffen],
    ]);
    expect(() => [...protoFields(Buffer.from('12056869', 'hex'))]).toThrow(
      expect.objectContaining({ code: 'EXTRACT_PROTOBUF_MALFORMED' }),
    );
    expect(() => [...protoFields(Buffer.from('0b', 'hex'))]).toThrow(
      expect.objectContaining({ code: 'EXTRACT_PROTOBUF_MALFORMED' }),
    );
    expect(() => decodeNoteBody(Buffer.from([0x1f, 0x8b, 8, 0, 0, 0]))).toThrow(
      expect.objectContaining({ code: 'EXTRACT_NOTE_BODY_UNREADABLE' }),
    );
  });
});

describe('older NoteStore.sqlite schemas', () => {
  it('reads an iOS 11-shaped store: no Z_PRIMARYKEY, folders through a Z_11NOTES join table, ZCREATIONDATE1 and ZACCOUNT2', async () => {
    const dir = await mkdtemp(join(root, 'ios11-'));
    const path = join(dir, 'NoteStore.sqlite');
    const db = new Database(path);
    db.exec(`CREATE TABLE ZICCLOUDSYNCINGOBJECT (Z_PK INTEGER PRIMARY KEY, Z_ENT INTEGER, Z_OPT INTEGER, ZISPASSWORDPROTECTED INTEGER, ZACCOUNT2 INTEGER,
        ZNOTEDATA INTEGER, ZOWNER INTEGER, ZCREATIONDATE1 TIMESTAMP, ZMODIFICATIONDATE1 TIMESTAMP, ZIDENTIFIER VARCHAR, ZNAME VARCHAR, ZTITLE1 VARCHAR, ZTITLE2 VARCHAR);
      CREATE TABLE ZICNOTEDATA (Z_PK INTEGER PRIMARY KEY, Z_ENT INTEGER, Z_OPT INTEGER, ZNOTE INTEGER, ZDATA BLOB);
      CREATE TABLE Z_11NOTES (Z_11FOLDERS INTEGER, Z_8NOTES INTEGER, PRIMARY KEY (Z_11FOLDERS, Z_8NOTES));
      INSERT INTO ZICCLOUDSYNCINGOBJECT (Z_PK, Z_ENT, ZIDENTIFIER, ZNAME) VALUES (1, 10, 'ACCOUNT-1', 'iCloud');
      INSERT INTO ZICCLOUDSYNCINGOBJECT (Z_PK, Z_ENT, ZIDENTIFIER, ZTITLE2, ZOWNER) VALUES (2, 11, 'FOLDER-1', 'Recipes', 1);
      INSERT INTO ZICCLOUDSYNCINGOBJECT (Z_PK, Z_ENT, ZIDENTIFIER, ZTITLE1, ZCREATIONDATE1, ZMODIFICATIONDATE1, ZACCOUNT2, ZNOTEDATA, ZISPASSWORDPROTECTED)
        VALUES (3, 8, 'NOTE-1', 'Soup', 500000000, 500000600, 1, 1, 0);
      INSERT INTO Z_11NOTES VALUES (2, 3);`);
    const body = noteStoreData(
      [
        { style: 'title', text: 'Soup' },
        { style: 'checklist', text: 'Leeks', checked: true },
      ],
      new Map(),
      () => Buffer.alloc(16),
    );
    db.prepare('INSERT INTO ZICNOTEDATA VALUES (1, 9, 1, 3, ?)').run(body);
    db.close();
    const { report, scan, out } = await extractItems(
      dir,
      [{ domain: 'AppDomainGroup-group.com.apple.notes', relativePath: 'NoteStore.sqlite', data: readFileSync(path) }],
      ['notes'],
    );
    expect(report.types[0]).toMatchObject({ status: 'ok', records: 1 });
    const [note] = JSON.parse(await readFile(join(out, 'notes/notes.json'), 'utf8')) as NoteRecord[];
    const at = (s: number): string => new Date(Date.UTC(2001, 0, 1) + s * 1000).toISOString();
    expect(note).toMatchObject({
      origin: 'live',
      id: 3,
      identifier: 'NOTE-1',
      account: 'iCloud',
      folder: 'Recipes',
      title: 'Soup',
      text: 'Soup\nLeeks',
      created: at(500000000),
      modified: at(500000600),
      file: 'notes/Recipes/Soup.html',
    });
    expect(await readFile(join(out, note!.markdownFile!), 'utf8')).toContain('# Soup\n\n- [x] Leeks');
    expect(scan[0]).toMatchObject({ count: 1, recentlyDeleted: 0, purged: null, firstDate: at(500000600) });
  });

  it('keeps only the notes modified within --since/--until', async () => {
    const all = await extractGenerated({
      encrypted: false,
      spec: { seed: 'notes-range', notes: 10, omit: ONLY_NOTES },
      extract: { types: ['notes'] },
    });
    try {
      const sorted = all.truth.notes.map((n) => n.modified).sort((a, b) => a.getTime() - b.getTime());
      const since = sorted[3]!;
      const until = sorted[7]!;
      const ranged = await extractGenerated({
        encrypted: false,
        spec: { seed: 'notes-range', notes: 10, omit: ONLY_NOTES },
        extract: { types: ['notes'], range: { since, until } },
      });
      try {
        const notes = JSON.parse(await readFile(join(ranged.out, 'notes/notes.json'), 'utf8')) as NoteRecord[];
        const inside = [...all.truth.notes, ...all.truth.deletedNotes]
          .filter((n) => n.modified >= since && n.modified <= until)
          .map((n) => n.pk);
        expect(
          notes
            .filter((n) => n.origin !== 'recovered')
            .map((n) => n.id)
            .sort((a, b) => a - b),
        ).toEqual(
          all.truth.notes
            .filter((n) => inside.includes(n.pk))
            .map((n) => n.pk)
            .sort((a, b) => a - b),
        );
        expect(notes.every((n) => n.id < 0 || inside.includes(n.id) || n.modified === null)).toBe(true);
      } finally {
        await ranged.cleanup();
      }
    } finally {
      await all.cleanup();
    }
  });
});

const blobs = corpusPath('apple-notes-blobs');
describe.skipIf(blobs === undefined)('real Notes bodies (apple_cloud_notes_parser test blobs)', () => {
  it("decodes every gzip'd protobuf: note bodies to text and styles, tables to their cells", async () => {
    const files = (await readdir(blobs!)).filter((f) => f.endsWith('_gzipped.bin'));
    expect(files.length).toBe(14);
    for (const file of files) {
      const data = readFileSync(join(blobs!, file));
      if (file.includes('table')) expect(decodeNoteTable(data).rows.length).toBeGreaterThan(0);
      else expect(decodeNoteBody(data).text.length, file).toBeGreaterThan(0);
    }
    const read = (name: string) => decodeNoteBody(readFileSync(join(blobs!, name)));
    // The plain and gzip'd simple note are the same body.
    expect(decodeNoteBody(readFileSync(join(blobs!, 'simple_note_protobuf.bin')))).toEqual(
      read('simple_note_protobuf_gzipped.bin'),
    );
    expect(read('simple_note_protobuf_gzipped.bin').text).toBe('Title');
    expect(noteParagraphs(read('simple_note_protobuf_gzipped.bin'))[0]!.style.kind).toBe('title');

    const url = read('url_gzipped.bin');
    expect(url.text).toBe(
      'Link test\n\n.. that Jim Nettles followed his older brother to San Diego State University and the Minnesota Twins, but preceded him in being diagnosed for prostate cancer',
    );
    expect(
      url.runs.filter((r) => r.link).map((r) => [url.text.slice(r.start, r.start + r.length), r.link, r.bold]),
    ).toEqual([
      ['Jim Nettles', 'https://en.m.wikipedia.org/wiki/Jim_Nettles', true],
      ['his older brother', 'https://en.m.wikipedia.org/wiki/Graig_Nettles', false],
      ['San Diego State University', 'https://en.m.wikipedia.org/wiki/San_Diego_State_University', false],
      ['Minnesota Twins', 'https://en.m.wikipedia.org/wiki/Minnesota_Twins', false],
    ]);
    // Emoji (surrogate pairs, ZWJ sequences) and CJK: run lengths count UTF-16 units, so styles land on the right
    // characters.
    const emoji = read('emoji_formatting_1_gzipped.bin');
    expect(emoji.text.split('\n')[2]).toBe('🚀1🚀2🕹️3💻4🖥️5🧑‍💻6👩‍💻7');
    const boldEmoji = noteParagraphs(emoji)[4]!
      .spans.filter((s) => s.run.bold)
      .map((s) => s.text)
      .join('');
    expect(boldEmoji).toBe('3💻4🖥️5🧑‍💻6👩‍💻7');
    expect(
      noteParagraphs(read('wide_characters_gzipped.bin'))[0]!
        .spans.map((s) => s.text)
        .join(''),
    ).toBe('但他還是希望');

    const decorations = noteParagraphs(read('text_decorations_gzipped.bin')).map((p) => [
      p.spans.map((s) => s.text).join(''),
      p.style.kind,
      p.spans.every((s) => s.run.bold),
      p.spans.every((s) => s.run.italic),
      p.spans.every((s) => s.run.underline),
      p.spans.every((s) => s.run.strikethrough),
    ]);
    expect(decorations).toEqual([
      ['Title', 'title', false, false, false, false],
      ['Bold body ', 'body', true, false, false, false],
      ['Italic body', 'body', false, true, false, false],
      ['Bold italic body ', 'body', true, true, false, false],
      ['Underlined body', 'body', false, false, true, false],
      ['Strikethrough body', 'body', false, false, false, true],
      ['Underline strikethrough body', 'body', false, false, true, true],
    ]);
    const lists = noteParagraphs(read('list_indents_gzipped.bin'))
      .filter((p) => p.spans.length > 0)
      .slice(1, 8)
      .map((p) => [p.style.kind, p.style.indent, p.spans.map((s) => s.text).join('')]);
    expect(lists).toEqual([
      ['checklist', 0, 'Checklist'],
      ['checklist', 1, 'Indented checklist 1'],
      ['checklist', 2, 'Indented checklist 2 checked'],
      ['checklist', 1, 'Indented 1'],
      ['bullet', 0, 'Dotted list'],
      ['bullet', 1, 'Dotted list second indent'],
      ['bullet', 0, 'Dotted list'],
    ]);
    expect(
      noteParagraphs(read('block_quotes_gzipped.bin'))
        .filter((p) => p.style.blockQuote)
        .map((p) => p.spans.map((s) => s.text).join('')),
    ).toEqual(['This is a block quote', 'This is a monostyled block quote', '']);
    // A hashtag is an inline attachment in the text (U+FFFC with its identifier and UTI).
    const wide = read('wide_characters_gzipped.bin');
    expect(wide.runs.find((r) => r.attachment)?.attachment).toEqual({
      identifier: 'AE845CBB-5CD9-4A7A-9EA4-D0FA37445BD6',
      uti: 'com.apple.notes.inlinetextattachment.hashtag',
    });
    expect(read('color_formatting_gzipped.bin').runs.find((r) => r.color !== null)?.color).toBe('#FF0000');

    // Tables, as the parser's own tests read them (cells row by row; right-to-left tables reversed).
    const table = (name: string): string[][] =>
      decodeNoteTable(readFileSync(join(blobs!, name))).rows.map((r) => r.map((c) => c.text.trim()));
    expect(table('table_gzipped.bin')).toEqual([
      ['Row 1 Column 1', 'Row 1 Column 2'],
      ['Row 2 Column 1', 'Row 2 Column 2'],
    ]);
    expect(table('table_formats_gzipped.bin')).toEqual([
      ['Bold', 'Italics'],
      ['Bold italics', 'Underline'],
      ['Mixed bold italics underline', ''],
    ]);
    expect(table('right_to_left_table_gzipped.bin')).toEqual([
      ['', 'اول'],
      ['نهاية', ''],
    ]);
  });
});

const hickman = corpusPath('ileapp-real-device/hickman-ios17.3-iphone11/Notes');
const ileapp = corpusPath('ileapp-real-device/ileapp-expected-output/notes.notes.josh_ios17_ffs.20260725222859.json');
describe.skipIf(hickman === undefined || ileapp === undefined)(
  'real NoteStore.sqlite (Hickman iOS 17.3, with its WAL)',
  () => {
    it('extracts its 14 notes with the titles, folders, dates and flags iLEAPP reports', async () => {
      const dir = await mkdtemp(join(root, 'hickman-'));
      const items = ['NoteStore.sqlite', 'NoteStore.sqlite-wal', 'NoteStore.sqlite-shm'].map((name) => ({
        domain: 'AppDomainGroup-group.com.apple.notes',
        relativePath: name,
        data: readFileSync(join(hickman!, name)),
      }));
      const { report, scan, out } = await extractItems(dir, items, ['notes']);
      expect(report.types[0]).toMatchObject({ type: 'notes', status: 'ok' });
      const notes = JSON.parse(await readFile(join(out, 'notes/notes.json'), 'utf8')) as NoteRecord[];
      const found = notes.filter((n) => n.origin !== 'recovered');
      expect(found).toHaveLength(14);
      // iLEAPP: [created, title, snippet, contents, folder, account, modified, password protected, hint, marked for
      // deletion, pinned, …], times UTC to the second.
      const expected = (JSON.parse(readFileSync(ileapp!, 'utf8')) as { data: unknown[][] }).data;
      const second = (iso: string | null): string | null => (iso === null ? null : iso.slice(0, 19).replace('T', ' '));
      const mine = found.map((n) => [
        second(n.created),
        n.title,
        n.folder,
        n.account,
        second(n.modified),
        n.locked ? 'Yes' : 'No',
        n.pinned ? 'Yes' : 'No',
      ]);
      const theirs = expected.map((r) => [r[0], r[1], r[4], r[5], r[6], r[7], r[10]]);
      const key = (row: unknown[]): string => JSON.stringify(row);
      expect(mine.map(key).sort()).toEqual(theirs.map(key).sort());
      // The two notes in Recently Deleted (ZMARKEDFORDELETION 1) and the six locked ones.
      expect(found.filter((n) => n.origin === 'recently-deleted').map((n) => n.title)).toEqual(
        expect.arrayContaining(['New Note', null]),
      );
      expect(found.filter((n) => n.origin === 'recently-deleted')).toHaveLength(2);
      expect(found.filter((n) => n.locked).map((n) => n.text)).toEqual([null, null, null, null, null, null]);
      // Bodies: the real protobufs decode to the text iLEAPP shows (it prints the note's text as stored).
      const byTitle = (title: string): NoteRecord => found.find((n) => n.title === title)!;
      for (const r of expected.filter((r) => r[7] === 'No' && r[3] !== ''))
        expect(byTitle(r[1] as string).text).toBe(r[3]);
      expect(byTitle('iOS 16 Note').text).toBe(
        'iOS 16 Note\n\nHere is my first iOS 16 note. \n\nThis is DFIR Two. I wrote this sentence. ',
      );
      expect(byTitle('My Super Secret Note').folder).toBe('My New Folder');
      expect(scan[0]).toMatchObject({ present: true, count: 14, recentlyDeleted: 2, purged: 5 });
    });
  },
);
