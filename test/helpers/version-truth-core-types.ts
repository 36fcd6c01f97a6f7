import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { expect } from 'vitest';
import type { TruthContact, TruthPhoto } from '../../src/emulator/content/index.js';
import type { CallRecord, ChatRecord, ContactRecord, MessageRecord, PhotoRecord } from '../../src/extract/index.js';
import type { ExtractedBackup } from './extract-backups.js';

/**
 * Field-by-field comparisons of an extraction with the generator's truth, for content of any iOS version (the
 * generator already shapes its truth to what that version's database can hold; what a version's file has no column
 * for — a guid, a unique id, a service provider — is expected null here, and said why). Each returns how many
 * records it compared, so a caller can check that something was compared at all.
 */

async function json<T>(run: ExtractedBackup, path: string): Promise<T> {
  return JSON.parse(await readFile(join(run.out, path), 'utf8')) as T;
}

export async function expectMessagesMatch(run: ExtractedBackup, iosVersion: number): Promise<number> {
  const chats = await json<ChatRecord[]>(run, 'messages/conversations.json');
  const live = new Map<number, MessageRecord>();
  for (const chat of chats) {
    if (chat.displayName === 'Recovered deleted messages') continue;
    const file = await json<{ messages: MessageRecord[] }>(run, `${chat.folder}/conversation.json`);
    for (const m of file.messages) live.set(m.id, m);
  }
  const handles = new Map(run.truth.handles.map((h) => [h.rowid, h.id]));
  expect(live.size).toBe(run.truth.messages.length);
  for (const truth of run.truth.messages) {
    const m = live.get(truth.rowid);
    expect(m, `message ${truth.rowid}`).toBeDefined();
    expect({
      guid: m!.guid,
      text: m!.text,
      date: m!.date,
      dateRead: m!.dateRead,
      isFromMe: m!.isFromMe,
      service: m!.service,
      handle: m!.handle,
      chatId: m!.chatId,
      origin: m!.origin,
      attachments: m!.attachments.map((a) => a.transferName),
      dateSuspect: m!.dateSuspect,
    }).toEqual({
      // iOS 4–5 SMS rows have no guid (only iMessage rows keep one, in madrid_guid).
      guid: iosVersion <= 5 && truth.service === 'SMS' ? null : truth.guid,
      text: truth.text,
      date: truth.date.toISOString(),
      dateRead: truth.dateRead?.toISOString() ?? null,
      isFromMe: truth.isFromMe,
      service: truth.service,
      handle: handles.get(truth.handleRowid) ?? null,
      chatId: truth.chatRowid,
      origin: truth.recentlyDeleted === null ? 'live' : 'recently-deleted',
      attachments: truth.attachments.map((a) => a.transferName),
      dateSuspect: undefined,
    });
  }
  // Messages of one chat share one conversation.
  const byChat = new Map<number, Set<string>>();
  for (const chat of chats)
    if (chat.displayName !== 'Recovered deleted messages')
      for (const m of (await json<{ messages: MessageRecord[] }>(run, `${chat.folder}/conversation.json`)).messages)
        byChat.set(m.chatId!, (byChat.get(m.chatId!) ?? new Set()).add(chat.folder));
  for (const [chatId, folders] of byChat) expect([chatId, folders.size]).toEqual([chatId, 1]);
  return live.size;
}

const orNull = (s: string): string | null => (s === '' ? null : s);

function expectedContact(truth: TruthContact, iosVersion: number) {
  return {
    // The guid columns appear in AddressBook.sqlitedb with iOS 9 (the generator writes none up to iOS 8).
    guid: iosVersion <= 8 ? null : truth.guid,
    first: truth.first,
    last: truth.last,
    organization: truth.organization,
    jobTitle: truth.jobTitle,
    nickname: truth.nickname,
    note: truth.note,
    birthday: truth.birthday,
    phones: truth.phones,
    emails: truth.emails,
    urls: truth.urls,
    addresses: truth.addresses.map((a) => ({
      label: a.label,
      street: orNull(a.street),
      city: orNull(a.city),
      state: orNull(a.state),
      zip: orNull(a.zip),
      country: orNull(a.country),
      countryCode: orNull(a.countryCode),
    })),
    created: truth.created.toISOString(),
    modified: truth.modified.toISOString(),
  };
}

