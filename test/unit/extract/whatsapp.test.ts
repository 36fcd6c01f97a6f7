import { readFileSync } from 'node:fs';
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { BackupReader, writeSyntheticBackup, type SyntheticItem } from '../../../src/backup/index.js';
import {
  generateDeviceContent,
  type DeviceContentSpec,
  type TruthWhatsAppMessage,
} from '../../../src/emulator/content/index.js';
import {
  runExtraction,
  scanBackupContent,
  type ExtractionReport,
  type TypeScan,
  type WhatsAppChatRecord,
  type WhatsAppMessageRecord,
} from '../../../src/extract/index.js';
import { protobufBytes } from '../../../src/extract/protobuf.js';
import { corpusPath } from '../../helpers/backup-corpus.js';
import { parseCsv } from '../../helpers/csv.js';
import { FAST_KDF, PASSWORD } from '../../helpers/extract-backups.js';

const root = await mkdtemp(join(tmpdir(), 'iosrescue-whatsapp-test-'));
afterAll(() => rm(root, { recursive: true, force: true }));
let counter = 0;

const GROUP_DOMAIN = 'AppDomainGroup-group.net.whatsapp.WhatsApp.shared';
const OTHER_TYPES: DeviceContentSpec['omit'] = ['messages', 'contacts', 'photos', 'calls', 'calendar', 'safari'];

/** Writes the items as a plain or encrypted backup, then scans it and extracts WhatsApp from it. */
async function extractItems(
  items: SyntheticItem[],
  encrypted: boolean,
  range?: { since?: Date; until?: Date },
): Promise<{ out: string; report: ExtractionReport; scan: TypeScan }> {
  const dir = join(root, `backup-${++counter}`);
  await writeSyntheticBackup(dir, { items, ...(encrypted ? { password: PASSWORD, keybag: FAST_KDF } : {}) });
  const reader = await BackupReader.open(dir, encrypted ? { password: PASSWORD } : {});
  try {
    const out = join(dir, 'out');
    const report = await runExtraction(reader, { out, types: ['whatsapp'], tempDir: root, range });
    const [scan] = await scanBackupContent(reader, { types: ['whatsapp'], tempDir: root });
    return { out, report, scan: scan! };
  } finally {
    await reader.close();
  }
}

async function readChats(out: string): Promise<Array<{ chat: WhatsAppChatRecord; messages: WhatsAppMessageRecord[] }>> {
  const index = JSON.parse(await readFile(join(out, 'whatsapp/chats.json'), 'utf8')) as WhatsAppChatRecord[];
  return Promise.all(
    index.map(async (chat) => {
      const file = JSON.parse(await readFile(join(out, chat.folder, 'conversation.json'), 'utf8')) as {
        chat: WhatsAppChatRecord;
        messages: WhatsAppMessageRecord[];
      };
      expect(file.chat).toEqual({ ...chat, messageCount: undefined });
      expect(file.messages).toHaveLength(chat.messageCount);
      return { chat, messages: file.messages };
    }),
  );
}

function expectedMedia(
  t: TruthWhatsAppMessage,
): Omit<NonNullable<WhatsAppMessageRecord['media']>, 'id' | 'file'> | null {
  const m = t.media;
  if (m === null) return null;
  return {
    localPath: m.localPath,
    title: m.title,
    mimeType: m.mimeType,
    bytes: m.fileSize || null,
    durationSeconds: m.durationSeconds,
    latitude: m.latitude,
    longitude: m.longitude,
    vcardName: m.vcardName,
    vcard: m.vcard,
  };
}

