import { existsSync } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { ChatRecord, MessageRecord } from '../../../src/extract/index.js';
import { parseCsv } from '../../helpers/csv.js';
import { extractGenerated } from '../../helpers/extract-backups.js';

describe.each([{ encrypted: false }, { encrypted: true }])('messages (encrypted: $encrypted)', ({ encrypted }) => {
  it('come out per conversation equal to what went in (WAL-only and Recently Deleted included), attachments copied beside them, deleted ones absent', async () => {
    const run = await extractGenerated({
      encrypted,
      spec: { seed: `messages-${encrypted}`, contacts: 15, messages: 150, conversations: 7, photos: 0, calls: 0 },
    });
    try {
      const allChats = JSON.parse(await readFile(join(run.out, 'messages/conversations.json'), 'utf8')) as ChatRecord[];
      // Messages deleted for good that the carver found come last, in a conversation of their own.
      const recoveredChat = allChats.at(-1)!;
      expect(recoveredChat).toMatchObject({ guid: null, displayName: 'Recovered deleted messages' });
      const recovered = (
        JSON.parse(await readFile(join(run.out, recoveredChat.folder, 'conversation.json'), 'utf8')) as {
          messages: MessageRecord[];
        }
      ).messages;
      const chats = allChats.slice(0, -1);
      expect(run.report.types.find((t) => t.type === 'messages')).toMatchObject({
        status: 'ok',
        records: 150 + recovered.length,
        warnings: [],
      });
      const handles = new Map(run.truth.handles.map((h) => [h.rowid, h.id]));
      expect(chats.map((c) => c.guid).sort()).toEqual(
        run.truth.chats
          .filter((c) => run.truth.messages.some((m) => m.chatRowid === c.rowid))
          .map((c) => c.guid)
          .sort(),
      );
      const extracted = new Map<string, { message: MessageRecord; chat: ChatRecord }>();
      for (const chat of chats) {
        const truthChat = run.truth.chats.find((c) => c.guid === chat.guid)!;
        expect(chat.isGroup).toBe(truthChat.style === 43);
        expect(chat.participants.map((p) => p.handle)).toEqual(truthChat.handleRowids.map((h) => handles.get(h)));
        const file = JSON.parse(await readFile(join(run.out, chat.folder, 'conversation.json'), 'utf8')) as {
          chat: ChatRecord;
          messages: MessageRecord[];
        };
        expect(file.messages).toHaveLength(chat.messageCount);
        const dates = file.messages.map((m) => m.date!);
        expect(dates).toEqual([...dates].sort());
        for (const message of file.messages) extracted.set(message.guid!, { message, chat });
      }
      expect(extracted.size).toBe(run.truth.messages.length);
      expect(
        run.truth.messages.some((m) => m.inWal) &&
          run.truth.messages.some((m) => m.recentlyDeleted) &&
          run.truth.messages.some((m) => m.attachments.length > 0) &&
          run.truth.messages.some((m) => m.textOnlyInAttributedBody),
      ).toBe(true);
      for (const truth of run.truth.messages) {
        const { message: m, chat } = extracted.get(truth.guid)!;
        expect({
          id: m.id,
          text: m.text,
          date: m.date,
          dateRead: m.dateRead,
          isFromMe: m.isFromMe,
          service: m.service,
          handle: m.handle,
          chatId: m.chatId,
          origin: m.origin,
          dateDeleted: m.dateDeleted,
        }).toEqual({
          id: truth.rowid,
          text: truth.text,
          date: truth.date.toISOString(),
          dateRead: truth.dateRead?.toISOString() ?? null,
          isFromMe: truth.isFromMe,
          service: truth.service,
          handle: handles.get(truth.handleRowid) ?? null,
          chatId: truth.chatRowid,
          origin: truth.recentlyDeleted ? 'recently-deleted' : 'live',
          dateDeleted: truth.recentlyDeleted?.toISOString() ?? null,
        });
        expect(chat.guid).toBe(run.truth.chats.find((c) => c.rowid === truth.chatRowid)!.guid);
        expect(m.attachments).toHaveLength(truth.attachments.length);
        for (const [i, a] of truth.attachments.entries()) {
          const got = m.attachments[i]!;
          expect({
            guid: got.guid,
            storedPath: got.storedPath,
            transferName: got.transferName,
            mimeType: got.mimeType,
            created: got.created,
          }).toEqual({
            guid: a.guid,
            storedPath: a.filename,
            transferName: a.transferName,
            mimeType: a.mimeType,
            created: a.created.toISOString(),
          });
          expect(dirname(got.file!)).toBe(`${chat.folder}/attachments`);
          expect(await readFile(join(run.out, got.file!))).toEqual(a.data);
          expect((await stat(join(run.out, got.file!))).mtime.toISOString()).toBe(a.created.toISOString());
        }
      }
      for (const gone of run.truth.deletedMessages) expect(extracted.has(gone.guid)).toBe(false);
      expect(run.truth.deletedMessages.length).toBeGreaterThan(0);
      // Each recovered message is one of the deleted ones, whole, once (how many survive is the carver's recall).
      const deleted = new Map(run.truth.deletedMessages.map((m) => [m.guid, m]));
      expect(recovered.length).toBeGreaterThan(0);
      expect(new Set(recovered.map((m) => m.guid)).size).toBe(recovered.length);
      for (const m of recovered) {
        const truth = deleted.get(m.guid!);
        expect(truth, `recovered message ${m.guid} is one of the deleted ones`).toBeDefined();
        expect({ text: m.text, date: m.date, isFromMe: m.isFromMe, origin: m.origin }).toEqual({
          text: truth!.text,
          date: truth!.date.toISOString(),
          isFromMe: truth!.isFromMe,
          origin: 'recovered',
        });
      }
      expect(await readFile(join(run.out, recoveredChat.folder, 'conversation.html'), 'utf8')).toContain(
        'Recovered (deleted)',
      );

      // Names come from the backup's address book: a handle that is a contact's first phone shows that contact's name.
      const named = [...extracted.values()].filter(({ message }) => message.handleName !== null);
      expect(named.length).toBeGreaterThan(0);
      for (const { message } of named) {
        const contact = run.truth.contacts.find(
          (c) =>
            c.phones.some(
              (p) => p.value.replace(/\D/g, '').slice(-10) === message.handle!.replace(/\D/g, '').slice(-10),
            ) || c.emails.some((e) => e.value === message.handle),
        );
        expect(message.handleName).toBe(
          [contact!.first, contact!.last].filter(Boolean).join(' ') || contact!.organization,
        );
      }

      // One CSV of every message, texts with commas, quotes and newlines intact.
      const rows = parseCsv(await readFile(join(run.out, 'messages/messages.csv'), 'utf8'));
      expect(rows).toHaveLength(run.truth.messages.length + recovered.length + 1);
      expect(rows.filter((r) => r[9] === 'recovered')).toHaveLength(recovered.length);
      const textByGuid = new Map(rows.slice(1).map((r) => [r[11], r[7]]));
      for (const truth of run.truth.messages) expect(textByGuid.get(truth.guid)).toBe(truth.text ?? '');
    } finally {
      await run.cleanup();
    }
  });
});