export async function expectContactsMatch(run: ExtractedBackup, iosVersion: number): Promise<number> {
  const live = (await json<ContactRecord[]>(run, 'contacts/contacts.json')).filter((c) => c.origin === 'live');
  expect(live.map((c) => c.id)).toEqual(run.truth.contacts.map((c) => c.rowid));
  for (const [i, truth] of run.truth.contacts.entries()) {
    const c = live[i]!;
    expect({
      guid: c.guid,
      first: c.first,
      last: c.last,
      organization: c.organization,
      jobTitle: c.jobTitle,
      nickname: c.nickname,
      note: c.note,
      birthday: c.birthday,
      phones: c.phones,
      emails: c.emails,
      urls: c.urls,
      addresses: c.addresses,
      created: c.created,
      modified: c.modified,
    }).toEqual(expectedContact(truth, iosVersion));
  }
  return live.length;
}

const CALL_KINDS: Record<number, string> = { 1: 'phone', 8: 'facetime-video', 16: 'facetime-audio' };

export async function expectCallsMatch(run: ExtractedBackup, iosVersion: number): Promise<number> {
  const legacy = iosVersion <= 7;
  const live = (await json<CallRecord[]>(run, 'calls/calls.json')).filter((c) => c.origin === 'live');
  const byId = new Map(live.map((c) => [c.id, c]));
  expect(live).toHaveLength(run.truth.calls.length);
  for (const truth of run.truth.calls) {
    const c = byId.get(truth.pk);
    expect(c, `call ${truth.pk}`).toBeDefined();
    expect({
      uniqueId: c!.uniqueId,
      address: c!.address,
      name: c!.name,
      date: c!.date,
      durationSeconds: c!.durationSeconds,
      direction: c!.direction,
      answered: c!.answered,
      kind: c!.kind,
      serviceProvider: c!.serviceProvider,
      countryCode: c!.countryCode,
    }).toEqual({
      // call_history.db (iOS ≤ 7) has no unique id or service provider, and cannot tell FaceTime audio from video.
      uniqueId: legacy ? null : truth.uniqueId,
      address: truth.address,
      name: truth.name,
      date: truth.date.toISOString(),
      durationSeconds: truth.durationSeconds,
      direction: truth.outgoing ? 'outgoing' : 'incoming',
      answered: truth.answered,
      kind: legacy ? (truth.callType === 1 ? 'phone' : 'facetime') : CALL_KINDS[truth.callType],
      serviceProvider: legacy ? null : truth.serviceProvider,
      countryCode: truth.countryCode,
    });
  }
  return live.length;
}

function expectedPhoto(truth: TruthPhoto) {
  return {
    kind: truth.kind,
    originalFilename: truth.originalFilename,
    filename: truth.filename,
    directory: truth.directory,
    created: truth.created.toISOString(),
    latitude: truth.latitude,
    longitude: truth.longitude,
    width: truth.width,
    height: truth.height,
    favorite: truth.favorite,
    hidden: truth.hidden,
    recentlyDeleted: truth.trashed,
    trashedDate: truth.trashedDate?.toISOString() ?? null,
    origin: truth.trashed ? 'recently-deleted' : 'live',
  };
}

export async function expectPhotosMatch(run: ExtractedBackup): Promise<number> {
  const photos = await json<PhotoRecord[]>(run, 'photos/photos.json');
  const byUuid = new Map(photos.map((p) => [p.uuid, p]));
  expect(photos).toHaveLength(run.truth.photos.length);
  for (const truth of run.truth.photos) {
    const p = byUuid.get(truth.uuid);
    expect(p, `photo ${truth.uuid}`).toBeDefined();
    expect({
      kind: p!.kind,
      originalFilename: p!.originalFilename,
      filename: p!.filename,
      directory: p!.directory,
      created: p!.created,
      latitude: p!.latitude,
      longitude: p!.longitude,
      width: p!.width,
      height: p!.height,
      favorite: p!.favorite,
      hidden: p!.hidden,
      recentlyDeleted: p!.recentlyDeleted,
      trashedDate: p!.trashedDate,
      origin: p!.origin,
    }).toEqual(expectedPhoto(truth));
    expect(await readFile(join(run.out, p!.file!))).toEqual(truth.data);
  }
  return photos.length;
}
