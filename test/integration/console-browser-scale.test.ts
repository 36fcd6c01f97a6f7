import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BackupReader, writeSyntheticBackup } from '../../src/backup/index.js';
import { generateDeviceContent } from '../../src/emulator/content/index.js';
import { runExtraction } from '../../src/extract/index.js';
import { startTestDaemon, type TestDaemon } from './daemon-api-helpers.js';

/**
 * The console with a large phone: 100,000 messages in 8 conversations (each over 10,000 messages) and 20,000 photos.
 * Runs in CI (CI set); elsewhere opt in, since it generates and indexes ~1 GB of work: IOSRESCUE_CONSOLE_SCALE=1 npx
 * vitest run test/integration/console-browser-scale.test.ts. It prints how long the daemon takes to scan the backup (next to a
 * full `extract` of the same backup, the peer measured in the same run), how long the page takes to show the first
 * rows and to reach the last ones, and checks the issue's acceptance figures: after the first load, the photo grid and
 * a conversation of 10,000+ messages open in under a second, and the page holds only the rows in view however long
 * the list.
 */

declare const document: any;

const CHROMIUM = process.env.IOSRESCUE_CHROMIUM ?? '/usr/bin/chromium';
const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;
// CI runs it (about two minutes on two cores): the issue's acceptance figures are checked there. Elsewhere opt in with
// IOSRESCUE_CONSOLE_SCALE=1; IOSRESCUE_CONSOLE_SCALE=0 skips it in CI too.
const wanted =
  process.env.IOSRESCUE_CONSOLE_SCALE === '1' || (!!process.env.CI && process.env.IOSRESCUE_CONSOLE_SCALE !== '0');
const enabled = wanted && existsSync(CHROMIUM);
if (!enabled)
  console.warn(
    `console scale test skipped: ${wanted ? `no chromium at ${CHROMIUM}` : 'set IOSRESCUE_CONSOLE_SCALE=1 to run it (CI runs it)'}`,
  );

const MESSAGES = 100_000;
const PHOTOS = 20_000;
/** Few enough conversations that the one the test opens holds over 10,000 messages (the issue's figure). */
const CONVERSATIONS = 8;
/** The issue's acceptance figure for opening the photo grid or a 10,000-message conversation, measured in the page. */
const OPEN_LIMIT_MS = 1000;

async function timed<T>(work: () => Promise<T>): Promise<[T, number]> {
  const start = performance.now();
  const result = await work();
  return [result, performance.now() - start];
}

/** Scrolls a virtual list to its end and waits for its last row; returns the rows in the page then. */
async function scrollToEnd(page: Page, list: string, lastIndex: number): Promise<number> {
  await page.locator(list).evaluate((element: any) => {
    element.scrollTop = element.scrollHeight;
  });
  await page
    .locator(
      `${list} .vrow[data-index="${lastIndex}"] [data-item], ${list} .vrow[data-index="${lastIndex}"] [data-message]`,
    )
    .first()
    .waitFor({ timeout: 60_000 });
  return page.locator(`${list} .vrow`).count();
}