describe('conversation HTML', () => {
  it('escapes message text, marks Recently Deleted messages, and links attachments that exist', async () => {
    const run = await extractGenerated({
      encrypted: false,
      spec: { seed: 'html', contacts: 10, messages: 200, conversations: 4, photos: 0, calls: 0 },
    });
    try {
      const chats = JSON.parse(await readFile(join(run.out, 'messages/conversations.json'), 'utf8')) as ChatRecord[];
      let scripts = 0;
      let deletedTags = 0;
      for (const chat of chats) {
        const html = await readFile(join(run.out, chat.folder, 'conversation.html'), 'utf8');
        expect(html).not.toContain('<script>');
        scripts += html.split('&lt;script&gt;alert(1)&lt;/script&gt;').length - 1;
        deletedTags += html.split('<div class="tag">Recently Deleted').length - 1;
        for (const [, src] of html.matchAll(/src="([^"]+)"/g))
          expect(existsSync(join(run.out, chat.folder, src!))).toBe(true);
      }
      // Recovered deleted messages are escaped the same way.
      const recoveredChat = chats.find((c) => c.displayName === 'Recovered deleted messages');
      const recovered = recoveredChat
        ? (
            JSON.parse(await readFile(join(run.out, recoveredChat.folder, 'conversation.json'), 'utf8')) as {
              messages: MessageRecord[];
            }
          ).messages
        : [];
      expect(scripts).toBe(
        [...run.truth.messages, ...recovered].reduce((n, m) => n + (m.text ?? '').split('<script>').length - 1, 0),
      );
      expect(scripts).toBeGreaterThan(0);
      expect(deletedTags).toBe(run.truth.messages.filter((m) => m.recentlyDeleted).length);
    } finally {
      await run.cleanup();
    }
  });
});
