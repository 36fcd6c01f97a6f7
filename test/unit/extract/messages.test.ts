import { existsSync } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { ChatRecord, MessageRecord } from '../../../src/extract/index.js';
import { parseCsv } from '../../helpers/csv.js';
import { extractGenerated } from '../../helpers/extract-backups.js';

describe.each([{ encrypted: false }, { encrypted: true }])('messages (encrypted: $encrypted)', ({ encrypted }) => {
  it('come out per conversation equal to what went in (WAL-only and Recently Deleted included), attachments copied beside them, deleted ones absent', async () => {
    const run = await extractGenerated({ encrypted, spec: { seed: `messages-${encrypted}`, contacts: 15, messages: 150, conversations: 7, photos: 0, calls: 0 } });
    try {
      expect(run.report.types.find((t) => t.type === 'messages')).toMatchObject({ status: 'ok', records: 150, warnings: [] });
      const chats = JSON.parse(await readFile(join(run.out, 'messages/conversations.json'), 'utf8')) as ChatRecord[];
      const handles = new Map(run.truth.handles.map((h) => [h.rowid, h.id]));
      expect(chats.map((c) => c.guid).sort()).toEqual(run.truth.chats.filter((c) => run.truth.messages.some((m) => m.chatRowid === c.rowid)).map((c) => c.guid).sort());
      const extracted = new Map<string, { message: MessageRecord; chat: ChatRecord }>();
      for (const chat of chats) {
        const truthChat = run.truth.chats.find((c) => c.guid === chat.guid)!;
        expect(chat.isGroup).toBe(truthChat.style === 43);
        expect(chat.participants.map((p) => p.handle)).toEqual(truthChat.handleRowids.map((h) => handles.get(h)));
        const file = JSON.parse(await readFile(join(run.out, chat.folder, 'conversation.json'), 'utf8')) as { chat: ChatRecord; messages: MessageRecord[] };
        expect(file.messages).toHaveLength(chat.messageCount);
        const dates = file.messages.map((m) => m.date!);
        expect(dates).toEqual([...dates].sort());
        for (const message of file.messages) extracted.set(message.guid!, { message, chat });
      }
      expect(extracted.size).toBe(run.truth.messages.length);
      expect(run.truth.messages.some((m) => m.inWal) && run.truth.messages.some((m) => m.recentlyDeleted) && run.truth.messages.some((m) => m.attachments.length > 0) && run.truth.messages.some((m) => m.textOnlyInAttributedBody)).toBe(true);
      for (const truth of run.truth.messages) {
        const { message: m, chat } = extracted.get(truth.guid)!;
        expect({ id: m.id, text: m.text, date: m.date, dateRead: m.dateRead, isFromMe: m.isFromMe, service: m.service, handle: m.handle, chatId: m.chatId, origin: m.origin, dateDeleted: m.dateDeleted })
          .toEqual({ id: truth.rowid, text: truth.text, date: truth.date.toISOString(), dateRead: truth.dateRead?.toISOString() ?? null, isFromMe: truth.isFromMe, service: truth.service, handle: handles.get(truth.handleRowid) ?? null, chatId: truth.chatRowid, origin: truth.recentlyDeleted ? 'recently-deleted' : 'live', dateDeleted: truth.recentlyDeleted?.toISOString() ?? null });
        expect(chat.guid).toBe(run.truth.chats.find((c) => c.rowid === truth.chatRowid)!.guid);
        expect(m.attachments).toHaveLength(truth.attachments.length);
        for (const [i, a] of truth.attachments.entries()) {
          const got = m.attachments[i]!;
          expect({ guid: got.guid, storedPath: got.storedPath, transferName: got.transferName, mimeType: got.mimeType, created: got.created }).toEqual({ guid: a.guid, storedPath: a.filename, transferName: a.transferName, mimeType: a.mimeType, created: a.created.toISOString() });
          expect(dirname(got.file!)).toBe(`${chat.folder}/attachments`);
          expect(await readFile(join(run.out, got.file!))).toEqual(a.data);
          expect((await stat(join(run.out, got.file!))).mtime.toISOString()).toBe(a.created.toISOString());
        }
      }
      for (const gone of run.truth.deletedMessages) expect(extracted.has(gone.guid)).toBe(false);
      expect(run.truth.deletedMessages.length).toBeGreaterThan(0);

      // Names come from the backup's address book: a handle that is a contact's first phone shows that contact's name.
      const named = [...extracted.values()].filter(({ message }) => message.handleName !== null);
      expect(named.length).toBeGreaterThan(0);
      for (const { message } of named) {
        const contact = run.truth.contacts.find((c) => c.phones.some((p) => p.value.replace(/\D/g, '').slice(-10) === message.handle!.replace(/\D/g, '').slice(-10)) || c.emails.some((e) => e.value === message.handle));
        expect(message.handleName).toBe([contact!.first, contact!.last].filter(Boolean).join(' ') || contact!.organization);
      }

      // One CSV of every message, texts with commas, quotes and newlines intact.
      const rows = parseCsv(await readFile(join(run.out, 'messages/messages.csv'), 'utf8'));
      expect(rows).toHaveLength(run.truth.messages.length + 1);
      const textByGuid = new Map(rows.slice(1).map((r) => [r[11], r[7]]));
      for (const truth of run.truth.messages) expect(textByGuid.get(truth.guid)).toBe(truth.text ?? '');
    } finally {
      await run.cleanup();
    }
  });
});

describe('conversation HTML', () => {
  it('escapes message text, marks Recently Deleted messages, and links attachments that exist', async () => {
    const run = await extractGenerated({ encrypted: false, spec: { seed: 'html', contacts: 10, messages: 200, conversations: 4, photos: 0, calls: 0 } });
    try {
      const chats = JSON.parse(await readFile(join(run.out, 'messages/conversations.json'), 'utf8')) as ChatRecord[];
      let scripts = 0;
      let deletedTags = 0;
      for (const chat of chats) {
        const html = await readFile(join(run.out, chat.folder, 'conversation.html'), 'utf8');
        expect(html).not.toContain('<script>');
        scripts += html.split('&lt;script&gt;alert(1)&lt;/script&gt;').length - 1;
        deletedTags += html.split('<div class="tag">Recently Deleted').length - 1;
        for (const [, src] of html.matchAll(/src="([^"]+)"/g)) expect(existsSync(join(run.out, chat.folder, src!))).toBe(true);
      }
      expect(scripts).toBe(run.truth.messages.reduce((n, m) => n + (m.text ?? '').split('<script>').length - 1, 0));
      expect(scripts).toBeGreaterThan(0);
      expect(deletedTags).toBe(run.truth.messages.filter((m) => m.recentlyDeleted).length);
    } finally {
      await run.cleanup();
    }
  });
});