describe.each([{ encrypted: false }, { encrypted: true }])('WhatsApp (encrypted: $encrypted)', ({ encrypted }) => {
  it('exports every chat and message equal to what went in: senders, media bytes and mtimes, locations, contact cards, deleted-for-everyone, recovered rows', async () => {
    const content = generateDeviceContent({ seed: `whatsapp-${encrypted}`, whatsappMessages: 60, omit: OTHER_TYPES });
    const truth = content.truth;
    const { out, report, scan } = await extractItems(content.items, encrypted);
    const chats = await readChats(out);
    const all = chats.flatMap((c) => c.messages.map((m) => ({ ...m, folder: c.chat.folder })));
    const live = all.filter((m) => m.origin === 'live');
    const recovered = all.filter((m) => m.origin === 'recovered');
    expect(report.types[0]).toMatchObject({ type: 'whatsapp', status: 'ok', records: all.length });
    // The one photo the phone never downloaded is named in the database but absent from the backup.
    expect(report.types[0]!.warnings).toEqual([
      expect.stringMatching(/^1 WhatsApp media file\(s\) named in ChatStorage.sqlite are not in the backup/),
    ]);

    // Chats: name, JID, group facts, members as the phone names them.
    const withMessages = truth.whatsappChats.filter((c) => truth.whatsappMessages.some((m) => m.chatPk === c.pk));
    expect(chats.map((c) => c.chat.id)).toEqual(withMessages.map((c) => c.pk));
    for (const { chat } of chats) {
      const t = truth.whatsappChats.find((c) => c.pk === chat.id)!;
      expect({
        jid: chat.jid,
        name: chat.name,
        isGroup: chat.isGroup,
        archived: chat.archived,
        groupCreated: chat.groupCreated,
      }).toEqual({
        jid: t.jid,
        name: t.name,
        isGroup: t.isGroup,
        archived: t.archived,
        groupCreated: t.created?.toISOString() ?? null,
      });
      expect(chat.members.map((m) => [m.jid, m.name, m.isAdmin])).toEqual(
        t.members.map((m) => [m.jid, m.contactName ?? m.pushName ?? `+${m.jid.split('@')[0]}`, m.isAdmin]),
      );
      expect(chat.messageCount).toBe(
        truth.whatsappMessages.filter((m) => m.chatPk === chat.id).length +
          recovered.filter((m) => m.chatId === chat.id).length,
      );
    }
    expect(
      truth.whatsappChats.some((c) => c.archived) &&
        truth.whatsappChats.some((c) => c.members.some((m) => m.contactName === null && m.pushName !== null)),
    ).toBe(true);

    // Messages, field by field; each conversation in date order, WAL-only ones included.
    expect(live).toHaveLength(truth.whatsappMessages.length);
    expect(truth.whatsappMessages.some((m) => m.inWal)).toBe(true);
    for (const { messages } of chats) expect(messages.map((m) => m.date!)).toEqual(messages.map((m) => m.date!).sort());
    const byStanza = new Map(live.map((m) => [m.stanzaId, m]));
    for (const t of truth.whatsappMessages) {
      const m = byStanza.get(t.stanzaId)!;
      expect({
        id: m.id,
        chatId: m.chatId,
        kind: m.kind,
        messageType: m.messageType,
        groupEventType: m.groupEventType,
        text: m.text,
        date: m.date,
        sentDate: m.sentDate,
        isFromMe: m.isFromMe,
        fromJid: m.fromJid,
        toJid: m.toJid,
        senderJid: m.senderJid,
        senderName: m.senderName,
        starred: m.starred,
        deletedForEveryone: m.deletedForEveryone,
        replyToStanzaId: m.replyToStanzaId,
      }).toEqual({
        id: t.pk,
        chatId: t.chatPk,
        kind: t.kind,
        messageType: t.messageType,
        groupEventType: t.groupEventType,
        text: t.text,
        date: t.date.toISOString(),
        sentDate: t.sentDate?.toISOString() ?? null,
        isFromMe: t.isFromMe,
        fromJid: t.fromJid,
        toJid: t.toJid,
        senderJid: t.senderJid,
        senderName: t.senderName,
        starred: t.starred,
        deletedForEveryone: t.kind === 'deleted',
        replyToStanzaId: t.replyToStanzaId,
      });
      const { file, id: _id, ...media } = m.media ?? { file: null, id: 0 };
      expect(m.media === null ? null : media).toEqual(expectedMedia(t));
      if (t.media?.data) {
        expect(dirname(file!)).toBe(`${m.folder}/media`);
        expect(await readFile(join(out, file!))).toEqual(t.media.data);
        expect((await stat(join(out, file!))).mtime.toISOString()).toBe(t.date.toISOString());
      } else if (t.media?.vcard) {
        expect(await readFile(join(out, file!), 'utf8')).toBe(t.media.vcard);
        expect((await stat(join(out, file!))).mtime.toISOString()).toBe(t.date.toISOString());
      } else {
        expect(file).toBeNull();
      }
    }
    const kinds = new Set(truth.whatsappMessages.map((m) => m.kind));
    expect([...kinds].sort()).toEqual([
      'audio',
      'contact',
      'deleted',
      'document',
      'group-event',
      'image',
      'location',
      'sticker',
      'system',
      'text',
      'video',
    ]);
    expect(
      truth.whatsappMessages.some((m) => m.isFromMe && m.kind === 'deleted') &&
        truth.whatsappMessages.some((m) => !m.isFromMe && m.kind === 'deleted'),
    ).toBe(true);
    const document = live.find((m) => m.kind === 'document')!;
    expect(document.media!.file!.endsWith(`/${document.id}-Invoice _March_, 2024.pdf`)).toBe(true);

    // Rows deleted from the phone: absent from the live export; each one the carver finds is one of them, once, in its
    // own chat.
    expect(truth.deletedWhatsappMessages.length).toBeGreaterThan(0);
    for (const gone of truth.deletedWhatsappMessages) expect(byStanza.has(gone.stanzaId)).toBe(false);
    expect(recovered.length).toBeGreaterThan(0);
    expect(new Set(recovered.map((m) => m.stanzaId)).size).toBe(recovered.length);
    for (const m of recovered) {
      const t = truth.deletedWhatsappMessages.find((d) => d.stanzaId === m.stanzaId);
      expect(t, `recovered ${m.stanzaId} is one of the deleted messages`).toBeDefined();
      // A row whose cell header a freeblock overwrote has lost its Z_PK (rowid): −1.
      expect([t!.pk, -1]).toContain(m.id);
      expect({ chatId: m.chatId, text: m.text, date: m.date, isFromMe: m.isFromMe, senderName: m.senderName }).toEqual({
        chatId: t!.chatPk,
        text: t!.text,
        date: t!.date.toISOString(),
        isFromMe: t!.isFromMe,
        senderName: t!.senderName,
      });
    }

    // The page reads like the phone's: escaped text, media inline, deleted-for-everyone and recovered marked, replies
    // linked.
    const group = chats.find((c) => c.chat.isGroup && c.messages.some((m) => m.kind === 'deleted'))!;
    const groupPage = await readFile(join(out, group.chat.folder, 'conversation.html'), 'utf8');
    expect(groupPage).toContain('This message was deleted');
    expect(groupPage).toContain('<video class="att" controls src="media/');
    expect(groupPage).toContain('<audio controls src="media/');
    expect(groupPage).toContain('changed the group subject to “Weekend trip ⛺”');
    expect(groupPage).not.toContain('<script>');
    const reply = live.find((m) => m.replyToStanzaId !== null)!;
    const replyPage = await readFile(join(out, reply.folder, 'conversation.html'), 'utf8');
    expect(replyPage).toContain(`<a class="quote" href="#m${byStanza.get(reply.replyToStanzaId)!.id}">`);
    expect(replyPage).toMatch(/<img class="att" src="media\/\d+-[0-9a-f-]+\.jpg"/);
    expect(replyPage).toContain('📍 ');
    expect(
      await readFile(
        join(out, live.find((m) => m.kind === 'deleted' && m.isFromMe)!.folder, 'conversation.html'),
        'utf8',
      ),
    ).toContain('You deleted this message');
    expect(await readFile(join(out, recovered[0]!.folder, 'conversation.html'), 'utf8')).toContain(
      'Recovered (deleted)',
    );

    // One CSV of every message.
    const rows = parseCsv(await readFile(join(out, 'whatsapp/messages.csv'), 'utf8'));
    expect(rows[0]).toEqual([
      'id',
      'chat',
      'date',
      'from_me',
      'sender_jid',
      'sender_name',
      'kind',
      'text',
      'media_file',
      'latitude',
      'longitude',
      'deleted_for_everyone',
      'starred',
      'origin',
      'stanza_id',
      'date_unclear',
    ]);
    expect(rows).toHaveLength(all.length + 1);
    const csvByStanza = new Map(rows.slice(1).map((r) => [r[14], r]));
    for (const t of truth.whatsappMessages)
      expect([csvByStanza.get(t.stanzaId)![7], csvByStanza.get(t.stanzaId)![6]]).toEqual([t.text ?? '', t.kind]);

    // scan(): SQL counts only.
    expect(scan).toMatchObject({
      present: true,
      count: truth.whatsappMessages.length,
      purged: truth.deletedWhatsappMessages.length,
      recentlyDeleted: null,
      firstDate: truth.whatsappMessages.map((m) => m.date.toISOString()).sort()[0],
      lastDate: truth.whatsappMessages
        .map((m) => m.date.toISOString())
        .sort()
        .at(-1),
    });
  });
});

