import { existsSync, statSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve, sep } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import Database from 'better-sqlite3';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CONTENT_PATHS, generateDeviceContent, type DeviceContent } from '../../src/emulator/content/index.js';
import type { SyntheticItem } from '../../src/backup/index.js';
import type {
  ChatRecord,
  MessageRecord,
  NoteRecord,
  WhatsAppChatRecord,
  WhatsAppMessageRecord,
} from '../../src/extract/index.js';
import { extractGenerated, type ExtractedBackup } from '../helpers/extract-backups.js';

/**
 * report.html opened in a real browser (Debian's chromium driven by playwright-core): it loads without console
 * errors, its counts equal extraction.json, every link and image resolves to a file of the extraction, images
 * decode, deleted items carry their mark in every section (WhatsApp and notes included), voicemails and voice
 * notes have players, and HTML planted in the phone's data shows as text.
 */

// In-page code runs in the browser; the test's TypeScript has no DOM types.
declare const document: any;
declare const window: any;

const CHROMIUM = process.env.IOSRESCUE_CHROMIUM ?? '/usr/bin/chromium';
const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;
// CI runs as root and installs chromium (scripts/setup.mjs --test): there, a missing browser fails the test.
const skip = !existsSync(CHROMIUM) && !isRoot;
if (skip)
  console.warn(`report browser test skipped: ${CHROMIUM} is missing (install with: sudo apt-get install chromium)`);

const INJECTED_CONTACT = `<script>window.__pwned = 'contact'</script><img src=x id="injected-contact">Mallory`;
const INJECTED_MESSAGE = `Hi <img src=x id="injected-message"> <script>window.__pwned = 'message'</script> & bye`;
const INJECTED_CHAT = 'Team #1 <b id="injected-chat">100%</b>';
const INJECTED_TITLE = '<i id="injected-history">Bad</i> title';
const JAVASCRIPT_URL = "javascript:window.__pwned='history'";
const INJECTED_WHATSAPP = `See <img src=x id="injected-whatsapp"> <script>window.__pwned = 'whatsapp'</script> you`;
const INJECTED_WHATSAPP_GROUP = 'Trip <u id="injected-whatsapp-group">#2</u>';
const INJECTED_NOTE = 'Plan <b id="injected-note">B</b> & more';
/** "#" and "%" must be percent-encoded in links, or the browser reads a fragment or a bad escape. */
const PHOTO_NAME = 'Q&A #1 100%.jpg';

