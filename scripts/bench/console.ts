/**
 * The browser console's API on a generated backup the size of a well-used phone (default 100,000 messages in 10
 * conversations, so each holds about 10,000, and 20,000 photos), through a real daemon over loopback TCP: the first
 * browse (it builds the backup's index), then what the photo grid and a 10,000-message conversation ask for once the
 * index is there (a page of items, 60 thumbnails, a page of messages at the start and at the end, a search, the
 * deleted-only filter). The peer, in the same run: a full `extract` of the same backup (records and media copies),
 * which is what the console spares a person before they can look at anything.
 *
 *   npm run build && node dist/scripts/bench/console.js [--messages 100000] [--conversations 10] [--photos 20000]
 *        [--dir /tmp]
 */
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { BackupReader, writeSyntheticBackup } from '../../src/backup/index.js';
import { serveDaemon } from '../../src/daemon/index.js';
import { generateDeviceContent } from '../../src/emulator/content/index.js';
import { runExtraction } from '../../src/extract/index.js';
import { createLogger } from '../../src/logging.js';
import { DaemonClient } from '../../src/operations/index.js';

const { values } = parseArgs({
  options: {
    messages: { type: 'string', default: '100000' },
    conversations: { type: 'string', default: '10' },
    photos: { type: 'string', default: '20000' },
    dir: { type: 'string', default: tmpdir() },
  },
});

async function timed<T>(what: () => Promise<T>): Promise<[T, number]> {
  const started = performance.now();
  const result = await what();
  return [result, (performance.now() - started) / 1000];
}

async function main(): Promise<void> {
  const root = await mkdtemp(join(values.dir!, 'iosrescue-bench-console-'));
  try {
    console.log(
      `load average at start: ${loadavg()
        .map((l) => l.toFixed(1))
        .join(' ')}`,
    );
    const [, generateSeconds] = await timed(async () => {
      const content = generateDeviceContent({
        seed: 'bench-console',
        messages: Number(values.messages),
        conversations: Number(values.conversations),
        photos: Number(values.photos),
        contacts: 200,
        calls: 200,
      });
      await writeSyntheticBackup(join(root, 'backups', 'BENCH0001'), { items: content.items });
    });
    console.log(`generated the backup in ${generateSeconds.toFixed(1)} s`);
    const backup = join(root, 'backups', 'BENCH0001');

    const [, extractSeconds] = await timed(async () => {
      const reader = await BackupReader.open(backup);
      try {
        await runExtraction(reader, { out: join(root, 'extract'), tempDir: root });
      } finally {
        await reader.close();
      }
    });
    await rm(join(root, 'extract'), { recursive: true, force: true });

    const stateDir = join(root, 'state');
    await mkdir(stateDir, { mode: 0o700 });
    await writeFile(join(root, 'config.json'), JSON.stringify({ backup: { onAttach: 'none' } }));
    const served = await serveDaemon({
      stateDir,
      configPath: join(root, 'config.json'),
      // No phone is needed: a usbmuxd address nothing listens on (the daemon keeps retrying it quietly).
      usbmuxdAddress: `UNIX:${join(root, 'no-usbmuxd.sock')}`,
      logger: createLogger({ level: 'silent', pretty: false }),
      listen: '127.0.0.1:0',
    });
    try {
      const base = `http://127.0.0.1:${served.api.tcp!.port}`;
      const client = new DaemonClient(served.api.socketPath);
      const link = await client.request<{ url: string }>('POST', '/v1/console/login-links');
      const login = await fetch(link.url, { redirect: 'manual' });
      const cookie = login.headers.get('set-cookie')!.split(';')[0]!;
      const session = (await (await fetch(`${base}/console/api/session`, { headers: { cookie } })).json()) as {
        csrfToken: string;
      };
      const headers = { cookie, 'x-csrf-token': session.csrfToken, 'content-type': 'application/json' };
      const get = async <T>(path: string): Promise<T> => {
        const res = await fetch(`${base}${path}`, { headers });
        if (!res.ok) throw new Error(`${path}: ${res.status} ${await res.text()}`);
        return (res.headers.get('content-type') ?? '').startsWith('application/json')
          ? ((await res.json()) as T)
          : (Buffer.from(await res.arrayBuffer()) as T);
      };
      const added = (await (
        await fetch(`${base}/console/api/backups`, { method: 'POST', headers, body: JSON.stringify({ path: backup }) })
      ).json()) as Array<{ id: string }>;
      const id = added[0]!.id;
      const api = `/console/api/backups/${id}`;

      const [, indexSeconds] = await timed(() => get(`${api}/types`));
      const rows: Array<[string, number]> = [];
      const measure = async (label: string, what: () => Promise<unknown>): Promise<void> => {
        rows.push([label, (await timed(what))[1]]);
      };
      let photoPage: { total: number; items: Array<{ thumb?: string }> } = { total: 0, items: [] };
      await measure('photo grid: first 200 of all photos (first read of the type)', async () => {
        photoPage = await get(`${api}/items/photos?limit=200`);
      });
      await measure('photo grid: 60 thumbnails (made, then cached)', async () => {
        for (const item of photoPage.items.filter((i) => i.thumb).slice(0, 60)) await get(item.thumb!);
      });
      await measure('photo grid: the same 60 thumbnails again (cached)', async () => {
        for (const item of photoPage.items.filter((i) => i.thumb).slice(0, 60)) await get(item.thumb!);
      });
      await measure('photo grid: a page deep in the list (offset 15000)', () =>
        get(`${api}/items/photos?offset=15000&limit=200`),
      );
      let biggest = { id: '', messageCount: 0 };
      await measure('conversations list (first read of messages)', async () => {
        const list = await get<{ items: Array<{ id: string; messageCount: number }> }>(
          `${api}/conversations?limit=100`,
        );
        biggest = [...list.items].sort((a, b) => b.messageCount - a.messageCount)[0]!;
      });
      await measure(`conversation of ${biggest.messageCount} messages: first 200`, () =>
        get(`${api}/conversations/${biggest.id}/messages?limit=200`),
      );
      await measure(`conversation of ${biggest.messageCount} messages: last 200`, () =>
        get(`${api}/conversations/${biggest.id}/messages?offset=${Math.max(0, biggest.messageCount - 200)}&limit=200`),
      );
      await measure('messages: search over all of them', () => get(`${api}/items/messages?q=the&limit=100`));
      await measure('messages: deleted only', () => get(`${api}/items/messages?deleted=1&limit=100`));

      console.log(
        `backup: ${values.messages} messages in ${values.conversations} conversations, ${photoPage.total} photos`,
      );
      console.log(`peer, full extract (records + media copies): ${extractSeconds.toFixed(1)} s`);
      console.log(
        `console, first browse (builds the index, no media copied): ${indexSeconds.toFixed(1)} s ` +
          `(${(indexSeconds / extractSeconds).toFixed(2)}x the extract)`,
      );
      for (const [label, seconds] of rows) console.log(`${(seconds * 1000).toFixed(0).padStart(7)} ms  ${label}`);
      console.log(
        `load average at end: ${loadavg()
          .map((l) => l.toFixed(1))
          .join(' ')}`,
      );
    } finally {
      await served.close();
    }
  } finally {
    await rm(root, { recursive: true, force: true });
  }
}

await main();