describe('WhatsApp details', () => {
  it('--since/--until keep only the messages inside the range', async () => {
    const content = generateDeviceContent({
      seed: 'whatsapp-range',
      whatsappMessages: 30,
      omit: OTHER_TYPES,
      deletedFraction: 0,
    });
    const dates = content.truth.whatsappMessages.map((m) => m.date.getTime()).sort((a, b) => a - b);
    const since = new Date(dates[8]!);
    const until = new Date(dates[20]!);
    const { out, report } = await extractItems(content.items, false, { since, until });
    const exported = (await readChats(out)).flatMap((c) => c.messages);
    const expected = content.truth.whatsappMessages
      .filter((m) => m.date >= since && m.date <= until)
      .map((m) => m.stanzaId)
      .sort();
    expect(exported.map((m) => m.stanzaId).sort()).toEqual(expected);
    expect(report.types[0]!.records).toBe(13);
  });

  it('reads the early location (AppDomain-net.whatsapp.WhatsApp Documents/, media under Library/) and a schema without ZWAMESSAGE.ZMEDIAITEM or group tables', async () => {
    const file = join(root, 'legacy.sqlite');
    const db = new Database(file);
    db.exec(`
      CREATE TABLE ZWACHATSESSION (Z_PK INTEGER PRIMARY KEY, ZCONTACTJID VARCHAR, ZPARTNERNAME VARCHAR, ZSESSIONTYPE INTEGER);
      CREATE TABLE ZWAMESSAGE (Z_PK INTEGER PRIMARY KEY, ZCHATSESSION INTEGER, ZISFROMME INTEGER, ZFROMJID VARCHAR, ZTEXT VARCHAR, ZMESSAGEDATE TIMESTAMP, ZMESSAGETYPE INTEGER);
      CREATE TABLE ZWAMEDIAITEM (Z_PK INTEGER PRIMARY KEY, ZMESSAGE INTEGER, ZMEDIALOCALPATH VARCHAR);
      INSERT INTO ZWACHATSESSION VALUES (1, '15555550100@s.whatsapp.net', 'Old Friend', 0);
      INSERT INTO ZWAMESSAGE VALUES (1, 1, 0, '15555550100@s.whatsapp.net', 'from 2014', 420000000, 0), (2, 1, 1, NULL, NULL, 420000060.5, 1), (3, 9, 0, '15555550199@s.whatsapp.net', 'chat row gone', 420000100, 0);
      INSERT INTO ZWAMEDIAITEM VALUES (1, 2, '/Media/15555550100@s.whatsapp.net/a/b/photo.jpg');`);
    db.close();
    const photo = Buffer.from('not really a jpeg');
    const { out, report, scan } = await extractItems(
      [
        {
          domain: 'AppDomain-net.whatsapp.WhatsApp',
          relativePath: 'Documents/ChatStorage.sqlite',
          data: readFileSync(file),
        },
        {
          domain: 'AppDomain-net.whatsapp.WhatsApp',
          relativePath: 'Library/Media/15555550100@s.whatsapp.net/a/b/photo.jpg',
          data: photo,
        },
      ],
      false,
    );
    expect(report.types[0]).toMatchObject({ status: 'ok', records: 3, warnings: [] });
    const chats = await readChats(out);
    expect(chats.map((c) => [c.chat.name, c.messages.map((m) => [m.text, m.kind, m.senderName, m.date])])).toEqual([
      [
        'Old Friend',
        [
          ['from 2014', 'text', 'Old Friend', new Date(Date.UTC(2001, 0, 1) + 420000000_000).toISOString()],
          [null, 'image', null, new Date(Date.UTC(2001, 0, 1) + 420000060_500).toISOString()],
        ],
      ],
      [null, [['chat row gone', 'text', '+15555550199', new Date(Date.UTC(2001, 0, 1) + 420000100_000).toISOString()]]],
    ]);
    expect(await readFile(join(out, chats[0]!.messages[1]!.media!.file!))).toEqual(photo);
    expect(chats[1]!.chat.folder).toBe('whatsapp/chat 9');
    expect(scan).toMatchObject({ present: true, count: 3, purged: null });
  });

  it("reads a reply's quoted stanza id from protobuf field 5 and stops at malformed blobs", () => {
    const blob = Buffer.concat([
      Buffer.from([0x08, 0x96, 0x01, 0x22, 0x02]),
      Buffer.from('ab'),
      Buffer.from([0x2a, 0x03]),
      Buffer.from('XYZ'),
    ]);
    expect(protobufBytes(blob, 5)?.toString()).toBe('XYZ');
    expect(protobufBytes(blob, 4)?.toString()).toBe('ab');
    expect(protobufBytes(blob, 7)).toBeNull();
    expect(protobufBytes(Buffer.from([0x2a, 0x10, 0x41]), 5)).toBeNull();
    expect(protobufBytes(Buffer.from([0x0b, 0x2a, 0x01, 0x41]), 5)).toBeNull();
  });
});