describe.skipIf(!enabled)('browser console at scale', () => {
  let daemon: TestDaemon;
  let browser: Browser;
  let page: Page;
  let backupDir: string;
  let consoleUrl: string;
  const figures: Record<string, string> = {};
  /** What went wrong in the page (a crash, a script error, a failed request): told when a step times out. */
  const problems: string[] = [];

  /** Runs a step of the page; when it fails, says where the page was, what it showed and what went wrong in it. */
  async function step<T>(what: string, work: () => Promise<T>): Promise<T> {
    try {
      return await work();
    } catch (error) {
      const shown = await page
        .evaluate(() => document.body?.textContent ?? '')
        .catch((cause: Error) => `(unreadable: ${cause.message})`);
      throw new Error(
        `${what}: ${(error as Error).message}\n  page at ${page.url()}, showing: ${String(shown).slice(0, 300)}` +
          `\n  in the page: ${problems.length > 0 ? problems.join('; ') : 'nothing went wrong'}`,
      );
    }
  }

  beforeAll(async () => {
    daemon = await startTestDaemon({ devices: 0, listen: '127.0.0.1:0' });
    const root = daemon.stateDir.replace(/\/state$/, '');
    const content = generateDeviceContent({
      seed: 'console-scale',
      messages: MESSAGES,
      conversations: CONVERSATIONS,
      photos: PHOTOS,
      contacts: 50,
    });
    backupDir = join(root, 'scale', 'SCALE0001');
    await writeSyntheticBackup(backupDir, { items: content.items });
    const reader = await BackupReader.open(backupDir);
    try {
      const [, ms] = await timed(() => runExtraction(reader, { out: join(root, 'extract-peer'), tempDir: root }));
      figures['peer: full extract of the same backup'] = `${(ms / 1000).toFixed(1)} s`;
    } finally {
      await reader.close();
    }
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ['--disable-dev-shm-usage', ...(isRoot ? ['--no-sandbox'] : [])],
    });
    page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    page.setDefaultTimeout(120_000);
    page.on('crash', () => problems.push('the page crashed'));
    page.on('pageerror', (error) => problems.push(`script error: ${error.message}`));
    page.on('requestfailed', (request) =>
      problems.push(`request failed: ${request.method()} ${request.url()} (${request.failure()?.errorText})`),
    );
    const link = await daemon.client.request<{ url: string }>('POST', '/v1/console/login-links');
    await step('logging in with a login link', async () => {
      await page.goto(link.url);
      // Logged in: the console's sections, not the landing that asks for a login.
      await page.getByRole('navigation', { name: 'Sections' }).waitFor({ timeout: 60_000 });
    });
    consoleUrl = new URL('/console/', link.url).href;
  }, 900_000);

  afterAll(async () => {
    console.log(
      `console at scale (${MESSAGES} messages, ${PHOTOS} photos):\n${Object.entries(figures)
        .map(([k, v]) => `  ${k}: ${v}`)
        .join('\n')}`,
    );
    await browser?.close();
    await daemon?.stop();
  });

  it('scans, then opens a 10,000+ message conversation and the photo grid in under a second, with only the visible rows in the page', async () => {
    await step('opening the backups section', async () => {
      await page.goto(`${consoleUrl}#backups`);
      await page.getByLabel('Add a backup folder').fill(backupDir);
    });
    await page.getByRole('button', { name: 'Add' }).click();
    const card = page.locator('li.backup', { hasText: backupDir });
    const [, scanMs] = await timed(async () => {
      await card.getByRole('button', { name: 'Scan (count records)' }).click();
      await card.locator('.counts li[data-type="messages"]').waitFor({ timeout: 900_000 });
    });
    figures['console scan (index build)'] = `${(scanMs / 1000).toFixed(1)} s`;

    await card.getByRole('link', { name: 'Browse' }).click();
    const [, firstConversations] = await timed(async () => {
      await page.locator('button[data-type="messages"]').click();
      await page.locator('.row.conversation').first().waitFor();
    });
    figures['messages tab to first conversations'] = `${firstConversations.toFixed(0)} ms`;
    const sizes = await page.locator('.row.conversation .sub').allTextContents();
    const biggest = sizes
      .map((t) => Number(/^(\d+)/.exec(t)?.[1] ?? 0))
      .reduce((a, b, i, all) => (b > all[a]! ? i : a), 0);
    const count = Number(/^(\d+)/.exec(sizes[biggest]!)?.[1]);
    const [, firstBubbles] = await timed(async () => {
      await page.locator('.row.conversation').nth(biggest).getByRole('button').click();
      await page.locator('.bubble[data-message]').first().waitFor();
    });
    figures[`open a conversation of ${count} messages`] = `${firstBubbles.toFixed(0)} ms`;
    expect(count).toBeGreaterThanOrEqual(10_000);
    expect(firstBubbles).toBeLessThan(OPEN_LIMIT_MS);
    const [rows, toEnd] = await timed(() => scrollToEnd(page, '.messages .vlist', count - 1));
    figures['scroll to its last message'] = `${toEnd.toFixed(0)} ms (${rows} rows in the page)`;
    expect(rows).toBeLessThan(60);

    const [, firstThumbs] = await timed(async () => {
      await page.locator('button[data-type="photos"]').click();
      await page.waitForFunction(() =>
        [...document.querySelectorAll('.tile img')].some((img: any) => img.complete && img.naturalWidth > 0),
      );
    });
    figures['photos tab to first thumbnail'] = `${firstThumbs.toFixed(0)} ms`;
    expect(firstThumbs).toBeLessThan(OPEN_LIMIT_MS);
    const total = Number(((await page.locator('.items .total').textContent()) ?? '').replace(/\D/g, ''));
    const lastRow = Math.ceil(total / 5) - 1;
    const [tiles, photoEnd] = await timed(() => scrollToEnd(page, '.items .vlist', lastRow));
    figures[`scroll ${total} photos to the end`] = `${photoEnd.toFixed(0)} ms (${tiles} rows in the page)`;
    expect(tiles).toBeLessThan(40);
    const domNodes = await page.evaluate(() => document.getElementsByTagName('*').length);
    figures['elements in the page at the end'] = String(domNodes);
    expect(domNodes).toBeLessThan(3000);
  }, 1_800_000);
});
