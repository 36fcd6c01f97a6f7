import { readFile, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BackupReader, writeSyntheticBackup } from '../../src/backup/index.js';
import { CONSOLE_CSP } from '../../src/daemon/http/console/index.js';
import { generateDeviceContent } from '../../src/emulator/content/index.js';
import { runExtraction } from '../../src/extract/index.js';
import { cliBuilt, runCli } from '../helpers/cli.js';
import { FAST_KDF, PASSWORD } from '../helpers/extract-backups.js';
import { startTestDaemon, type TestDaemon } from './daemon-api-helpers.js';

/**
 * The browser console's API against a real daemon over loopback TCP: login link, session cookie, CSRF, CSP, browse,
 * unlock, save (compared with a full `extract` of the same backup) and the zip download. No browser: fetch() does
 * what the page does.
 */
let daemon: TestDaemon;
let base: string;
let root: string;
let plain: string;
let encrypted: string;
let fullExtract: string;

async function filesUnder(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true, recursive: true });
  return entries
    .filter((e) => e.isFile())
    .map((e) => join(e.parentPath, e.name).slice(dir.length + 1))
    .sort();
}

async function login(): Promise<{ cookie: string; csrf: string }> {
  const link = await daemon.client.request<{ url: string }>('POST', '/v1/console/login-links');
  const res = await fetch(link.url, { redirect: 'manual' });
  expect(res.status).toBe(303);
  const cookie = res.headers.get('set-cookie')!.split(';')[0]!;
  const session = await fetch(`${base}/console/api/session`, { headers: { cookie } });
  const { csrfToken } = (await session.json()) as { csrfToken: string };
  return { cookie, csrf: csrfToken };
}