const hickman = corpusPath('ileapp-real-device/hickman-ios15.3.1-iphone8/WhatsApp');
const ileapp = corpusPath(
  'ileapp-real-device/ileapp-expected-output/whatsApp.whatsAppMessages.josh_ios15_ffs.20250621193412.json',
);
const mvt = corpusPath('mvt-ios14-backup');

describe.skipIf(hickman === undefined || ileapp === undefined)(
  'real ChatStorage.sqlite (Hickman iOS 15.3.1 image, messages from 2022–2023)',
  () => {
    it.each([false, true])(
      'extracts its 32 messages as iLEAPP reads them, with group facts, locations, a reply and the images the backup lacks (encrypted: %s)',
      async (encrypted) => {
        const items = ['ChatStorage.sqlite', 'ChatStorage.sqlite-wal', 'ChatStorage.sqlite-shm'].map((name) => ({
          domain: GROUP_DOMAIN,
          relativePath: name,
          data: readFileSync(join(hickman!, name)),
        }));
        const { out, report, scan } = await extractItems(items, encrypted);
        expect(report.types[0]).toMatchObject({ status: 'ok', records: 32 });
        expect(report.types[0]!.warnings).toEqual([
          expect.stringMatching(
            /^2 WhatsApp media file\(s\) .* e\.g\. Media\/19198887386@s\.whatsapp\.net\/d\/0\/d041d159-fd7d-4abb-9192-0e97c10ddb00\.jpg$/,
          ),
        ]);
        const chats = await readChats(out);
        expect(chats.map((c) => [c.chat.name, c.chat.isGroup, c.chat.messageCount])).toEqual([
          ['Our Test Group', true, 3],
          ['Med Report Review', true, 2],
          ['Med Report 2', true, 2],
          ['Working Group', true, 3],
          ['This Is DFIR Two', false, 22],
        ]);
        expect(chats[1]!.chat).toMatchObject({
          jid: '120363044520422953@g.us',
          groupCreator: '19195794674@s.whatsapp.net',
          groupCreated: new Date(Date.UTC(2001, 0, 1) + 676082810_000).toISOString(),
        });
        expect(chats[0]!.chat.members.map((m) => [m.jid, m.isAdmin, m.isActive])).toEqual([
          ['205690463334636@lid', false, false],
          ['19195794674@s.whatsapp.net', true, true],
        ]);

        // iLEAPP's rows come in Z_PK order: timestamp, sender, message, from/to ids and coordinates agree with ours.
        const peer = JSON.parse(readFileSync(ileapp!, 'utf8')) as {
          data: Array<
            [
              number,
              string,
              string | null,
              string,
              string | null,
              string | null,
              string,
              string,
              unknown,
              string,
              string,
              number | '',
              number | '',
            ]
          >;
        };
        const ours = chats.flatMap((c) => c.messages).sort((a, b) => a.id - b.id);
        expect(ours).toHaveLength(peer.data.length);
        for (const [i, row] of peer.data.entries()) {
          const m = ours[i]!;
          const chatName = chats.find((c) => c.chat.id === m.chatId)!.chat.name;
          expect([
            Math.floor(Date.parse(m.date!) / 1000),
            m.isFromMe ? 'Local User' : chatName,
            m.fromJid,
            m.toJid,
            m.text,
            m.kind === 'location' ? m.media!.latitude : '',
            m.kind === 'location' ? m.media!.longitude : '',
          ]).toEqual([row[0], row[1], row[2], row[4], row[5], row[11], row[12]]);
        }
        const byId = new Map(ours.map((m) => [m.id, m]));
        expect(byId.get(12)).toMatchObject({
          text: 'I’m here!',
          isFromMe: true,
          kind: 'text',
          stanzaId: '3AD2D4F6C4FC636222C7',
          date: '2023-05-02T15:56:47.221Z',
          sentDate: '2023-05-02T15:56:47.287Z',
        });
        expect(byId.get(13)).toMatchObject({
          isFromMe: false,
          senderJid: '19198887386@s.whatsapp.net',
          senderName: 'This Is DFIR Two',
        });
        expect(byId.get(16)!.replyToStanzaId).toBe(byId.get(15)!.stanzaId);
        expect(byId.get(21)).toMatchObject({
          kind: 'image',
          media: {
            localPath: 'Media/19198887386@s.whatsapp.net/d/0/d041d159-fd7d-4abb-9192-0e97c10ddb00.jpg',
            mimeType: 'image/jpeg',
            bytes: 42073,
            file: null,
            vcardName: null,
          },
        });
        expect(byId.get(30)).toMatchObject({
          kind: 'location',
          media: { latitude: 35.63850402832031, longitude: -78.87605285644531 },
        });
        expect(byId.get(11)).toMatchObject({ kind: 'system', groupEventType: 2 });
        expect(byId.get(2)).toMatchObject({ kind: 'group-event', senderJid: null, fromJid: '120363023356659014@g.us' });
        expect(await readFile(join(out, chats[4]!.chat.folder, 'conversation.html'), 'utf8')).toContain(
          '[image d041d159-fd7d-4abb-9192-0e97c10ddb00.jpg: not in the backup]',
        );
        // Z_MAX of WAMessage is 33: one message (Z_PK 28) was deleted from the phone.
        expect(scan).toMatchObject({
          count: 32,
          purged: 1,
          firstDate: new Date(Date.UTC(2001, 0, 1) + 670009446_000).toISOString(),
          lastDate: new Date(Date.UTC(2001, 0, 1) + 706027000_000).toISOString(),
        });
      },
    );
  },
);

