import { mkdir, mkdtemp, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { ChatRecord, MessageRecord, TypeResult } from '../../../src/extract/index.js';
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
async function outputFolder(types: Array<Omit<Partial<TypeResult>, 'type'> & { type: string }>, files: Record<string, string>): Promise<string> {
  const out = join(root, `out-${++counter}`);
  await mkdir(out);
  const results = types.map((t) => ({ status: 'ok', records: 0, files: 0, warnings: [], ...t }));
  await writeFile(join(out, 'extraction.json'), JSON.stringify({ out, types: results, range: { since: null, until: null } }));
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
    for (const chunkSize of [1, 2, 3, 7, 64, 1 << 16]) expect(await collect(path, undefined, chunkSize), `chunks of ${chunkSize}`).toEqual(tricky);
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
    for (const bad of ['/etc/passwd', '../x', 'a/../../x', 'a//b', 'javascript:alert(1)', 'C:\\x', 'file:///etc/passwd', '', null]) expect(fileHref(bad), String(bad)).toBeNull();
  });

  it('links only http(s) addresses from the phone', () => {
    expect(webHref('https://example.org/a b')).toBe('https://example.org/a%20b');
    for (const bad of ['javascript:alert(1)', ' JavaScript:alert(1)', 'file:///etc/passwd', 'data:text/html,x', 'not a url', null]) expect(webHref(bad), String(bad)).toBeNull();
  });
});

describe('writeReport', () => {
  it('draws a type without a section of its own as a table of its JSON records (links, marks and escaping included)', async () => {
    expect(Object.hasOwn(SECTIONS, 'pager')).toBe(false);
    const pages = [
      { origin: 'live', id: 1, title: 'Shopping <script>alert(1)</script>', created: '2024-01-02T03:04:05.000Z', attachment: 'pager/files/list #1.png', folder: 'pager/Shopping', tags: ['a', 'b'] },
      { origin: 'recovered', id: 2, title: 'Gone', created: null, attachment: 'pager/files/missing.png', folder: 'pager/Nowhere', extra: 'late field' },
    ];
    const out = await outputFolder([{ type: 'pager', records: 2, files: 3 }], {
      'pager/messages.json': JSON.stringify(pages),
      'pager/index.json': JSON.stringify({ version: 1 }),
      'pager/files/list #1.png': 'png',
      'pager/Shopping/note.html': '<p>note</p>',
    });
    const summary = await writeReport(out, { tempDir: root });
    expect(summary.types).toEqual([{ type: 'pager', status: 'ok', records: 2, shown: 2, deleted: 1 }]);
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
    await writeFile(join(outside, 'calls.json'), JSON.stringify([{ origin: 'live', id: 1, address: 'SECRET-OUTSIDE' }]));
    const out = await outputFolder([
      { type: 'photos', status: 'failed', error: { code: 'EXTRACT_SCHEMA_UNSUPPORTED', message: 'no <asset> table' } },
      { type: 'contacts', status: 'missing' },
      { type: 'calls', records: 1 },
    ], {});
    await symlink(outside, join(out, 'calls'));
    const summary = await writeReport(out, { tempDir: root });
    const html = await readFile(join(out, 'report.html'), 'utf8');
    expect(section(html, 'photos')).toContain('Extraction failed: no &lt;asset&gt; table [EXTRACT_SCHEMA_UNSUPPORTED]');
    expect(section(html, 'contacts')).toContain('Not in this backup.');
    expect(section(html, 'calls')).toContain('could not be drawn');
    expect(html).not.toContain('SECRET-OUTSIDE');
    expect(summary.types.map((t) => [t.type, t.shown])).toEqual([['photos', null], ['contacts', null], ['calls', null]]);
  });

  it('keeps a 20,000-message conversation to its newest messages and its deleted ones, linking the whole thread', async () => {
    const total = 20_000;
    const chat: ChatRecord = { id: 1, guid: 'g', identifier: '+15555550100', displayName: null, isGroup: false, service: 'iMessage', participants: [{ handle: '+15555550100', name: 'Ann' }], folder: 'messages/Ann', messageCount: total };
    const message = (i: number): MessageRecord => ({
      origin: i === 10 || i === 500 ? 'recently-deleted' : 'live', id: i, guid: `m${i}`, chatId: 1, text: `message ${i}`, date: new Date(Date.UTC(2024, 0, 1) + i * 60_000).toISOString(),
      dateRead: null, dateDeleted: null, isFromMe: i % 2 === 0, service: 'iMessage', handle: '+15555550100', handleName: 'Ann', attachments: [],
    });
    const lines = Array.from({ length: total }, (_, i) => JSON.stringify(message(i)));
    const out = await outputFolder([{ type: 'messages', records: total }], {
      'messages/conversations.json': JSON.stringify([chat]),
      'messages/Ann/conversation.json': `{\n"chat": ${JSON.stringify(chat)},\n"messages": [\n${lines.join(',\n')}\n]\n}\n`,
      'messages/Ann/conversation.html': '<p>all</p>',
    });
    const summary = await writeReport(out, { tempDir: root });
    expect(summary.types).toEqual([{ type: 'messages', status: 'ok', records: total, shown: total, deleted: 2 }]);
    const html = section(await readFile(join(out, 'report.html'), 'utf8'), 'messages');
    expect(html).toContain(`data-messages="${total}" data-deleted="2"`);
    const shown = [...html.matchAll(/<div class="bubble">message (\d+)<\/div>/g)].map((m) => Number(m[1]));
    expect(shown).toEqual([10, 500, ...Array.from({ length: 100 }, (_, i) => total - 100 + i)]);
    expect(html.match(/class="gap"/g)).toHaveLength(3);
    expect(html).toContain('… 10 earlier messages — <a href="messages/Ann/conversation.html">open the whole conversation</a>');
    expect(html).toContain(`… ${total - 100 - 501} earlier messages`);
  });
});