async function api<T>(
  auth: { cookie: string; csrf: string },
  method: string,
  path: string,
  body?: unknown,
): Promise<{ status: number; body: T }> {
  const res = await fetch(`${base}${path}`, {
    method,
    headers: {
      cookie: auth.cookie,
      'x-csrf-token': auth.csrf,
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, body: (text ? JSON.parse(text) : undefined) as T };
}

beforeAll(async () => {
  daemon = await startTestDaemon({ listen: '127.0.0.1:0' });
  root = daemon.stateDir.replace(/\/state$/, '');
  base = `http://127.0.0.1:${daemon.served.api.tcp!.port}`;
  const content = generateDeviceContent({
    seed: 'console-api',
    contacts: 4,
    messages: 60,
    conversations: 3,
    photos: 12,
    calls: 5,
    deletedFraction: 0.2,
  });
  plain = join(root, 'plain', 'PLAIN0001');
  encrypted = join(root, 'enc', 'ENC0001');
  await writeSyntheticBackup(plain, { items: content.items });
  await writeSyntheticBackup(encrypted, { items: content.items, password: PASSWORD, keybag: FAST_KDF });
  fullExtract = join(root, 'full-extract');
  const reader = await BackupReader.open(plain);
  try {
    await runExtraction(reader, { out: fullExtract, tempDir: root });
  } finally {
    await reader.close();
  }
}, 120_000);

afterAll(async () => {
  await daemon?.stop();
});

describe('console login and protection', () => {
  it('a login link works once, sets an HttpOnly SameSite=Strict cookie and redirects to /console/', async () => {
    const link = await daemon.client.request<{ url: string; token: string; expiresAt: string }>(
      'POST',
      '/v1/console/login-links',
    );
    expect(link.token).toMatch(/^[0-9a-f]{64}$/);
    expect(link.url).toBe(`${base}/console/login?token=${link.token}`);
    const first = await fetch(link.url, { redirect: 'manual' });
    expect(first.status).toBe(303);
    expect(first.headers.get('location')).toBe('/console/');
    const cookie = first.headers.get('set-cookie')!;
    expect(cookie).toMatch(/^iosrescue_session=[0-9a-f]{64}; /);
    expect(cookie).toContain('HttpOnly');
    expect(cookie).toContain('SameSite=Strict');
    expect(cookie).toContain('Path=/');
    const again = await fetch(link.url, { redirect: 'manual' });
    expect(again.status).toBe(401);
    expect(((await again.json()) as { code: string }).code).toBe('CONSOLE_LOGIN_LINK_INVALID');
  });

  it.skipIf(!cliBuilt)(
    'iosrescue console prints a login link that works (and opens no browser without a desktop)',
    async () => {
      const env = { ...daemon.env, DISPLAY: '', WAYLAND_DISPLAY: '' };
      const json = await runCli(['--json', 'console'], env);
      expect(json.code, json.stderr).toBe(0);
      const printed = JSON.parse(json.stdout) as { url: string; expiresAt: string };
      expect(printed.url).toMatch(new RegExp(`^${base}/console/login\\?token=[0-9a-f]{64}$`));
      expect(Date.parse(printed.expiresAt) - Date.now()).toBeLessThanOrEqual(120_000);
      expect((await fetch(printed.url, { redirect: 'manual' })).status).toBe(303);
      const human = await runCli(['console', '--no-open'], env);
      expect(human.stdout).toMatch(
        /Open the console \(the link works once, for 2 minutes\):\n {2}http:\/\/127\.0\.0\.1:\d+\/console\/login\?token=/,
      );
    },
  );

  it('login links cannot be had over TCP without the bearer token, not even with a session', async () => {
    const auth = await login();
    const res = await fetch(`${base}/v1/console/login-links`, {
      method: 'POST',
      headers: { cookie: auth.cookie, 'x-csrf-token': auth.csrf },
    });
    expect(res.status).toBe(401);
  });

  it('refuses requests without a session (401) and state changes without the CSRF token (403); sends the CSP', async () => {
    const none = await fetch(`${base}/console/api/backups`);
    expect(none.status).toBe(401);
    expect(((await none.json()) as { code: string }).code).toBe('CONSOLE_NO_SESSION');
    expect(none.headers.get('content-security-policy')).toBe(CONSOLE_CSP);
    expect(none.headers.get('x-content-type-options')).toBe('nosniff');
    const forged = await fetch(`${base}/console/api/backups`, {
      headers: { cookie: 'iosrescue_session=00' },
    });
    expect(forged.status).toBe(401);

    const auth = await login();
    const noCsrf = await fetch(`${base}/console/api/backups`, {
      method: 'POST',
      headers: { cookie: auth.cookie, 'content-type': 'application/json' },
      body: JSON.stringify({ path: plain }),
    });
    expect(noCsrf.status).toBe(403);
    expect(((await noCsrf.json()) as { code: string }).code).toBe('CONSOLE_CSRF');
    const badCsrf = await api<{ code: string }>({ ...auth, csrf: 'x'.repeat(64) }, 'POST', '/console/api/backups', {
      path: plain,
    });
    expect(badCsrf.status).toBe(403);
  });

  it('/v1 takes the session cookie instead of the bearer token, with the same CSRF rule', async () => {
    const auth = await login();
    const devices = await fetch(`${base}/v1/devices`, { headers: { cookie: auth.cookie } });
    expect(devices.status).toBe(200);
    expect(devices.headers.get('content-security-policy')).toBeNull();
    const noCookie = await fetch(`${base}/v1/devices`);
    expect(noCookie.status).toBe(401);
    const cancel = await fetch(`${base}/v1/jobs/999/cancel`, { method: 'POST', headers: { cookie: auth.cookie } });
    expect(cancel.status).toBe(403);
    const withToken = await api<{ code: string }>(auth, 'POST', '/v1/jobs/999/cancel');
    expect(withToken.body.code).toBe('DAEMON_UNKNOWN_JOB');
  });
});

interface Page<T> {
  total: number;
  items: T[];
}
interface Item {
  id: string;
  title: string;
  deleted: boolean;
  origin: string;
  media?: string;
  thumb?: string;
  fields: Record<string, unknown>;
}

describe('browse, unlock, save', () => {
  let auth: { cookie: string; csrf: string };
  let plainId: string;
  let encId: string;

  beforeAll(async () => {
    auth = await login();
    const added = await api<Array<{ id: string; encrypted: boolean }>>(auth, 'POST', '/console/api/backups', {
      path: join(root, 'plain'),
    });
    expect(added.status).toBe(201);
    plainId = added.body[0]!.id;
    const enc = await api<Array<{ id: string; encrypted: boolean }>>(auth, 'POST', '/console/api/backups', {
      path: encrypted,
    });
    encId = enc.body[0]!.id;
    expect(enc.body[0]!.encrypted).toBe(true);
  }, 60_000);

  it('lists types with counts, pages photos, filters deleted and searches', async () => {
    const types = await api<Array<{ type: string; records: number; deleted: number }>>(
      auth,
      'GET',
      `/console/api/backups/${plainId}/types`,
    );
    expect(types.status).toBe(200);
    const photos = types.body.find((t) => t.type === 'photos')!;
    const truth = JSON.parse(await readFile(join(fullExtract, 'photos', 'photos.json'), 'utf8')) as Array<{
      origin: string;
      originalFilename: string | null;
    }>;
    expect(photos.records).toBe(truth.length);
    expect(photos.deleted).toBe(truth.filter((p) => p.origin !== 'live').length);
    // Once browsed, the backups list carries the same counts (read from the index's saved counts).
    const listed = await api<
      Array<{ id: string; counts: Record<string, { records: number; deleted: number }> | null }>
    >(auth, 'GET', '/console/api/backups');
    expect(listed.body.find((b) => b.id === plainId)!.counts!.photos).toEqual({
      records: photos.records,
      deleted: photos.deleted,
      recovered: 0,
    });

    const first = await api<Page<Item>>(auth, 'GET', `/console/api/backups/${plainId}/items/photos?offset=0&limit=5`);
    const second = await api<Page<Item>>(auth, 'GET', `/console/api/backups/${plainId}/items/photos?offset=5&limit=5`);
    expect(first.body.total).toBe(truth.length);
    expect(first.body.items).toHaveLength(5);
    expect(new Set([...first.body.items, ...second.body.items].map((i) => i.id)).size).toBe(
      first.body.items.length + second.body.items.length,
    );
    const deleted = await api<Page<Item>>(auth, 'GET', `/console/api/backups/${plainId}/items/photos?deleted=1`);
    expect(deleted.body.total).toBe(photos.deleted);
    expect(deleted.body.items.every((i) => i.deleted)).toBe(true);

    const name = truth.find((p) => p.originalFilename)!.originalFilename!;
    const search = await api<Page<Item>>(
      auth,
      'GET',
      `/console/api/backups/${plainId}/items/photos?q=${encodeURIComponent(name.toLowerCase())}`,
    );
    expect(search.body.total).toBeGreaterThanOrEqual(1);
    expect(search.body.items.every((i) => JSON.stringify(i.fields).toLowerCase().includes(name.toLowerCase()))).toBe(
      true,
    );

    // The media is the photo's bytes as extract wrote them, streamed from the backup; a Range gives a slice.
    const item = first.body.items.find((i) => i.media)!;
    const expected = await readFile(join(fullExtract, item.fields.file as string));
    const media = await fetch(`${base}${item.media}`, { headers: { cookie: auth.cookie } });
    // Bytes from a backup never run as the console's page: sandboxed, whatever their type.
    expect(media.headers.get('content-security-policy')).toBe(`${CONSOLE_CSP}; sandbox`);
    const whole = Buffer.from(await media.arrayBuffer());
    expect(whole.equals(expected)).toBe(true);
    const part = await fetch(`${base}${item.media}`, { headers: { cookie: auth.cookie, range: 'bytes=2-9' } });
    expect(part.status).toBe(206);
    expect(Buffer.from(await part.arrayBuffer()).equals(expected.subarray(2, 10))).toBe(true);
    const all = await api<Page<Item>>(auth, 'GET', `/console/api/backups/${plainId}/items/photos?limit=100`);
    const pictured = all.body.items.find((i) => i.thumb)!;
    const thumb = await fetch(`${base}${pictured.thumb}`, { headers: { cookie: auth.cookie } });
    expect(thumb.status).toBe(200);
    expect(thumb.headers.get('content-type')).toMatch(/^image\//);
  }, 60_000);

  it('lists conversations and pages their messages', async () => {
    const conversations = await api<Page<{ id: string; messageCount: number; deletedCount: number }>>(
      auth,
      'GET',
      `/console/api/backups/${plainId}/conversations`,
    );
    const index = JSON.parse(await readFile(join(fullExtract, 'messages', 'conversations.json'), 'utf8')) as unknown[];
    expect(conversations.body.total).toBe(index.length);
    const biggest = [...conversations.body.items].sort((a, b) => b.messageCount - a.messageCount)[0]!;
    const messages = await api<Page<{ id: string; text: string | null; deleted: boolean }>>(
      auth,
      'GET',
      `/console/api/backups/${plainId}/conversations/${biggest.id}/messages?limit=3`,
    );
    expect(messages.body.total).toBe(biggest.messageCount);
    expect(messages.body.items).toHaveLength(Math.min(3, biggest.messageCount));
    const withDeleted = await api<Page<{ id: string; deletedCount: number }>>(
      auth,
      'GET',
      `/console/api/backups/${plainId}/conversations?deleted=1`,
    );
    expect(withDeleted.body.items.every((c) => c.deletedCount > 0)).toBe(true);
  });

  it('an encrypted backup is locked until unlocked with its password; a wrong one is refused clearly', async () => {
    const locked = await api<{ code: string }>(auth, 'GET', `/console/api/backups/${encId}/types`);
    expect(locked.status).toBe(403);
    expect(locked.body.code).toBe('CONSOLE_BACKUP_LOCKED');
    const wrong = await api<{ code: string }>(auth, 'POST', `/console/api/backups/${encId}/unlock`, {
      password: 'not it',
    });
    expect(wrong.status).toBe(400);
    expect(wrong.body.code).toBe('BACKUP_WRONG_PASSWORD');
    const right = await api(auth, 'POST', `/console/api/backups/${encId}/unlock`, { password: PASSWORD });
    expect(right.status).toBe(204);
    const list = await api<Array<{ id: string; unlocked: boolean }>>(auth, 'GET', '/console/api/backups');
    expect(list.body.find((b) => b.id === encId)!.unlocked).toBe(true);
    const photos = await api<Page<Item>>(auth, 'GET', `/console/api/backups/${encId}/items/photos?limit=2`);
    expect(photos.status).toBe(200);
    expect(photos.body.total).toBeGreaterThan(0);
    // Another session has not unlocked it.
    const other = await login();
    expect((await api(other, 'GET', `/console/api/backups/${encId}/types`)).status).toBe(403);
  }, 60_000);

  it('saves three photos, one conversation and all deleted messages: the files equal a full extract', async () => {
    const photos = await api<Page<Item>>(auth, 'GET', `/console/api/backups/${plainId}/items/photos?limit=50`);
    const chosen = photos.body.items.filter((i) => i.media).slice(0, 3);
    const conversations = await api<Page<{ id: string }>>(auth, 'GET', `/console/api/backups/${plainId}/conversations`);
    const out = join(root, 'saved');
    const selection = {
      items: { photos: chosen.map((i) => i.id) },
      conversations: [conversations.body.items[0]!.id],
      allDeleted: ['messages'],
    };
    const started = await api<{ jobId: string }>(auth, 'POST', `/console/api/backups/${plainId}/save`, {
      out,
      selection,
    });
    expect(started.status).toBe(201);
    let state = 'running';
    for (let i = 0; i < 200 && state === 'running'; i++) {
      await new Promise((r) => setTimeout(r, 50));
      state = (await api<{ state: string }>(auth, 'GET', `/console/api/saves/${started.body.jobId}`)).body.state;
    }
    expect(state).toBe('succeeded');
    const saved = await filesUnder(out);
    // The same folder again: it is not empty now, and nothing in it is replaced.
    const again = await api<{ code: string }>(auth, 'POST', `/console/api/backups/${plainId}/save`, { out, selection });
    expect(again.status).toBe(400);
    expect(again.body.code).toBe('CONSOLE_BAD_OUTPUT');
    for (const item of chosen) expect(saved).toContain(item.fields.file as string);
    // Every media file and every whole conversation page equals extract's, byte for byte.
    let compared = 0;
    for (const path of saved) {
      if (path.endsWith('.json') && !path.endsWith('conversation.json')) continue;
      const mine = await readFile(join(out, path));
      const theirs = await readFile(join(fullExtract, path));
      if (path.endsWith('conversation.json') && !mine.equals(theirs)) {
        // A conversation saved for its deleted messages only: the same chat, the deleted messages extract wrote.
        const page = JSON.parse(mine.toString()) as { chat: unknown; messages: Array<{ origin: string }> };
        const full = JSON.parse(theirs.toString()) as { chat: unknown; messages: Array<{ origin: string }> };
        expect(page.chat).toEqual(full.chat);
        expect(page.messages).toEqual(full.messages.filter((m) => m.origin !== 'live'));
      } else expect(mine.equals(theirs), path).toBe(true);
      compared++;
    }
    expect(compared).toBeGreaterThanOrEqual(5);
    const photoRecords = JSON.parse(await readFile(join(out, 'photos', 'photos.json'), 'utf8')) as unknown[];
    expect(photoRecords).toEqual(chosen.map((i) => i.fields));
  }, 60_000);

  it('lists the Photos albums and saves one whole album: exactly its photos and Live Photo videos, as extract', async () => {
    const truth = JSON.parse(await readFile(join(fullExtract, 'photos', 'albums.json'), 'utf8')) as Array<{
      id: number;
      title: string | null;
      origin: string;
      assets: Array<{ uuid: string | null; file: string | null }>;
    }>;
    const listed = await api<Array<{ id: string; title: string; count: number; recentlyDeleted?: boolean }>>(
      auth,
      'GET',
      `/console/api/backups/${plainId}/albums`,
    );
    expect(listed.status).toBe(200);
    expect(listed.body.map((a) => [a.id, a.count, a.recentlyDeleted === true])).toEqual(
      truth.map((a) => [`a${a.id}`, a.assets.length, a.origin === 'recently-deleted']),
    );
    const album = truth.find((a) => a.origin === 'live' && a.assets.some((x) => x.file))!;
    expect(album, 'the synthetic library has a live album holding photos').toBeDefined();
    const photos = JSON.parse(await readFile(join(fullExtract, 'photos', 'photos.json'), 'utf8')) as Array<{
      uuid: string | null;
      file: string | null;
      livePhotoVideo: string | null;
    }>;
    const members = new Set(album.assets.map((a) => a.uuid));
    const expectedRecords = photos.filter((p) => members.has(p.uuid));
    // Another album's photo must not come along: the album is a strict part of the library.
    expect(expectedRecords.length).toBeLessThan(photos.length);
    const expected = [
      'photos/photos.json',
      ...expectedRecords.flatMap((p) => [p.file, p.livePhotoVideo].filter((f): f is string => f !== null)),
    ].sort();
    const out = join(root, 'saved-album');
    const started = await api<{ jobId: string }>(auth, 'POST', `/console/api/backups/${plainId}/save`, {
      out,
      selection: { albums: [`a${album.id}`] },
    });
    expect(started.status).toBe(201);
    let state = 'running';
    for (let i = 0; i < 200 && state === 'running'; i++) {
      await new Promise((r) => setTimeout(r, 50));
      state = (await api<{ state: string }>(auth, 'GET', `/console/api/saves/${started.body.jobId}`)).body.state;
    }
    expect(state).toBe('succeeded');
    expect(await filesUnder(out)).toEqual(expected);
    for (const path of expected.filter((p) => p !== 'photos/photos.json')) {
      expect((await readFile(join(out, path))).equals(await readFile(join(fullExtract, path))), path).toBe(true);
    }
    expect(JSON.parse(await readFile(join(out, 'photos', 'photos.json'), 'utf8'))).toEqual(expectedRecords);
    const bad = await api<{ code: string }>(auth, 'POST', `/console/api/backups/${plainId}/save`, {
      out: join(root, 'saved-album-bad'),
      selection: { albums: ['../x'] },
    });
    expect(bad.status).toBe(400);
  });

  it('saves a WhatsApp chat as extract writes its folder: page, HTML and media, byte for byte', async () => {
    const chats = await api<Page<Item>>(auth, 'GET', `/console/api/backups/${plainId}/items/whatsapp?limit=100`);
    expect(chats.status).toBe(200);
    const chat = chats.body.items.find((c) => c.fields.folder && (c.fields.messageCount as number) > 0)!;
    const folder = chat.fields.folder as string;
    const out = join(root, 'saved-whatsapp');
    const started = await api<{ jobId: string }>(auth, 'POST', `/console/api/backups/${plainId}/save`, {
      out,
      selection: { items: { whatsapp: [chat.id] } },
    });
    let state = 'running';
    for (let i = 0; i < 200 && state === 'running'; i++) {
      await new Promise((r) => setTimeout(r, 50));
      state = (await api<{ state: string }>(auth, 'GET', `/console/api/saves/${started.body.jobId}`)).body.state;
    }
    expect(state).toBe('succeeded');
    const expected = (await filesUnder(fullExtract)).filter((p) => p.startsWith(`${folder}/`));
    expect(expected.length).toBeGreaterThanOrEqual(2);
    const saved = await filesUnder(out);
    expect(saved.filter((p) => p.startsWith(`${folder}/`))).toEqual(expected);
    for (const path of expected) {
      expect((await readFile(join(out, path))).equals(await readFile(join(fullExtract, path))), path).toBe(true);
    }
  });

  it('streams the same selection as a zip', async () => {
    const photos = await api<Page<Item>>(auth, 'GET', `/console/api/backups/${plainId}/items/photos?limit=3`);
    const res = await fetch(`${base}/console/api/backups/${plainId}/save`, {
      method: 'POST',
      headers: { cookie: auth.cookie, 'x-csrf-token': auth.csrf, 'content-type': 'application/json' },
      body: JSON.stringify({ out: null, selection: { items: { photos: photos.body.items.map((i) => i.id) } } }),
    });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/zip');
    const zip = Buffer.from(await res.arrayBuffer());
    const entries = readZip(zip);
    for (const item of photos.body.items.filter((i) => i.fields.file)) {
      const data = entries.get(item.fields.file as string);
      expect(data?.equals(await readFile(join(fullExtract, item.fields.file as string)))).toBe(true);
    }
    expect(entries.has('photos/photos.json')).toBe(true);
  });
});

/** Reads a stored (method 0) zip through its central directory: name → bytes. */
function readZip(zip: Buffer): Map<string, Buffer> {
  const end = zip.lastIndexOf(Buffer.from([0x50, 0x4b, 0x05, 0x06]));
  const count = zip.readUInt16LE(end + 10);
  let at = zip.readUInt32LE(end + 16);
  const entries = new Map<string, Buffer>();
  for (let i = 0; i < count; i++) {
    expect(zip.readUInt32LE(at)).toBe(0x02014b50);
    const size = zip.readUInt32LE(at + 20);
    const nameLength = zip.readUInt16LE(at + 28);
    const extra = zip.readUInt16LE(at + 30);
    const comment = zip.readUInt16LE(at + 32);
    const local = zip.readUInt32LE(at + 42);
    const name = zip.toString('utf8', at + 46, at + 46 + nameLength);
    const dataAt = local + 30 + zip.readUInt16LE(local + 26) + zip.readUInt16LE(local + 28);
    entries.set(name, zip.subarray(dataAt, dataAt + size));
    at += 46 + nameLength + extra + comment;
  }
  return entries;
}