describe.skipIf(mvt === undefined)(
  'real iOS 14 backup (MVT test artifacts) with a hand-reduced ChatStorage.sqlite',
  () => {
    it('extracts its 3 messages in 2 chats from the backup folder itself', async () => {
      const reader = await BackupReader.open(mvt!);
      try {
        const out = join(root, 'mvt-out');
        const report = await runExtraction(reader, { out, types: ['whatsapp'], tempDir: root });
        expect(report.types[0]).toMatchObject({ type: 'whatsapp', status: 'ok', records: 3, warnings: [] });
        const at = (seconds: number): string => new Date(Date.UTC(2001, 0, 1) + seconds * 1000).toISOString();
        const chats = await readChats(out);
        expect(
          chats.map((c) => [
            c.chat.name,
            c.chat.jid,
            c.chat.isGroup,
            c.messages.map((m) => [m.text, m.date, m.isFromMe, m.senderJid, m.senderName]),
          ]),
        ).toEqual([
          [
            'Alice Example',
            '100000000000001@lid',
            false,
            [
              ['Hi', at(778000000), false, '14155550100@s.whatsapp.net', 'Alice Example'],
              ['Check https://example.org/news', at(778100000), true, null, null],
            ],
          ],
          [
            'Example Group',
            '120000000000000001@g.us',
            true,
            [['Welcome', at(778200000), false, '14155550101@s.whatsapp.net', '+14155550101']],
          ],
        ]);
        expect(chats[1]!.chat.groupCreated).toBe(at(777500000));
        const [scan] = await scanBackupContent(reader, { types: ['whatsapp'], tempDir: root });
        expect(scan).toMatchObject({
          present: true,
          count: 3,
          firstDate: at(778000000),
          lastDate: at(778200000),
          purged: null,
        });
      } finally {
        await reader.close();
      }
    });
  },
);