/** Edits a generated database with SQL, as a phone would have written it, and puts it back without its -wal. */
async function patchDatabase(
  items: SyntheticItem[],
  path: { domain: string; relativePath: string },
  edit: (db: Database.Database) => void,
): Promise<SyntheticItem[]> {
  const dir = await mkdtemp(join(tmpdir(), 'iosrescue-report-patch-'));
  try {
    const main = items.find((i) => i.domain === path.domain && i.relativePath === path.relativePath)!;
    const wal = items.find((i) => i.domain === path.domain && i.relativePath === `${path.relativePath}-wal`);
    await writeFile(join(dir, 'db'), main.data as Buffer);
    if (wal) await writeFile(join(dir, 'db-wal'), wal.data as Buffer);
    const db = new Database(join(dir, 'db'));
    edit(db);
    db.close();
    const data = await readFile(join(dir, 'db'));
    return items.filter((i) => i !== wal).map((i) => (i === main ? { ...i, data } : i));
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

async function hostileContent(): Promise<DeviceContent> {
  const content = generateDeviceContent({ seed: 'report' });
  const { truth } = content;
  let items = content.items;
  const contact = truth.contacts[0]!;
  items = await patchDatabase(items, CONTENT_PATHS.addressBook, (db) =>
    db.prepare('UPDATE ABPerson SET First = ? WHERE ROWID = ?').run(INJECTED_CONTACT, contact.rowid),
  );
  const message = truth.messages.find(
    (m) => m.text !== null && !m.textOnlyInAttributedBody && m.recentlyDeleted === null,
  )!;
  const group = truth.chats.find((c) => c.style === 43)!;
  items = await patchDatabase(items, CONTENT_PATHS.smsDb, (db) => {
    db.prepare('UPDATE message SET text = ? WHERE ROWID = ?').run(INJECTED_MESSAGE, message.rowid);
    db.prepare('UPDATE chat SET display_name = ? WHERE ROWID = ?').run(INJECTED_CHAT, group.rowid);
  });
  const photo = truth.photos.find((p) => p.kind === 'photo' && !p.hidden && !p.trashed)!;
  items = await patchDatabase(items, CONTENT_PATHS.photosDb, (db) =>
    db
      .prepare('UPDATE ZADDITIONALASSETATTRIBUTES SET ZORIGINALFILENAME = ? WHERE ZASSET = ?')
      .run(PHOTO_NAME, photo.pk),
  );
  const visit = truth.visits[0]!;
  items = await patchDatabase(items, CONTENT_PATHS.safariHistory, (db) => {
    db.prepare('UPDATE history_visits SET title = ? WHERE id = ?').run(INJECTED_TITLE, visit.id);
    db.prepare(
      'UPDATE history_items SET url = ? WHERE id = (SELECT history_item FROM history_visits WHERE id = ?)',
    ).run(JAVASCRIPT_URL, visit.id);
  });
  const waMessage = truth.whatsappMessages.find((m) => m.kind === 'text' && !m.inWal && m.text !== null)!;
  const waGroup = truth.whatsappChats.find((c) => c.isGroup)!;
  items = await patchDatabase(items, CONTENT_PATHS.whatsapp, (db) => {
    db.prepare('UPDATE ZWAMESSAGE SET ZTEXT = ? WHERE Z_PK = ?').run(INJECTED_WHATSAPP, waMessage.pk);
    db.prepare('UPDATE ZWACHATSESSION SET ZPARTNERNAME = ? WHERE Z_PK = ?').run(INJECTED_WHATSAPP_GROUP, waGroup.pk);
  });
  const note = truth.notes.find((n) => !n.locked && !n.recentlyDeleted && !n.markedForDeletion)!;
  items = await patchDatabase(items, CONTENT_PATHS.noteStore, (db) =>
    db.prepare('UPDATE ZICCLOUDSYNCINGOBJECT SET ZTITLE1 = ? WHERE Z_PK = ?').run(INJECTED_NOTE, note.pk),
  );
  return { items, truth, device: content.device };
}

async function jsonRecords<T>(path: string, key?: string): Promise<T[]> {
  const parsed = JSON.parse(await readFile(path, 'utf8')) as Record<string, T[]> | T[];
  return key === undefined ? (parsed as T[]) : (parsed as Record<string, T[]>)[key]!;
}

/** Every WhatsApp message of the extraction, chat by chat. */
async function whatsAppMessages(out: string): Promise<WhatsAppMessageRecord[]> {
  const all: WhatsAppMessageRecord[] = [];
  for (const chat of await jsonRecords<WhatsAppChatRecord>(join(out, 'whatsapp/chats.json'))) {
    all.push(...(await jsonRecords<WhatsAppMessageRecord>(join(out, chat.folder, 'conversation.json'), 'messages')));
  }
  return all;
}

/** Non-live records per type, read from the JSON files the extractors wrote. */
async function deletedInJson(out: string): Promise<Record<string, number>> {
  const count = (records: Array<{ origin: string }>): number => records.filter((r) => r.origin !== 'live').length;
  let messages = 0;
  for (const chat of await jsonRecords<ChatRecord>(join(out, 'messages/conversations.json'))) {
    messages += count(await jsonRecords<MessageRecord>(join(out, chat.folder, 'conversation.json'), 'messages'));
  }
  // Deleted for everyone is a live row whose content WhatsApp erased: marked on the page, not a deleted item.
  const whatsapp = count(await whatsAppMessages(out));
  return {
    photos: count(await jsonRecords(join(out, 'photos/photos.json'))),
    contacts: count(await jsonRecords(join(out, 'contacts/contacts.json'))),
    messages,
    calls: count(await jsonRecords(join(out, 'calls/calls.json'))),
    calendar: count(await jsonRecords(join(out, 'calendar/events.json'))),
    // Visits, then bookmarks: Safari's records are both.
    safari:
      count(await jsonRecords(join(out, 'safari/history.json'))) +
      (existsSync(join(out, 'safari/bookmarks.json'))
        ? count(await jsonRecords(join(out, 'safari/bookmarks.json')))
        : 0),
    reminders: count(await jsonRecords(join(out, 'reminders/reminders.json'))),
    voicemail: count(await jsonRecords(join(out, 'voicemail/voicemail.json'))),
    whatsapp,
    notes: count(await jsonRecords(join(out, 'notes/notes.json'))),
  };
}

interface PageWatch {
  errors: string[];
  dialogs: string[];
}

function watch(page: Page): PageWatch {
  const seen: PageWatch = { errors: [], dialogs: [] };
  page.on('console', (m) => {
    if (m.type() === 'error') seen.errors.push(m.text());
  });
  page.on('pageerror', (e) => seen.errors.push(e.message));
  page.on('requestfailed', (r) => seen.errors.push(`${r.url()}: ${r.failure()?.errorText}`));
  page.on('dialog', (d) => {
    seen.dialogs.push(d.message());
    void d.dismiss();
  });
  return seen;
}

/** A file: URL of the page as a path, which must lie inside the output folder. */
function fileOf(url: string, out: string): string {
  const path = fileURLToPath(url.replace(/#.*$/, ''));
  expect(path.startsWith(resolve(out) + sep), `${url} points outside the output folder`).toBe(true);
  return path;
}

describe.skipIf(skip)('report.html in a real browser', () => {
  let browser: Browser;
  beforeAll(async () => {
    if (!existsSync(CHROMIUM))
      throw new Error(
        `${CHROMIUM} is missing: run "node scripts/setup.mjs --test" (as root) or "apt-get install chromium"`,
      );
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ['--disable-dev-shm-usage', ...(isRoot ? ['--no-sandbox'] : [])],
    });
  });
  afterAll(async () => {
    await browser?.close();
  });

  describe.each([false, true])('encrypted backup: %s', (encrypted) => {
    let run: ExtractedBackup;
    let page: Page;
    let seen: PageWatch;
    let reportUrl: string;
    beforeAll(async () => {
      run = await extractGenerated({ encrypted, content: await hostileContent() });
      page = await browser.newPage();
      seen = watch(page);
      reportUrl = pathToFileURL(join(run.out, 'report.html')).href;
      await page.goto(reportUrl, { waitUntil: 'load' });
    });
    afterAll(async () => {
      await page?.close();
      await run?.cleanup();
    });

    it('opens without console errors, and its counts equal extraction.json', async () => {
      expect(await page.title()).toContain('recovered data');
      const summary = await page.evaluate(() =>
        [...document.querySelectorAll('#summary tbody tr')].map((tr: any) => ({
          type: tr.dataset.type,
          status: tr.querySelector('td.status').textContent,
          records: Number(tr.querySelector('td.records').textContent),
        })),
      );
      expect(summary).toEqual(run.report.types.map((t) => ({ type: t.type, status: t.status, records: t.records })));
      const tabs = await page.evaluate(() =>
        [...document.querySelectorAll('nav.tabs .count')].map((c: any) => [c.dataset.type, Number(c.textContent)]),
      );
      expect(tabs).toEqual(run.report.types.map((t) => [t.type, t.records]));
      for (const type of [
        'photos',
        'contacts',
        'messages',
        'calls',
        'calendar',
        'safari',
        'reminders',
        'voicemail',
        'whatsapp',
        'notes',
      ]) {
        const records = run.report.types.find((t) => t.type === type)!.records;
        expect(records, type).toBeGreaterThan(0);
        const shown = await page.evaluate((id: string) => {
          const section = document.getElementById(id);
          return id === 'messages' || id === 'whatsapp'
            ? [...section.querySelectorAll('.conversation')].reduce(
                (n: number, c: any) => n + Number(c.dataset.messages),
                0,
              )
            : section.querySelectorAll('.item').length;
        }, type);
        expect(shown, type).toBe(records);
      }
      // extraction.json counts what the extractors wrote: every WhatsApp message, every note.
      expect(run.report.types.find((t) => t.type === 'whatsapp')!.records).toBe(
        (await whatsAppMessages(run.out)).length,
      );
      expect(run.report.types.find((t) => t.type === 'notes')!.records).toBe(
        (await jsonRecords(join(run.out, 'notes/notes.json'))).length,
      );
      // Each WhatsApp chat draws every message it holds (small chats: none is left out).
      expect(await page.evaluate(() => document.querySelectorAll('section#whatsapp .msg.item').length)).toBe(
        (await whatsAppMessages(run.out)).length,
      );
      expect(seen.errors).toEqual([]);
      expect(seen.dialogs).toEqual([]);
    });

    it('every relative link and image names a file of the extraction, and every image decodes', async () => {
      const targets = await page.evaluate(() => [
        ...[...document.querySelectorAll('a[href]')].map((a: any) => ({ raw: a.getAttribute('href'), url: a.href })),
        ...[...document.querySelectorAll('[src]')].map((e: any) => ({ raw: e.getAttribute('src'), url: e.src })),
      ]);
      const local = targets.filter((t) => !/^(#|https?:|tel:|mailto:)/.test(t.raw));
      expect(local.length).toBeGreaterThan(50);
      for (const t of local) {
        expect(t.url.startsWith('file:'), t.raw).toBe(true);
        const path = fileOf(t.url, run.out);
        expect(existsSync(path) && statSync(path).isFile(), `${t.raw} → ${path}`).toBe(true);
      }
      // Every section's images, hidden tabs included: loaded eagerly here, then decoded.
      const images = await page.evaluate(async () => {
        const all = [...document.images];
        await Promise.all(
          all.map(async (img: any) => {
            img.loading = 'eager';
            try {
              await img.decode();
            } catch {
              /* naturalWidth stays 0 */
            }
          }),
        );
        return all.map((img: any) => ({ src: img.getAttribute('src'), width: img.naturalWidth }));
      });
      expect(images.length).toBeGreaterThanOrEqual(run.truth.photos.filter((p) => p.kind === 'photo').length);
      // The generator's WhatsApp sticker is a RIFF/WEBP header without image data (a phone's is a real WebP): it
      // must be drawn from its exported file, but cannot decode.
      const stickers = new Set(
        (await whatsAppMessages(run.out))
          .filter((m) => m.kind === 'sticker' && m.media?.file)
          .map((m) => m.media!.file!.split('/').map(encodeURIComponent).join('/')),
      );
      expect(stickers.size).toBeGreaterThan(0);
      expect(images.filter((i) => stickers.has(i.src))).toHaveLength(stickers.size);
      expect(images.filter((i) => i.width === 0 && !stickers.has(i.src))).toEqual([]);
      const renamed = images.find((i) => i.src.endsWith(encodeURIComponent(PHOTO_NAME)));
      expect(renamed?.src).toBe(`photos/Camera%20Roll/${encodeURIComponent(PHOTO_NAME)}`);
      expect(seen.errors).toEqual([]);
    });

    it('links work when clicked: tabs, a photo, a conversation page, a WhatsApp chat, a note, and back', async () => {
      await page.click('nav.tabs a[href="#calls"]');
      expect(await page.isVisible('section#calls')).toBe(true);
      expect(await page.isVisible('section#photos')).toBe(false);

      await page.click('nav.tabs a[href="#photos"]');
      const photoLink = page.locator(`section#photos a[href$="${encodeURIComponent(PHOTO_NAME)}"]`).first();
      await photoLink.click();
      await page.waitForURL((url) => url.href.endsWith(encodeURIComponent(PHOTO_NAME)));
      expect(fileOf(page.url(), run.out)).toBe(join(run.out, 'photos', 'Camera Roll', PHOTO_NAME));
      await page.goBack();

      await page.click('nav.tabs a[href="#messages"]');
      const chats = await jsonRecords<ChatRecord>(join(run.out, 'messages/conversations.json'));
      const team = chats.find((c) => c.displayName === INJECTED_CHAT)!;
      const conversation = page.locator('section#messages details.conversation', { hasText: 'Team #1' });
      await conversation.locator('summary').click();
      expect(await conversation.locator('.msg').first().isVisible()).toBe(true);
      await conversation.getByRole('link', { name: 'open conversation' }).click();
      await page.waitForURL((url) => url.href.endsWith('conversation.html'));
      expect(fileOf(page.url(), run.out)).toBe(join(run.out, team.folder, 'conversation.html'));
      expect(await page.title()).toBe(INJECTED_CHAT);
      await page.goBack();
      await page.waitForURL(`${reportUrl}#messages`);

      await page.click('nav.tabs a[href="#whatsapp"]');
      const waChats = await jsonRecords<WhatsAppChatRecord>(join(run.out, 'whatsapp/chats.json'));
      const waGroup = waChats.find((c) => c.name === INJECTED_WHATSAPP_GROUP)!;
      const chat = page.locator('section#whatsapp details.conversation', { hasText: INJECTED_WHATSAPP_GROUP });
      await chat.locator('summary').click();
      // A group names the sender over each bubble of the others' messages.
      const named = await chat.locator('.msg.them:not(.event) .who').first().textContent();
      expect(waGroup.members.map((m) => m.name)).toContain(named);
      await chat.getByRole('link', { name: 'open conversation' }).click();
      await page.waitForURL((url) => url.href.endsWith('conversation.html'));
      expect(fileOf(page.url(), run.out)).toBe(join(run.out, waGroup.folder, 'conversation.html'));
      await page.goBack();
      await page.waitForURL(`${reportUrl}#whatsapp`);

      await page.click('nav.tabs a[href="#notes"]');
      const notes = await jsonRecords<NoteRecord>(join(run.out, 'notes/notes.json'));
      const planted = notes.find((n) => n.title === INJECTED_NOTE)!;
      const card = page.locator('section#notes .card.note', { hasText: INJECTED_NOTE });
      await card.getByRole('link', { name: 'open note' }).click();
      await page.waitForURL((url) => url.href.endsWith('.html') && !url.href.endsWith('report.html'));
      expect(fileOf(page.url(), run.out)).toBe(join(run.out, planted.file!));
      await page.goBack();
      await page.waitForURL(`${reportUrl}#notes`);
      expect(seen.errors).toEqual([]);
    });

    it('plays voicemails and WhatsApp voice notes from the exported files', async () => {
      const voicemails = await jsonRecords<{ file: string | null }>(join(run.out, 'voicemail/voicemail.json'));
      const players = await page.evaluate(() =>
        [...document.querySelectorAll('section#voicemail audio')].map((a: any) => a.src),
      );
      expect(players.length).toBe(voicemails.filter((v) => v.file !== null).length);
      expect(players.length).toBeGreaterThan(0);
      for (const src of players) expect(existsSync(fileOf(src, run.out))).toBe(true);
      const waMedia = (await whatsAppMessages(run.out)).filter(
        (m) => (m.kind === 'audio' || m.kind === 'video') && m.media?.file,
      );
      const waPlayers = await page.evaluate(() =>
        [...document.querySelectorAll('section#whatsapp audio, section#whatsapp video')].map((a: any) => a.src),
      );
      expect(waPlayers.map((src) => fileOf(src, run.out)).sort()).toEqual(
        waMedia.map((m) => join(run.out, m.media!.file!)).sort(),
      );
    });

    it('marks every deleted item, and "show only deleted items" keeps only those', async () => {
      const expected = await deletedInJson(run.out);
      expect(expected.photos).toBe(run.truth.photos.filter((p) => p.trashed).length);
      expect(expected.calls).toBeGreaterThan(0);
      expect(expected.messages).toBeGreaterThan(0);
      expect(expected.contacts).toBeGreaterThan(0);
      const shown = await page.evaluate(() =>
        Object.fromEntries(
          [...document.querySelectorAll('#summary tbody tr')].map((tr: any) => [
            tr.dataset.type,
            tr.querySelector('td.deleted-count').textContent,
          ]),
        ),
      );
      for (const [type, n] of Object.entries(expected)) expect(shown[type], type).toBe(String(n));
      const marks = await page.evaluate(() =>
        [...document.querySelectorAll('.item.deleted')].map((item: any) => [
          item.dataset.origin,
          item.querySelector('.mark')?.textContent ?? null,
        ]),
      );
      expect(marks.length).toBeGreaterThan(0);
      for (const [origin, mark] of marks)
        expect(mark).toBe(origin === 'recovered' ? 'Recovered (deleted)' : 'Recently deleted');
      // Each section marks as many items deleted as its JSON holds, and only items with a deleted origin.
      const markedPerSection = await page.evaluate(() =>
        Object.fromEntries(
          [...document.querySelectorAll('section.type')].map((s: any) => [
            s.id,
            s.querySelectorAll('.item.deleted').length,
          ]),
        ),
      );
      for (const [type, n] of Object.entries(expected)) expect(markedPerSection[type], type).toBe(n);
      expect(
        await page.evaluate(
          () =>
            document.querySelectorAll(
              '.item.deleted[data-origin="live"], .item:not(.deleted):not([data-origin="live"])',
            ).length,
        ),
      ).toBe(0);
      const recoveredMessages = await page.evaluate(
        () => document.querySelectorAll('section#messages .msg.deleted[data-origin="recovered"]').length,
      );
      const recoveredChat = (await jsonRecords<ChatRecord>(join(run.out, 'messages/conversations.json'))).find(
        (c) => c.displayName === 'Recovered deleted messages',
      )!;
      expect(recoveredMessages).toBe(recoveredChat.messageCount);
      expect(recoveredMessages).toBeGreaterThan(0);

      // WhatsApp rows the carver rebuilt, and notes deleted for good: each marked "Recovered (deleted)" with its text.
      const wa = await whatsAppMessages(run.out);
      const recoveredWa = wa.filter((m) => m.origin === 'recovered');
      expect(recoveredWa.length).toBeGreaterThan(0);
      const waMarked = await page.evaluate(() =>
        [...document.querySelectorAll('section#whatsapp .msg.deleted[data-origin="recovered"]')].map((m: any) => ({
          mark: m.querySelector('.mark')?.textContent,
          text: m.textContent,
        })),
      );
      expect(waMarked).toHaveLength(recoveredWa.length);
      for (const m of waMarked) expect(m.mark).toBe('Recovered (deleted)');
      for (const m of recoveredWa.filter((r) => r.text))
        expect(
          waMarked.some((shown) => shown.text.includes(m.text!.trim())),
          m.text!,
        ).toBe(true);
      // Deleted for everyone: shown as on the phone with its own mark, not counted or filtered as a deleted item.
      const revoked = wa.filter((m) => m.deletedForEveryone);
      expect(revoked.length).toBeGreaterThan(0);
      const revokedShown = await page.evaluate(() =>
        [...document.querySelectorAll('section#whatsapp .msg.revoked')].map((m: any) => ({
          mark: m.querySelector('.mark.revoked')?.textContent,
          deleted: m.classList.contains('deleted'),
          text: m.textContent,
        })),
      );
      expect(revokedShown).toHaveLength(revoked.length);
      for (const m of revokedShown) expect(m).toMatchObject({ mark: 'Deleted for everyone', deleted: false });
      expect(revokedShown.every((m) => /This message was deleted|You deleted this message/.test(m.text))).toBe(true);
      const revokedCounted = await page.evaluate(() =>
        [...document.querySelectorAll('section#whatsapp .conversation')].reduce(
          (n: number, c: any) => n + Number(c.dataset.revoked),
          0,
        ),
      );
      expect(revokedCounted).toBe(revoked.length);

      const notes = await jsonRecords<NoteRecord>(join(run.out, 'notes/notes.json'));
      for (const origin of ['recovered', 'recently-deleted'] as const) {
        const expectedNotes = notes.filter((n) => n.origin === origin);
        expect(expectedNotes.length, origin).toBeGreaterThan(0);
        const cards = await page.evaluate(
          (o: string) =>
            [...document.querySelectorAll(`section#notes .card.note.deleted[data-origin="${o}"]`)].map((c: any) => ({
              mark: c.querySelector('.mark')?.textContent,
              title: c.querySelector('.name').textContent,
            })),
          origin,
        );
        expect(cards).toHaveLength(expectedNotes.length);
        for (const [i, card] of cards.entries()) {
          expect(card.mark).toBe(origin === 'recovered' ? 'Recovered (deleted)' : 'Recently deleted');
          expect(card.title.startsWith(expectedNotes[i]!.title ?? 'Untitled')).toBe(true);
        }
      }
      expect(
        await page.evaluate(() => document.querySelectorAll('section#notes .card.note .badge').length),
      ).toBeGreaterThanOrEqual(notes.filter((n) => n.locked || n.pinned).length);

      await page.click('nav.tabs a[href="#calls"]');
      await page.check('#deleted-only');
      const visibleRows = await page.evaluate(() =>
        [...document.querySelectorAll('section#calls tr.item')]
          .filter((r: any) => r.checkVisibility())
          .map((r: any) => r.dataset.origin),
      );
      expect(visibleRows).toEqual(Array(expected.calls).fill('recovered'));
      await page.click('nav.tabs a[href="#whatsapp"]');
      await page.evaluate(() =>
        document.querySelectorAll('section#whatsapp details.conversation').forEach((d: any) => {
          d.open = true;
        }),
      );
      const visibleWa = await page.evaluate(() =>
        [...document.querySelectorAll('section#whatsapp .msg')]
          .filter((m: any) => m.checkVisibility())
          .map((m: any) => m.dataset.origin),
      );
      expect(visibleWa).toEqual(Array(recoveredWa.length).fill('recovered'));
      await page.click('nav.tabs a[href="#calls"]');
      await page.uncheck('#deleted-only');
      const allRows = await page.evaluate(
        () => [...document.querySelectorAll('section#calls tr.item')].filter((r: any) => r.checkVisibility()).length,
      );
      expect(allRows).toBe(run.report.types.find((t) => t.type === 'calls')!.records);
    });

    it('shows HTML planted in phone data as text: nothing injected runs or becomes an element', async () => {
      const state = await page.evaluate(() => ({
        pwned: window.__pwned ?? null,
        injected: document.querySelectorAll(
          '#injected-contact, #injected-message, #injected-chat, #injected-history, #injected-whatsapp, #injected-whatsapp-group, #injected-note',
        ).length,
        scripts: document.scripts.length,
        javascriptLinks: document.querySelectorAll('a[href^="javascript:"]').length,
        text: document.body.textContent,
      }));
      expect(state).toMatchObject({ pwned: null, injected: 0, scripts: 1, javascriptLinks: 0 });
      for (const planted of [
        INJECTED_CONTACT,
        INJECTED_MESSAGE,
        INJECTED_CHAT,
        INJECTED_TITLE,
        JAVASCRIPT_URL,
        INJECTED_WHATSAPP,
        INJECTED_WHATSAPP_GROUP,
        INJECTED_NOTE,
      ])
        expect(state.text).toContain(planted);
      expect(seen.dialogs).toEqual([]);
      expect(seen.errors).toEqual([]);
    });
  });
});
