import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { expect } from 'vitest';
import type {
  DeviceContentTruth,
  TruthEvent,
  TruthNote,
  TruthNoteFolder,
  TruthReminder,
  TruthVoiceMemo,
} from '../../src/emulator/content/index.js';
import type {
  EventRecord,
  NoteRecord,
  ReminderRecord,
  VisitRecord,
  VoiceMemoRecord,
  VoicemailRecord,
  WhatsAppChatRecord,
  WhatsAppMessageRecord,
} from '../../src/extract/index.js';

/**
 * Field-by-field comparisons of an extraction with the generator's truth for calendar, reminders, Safari history,
 * notes, voice memos, voicemail and WhatsApp, whatever iOS version wrote the content: the per-version tests
 * (test/unit/extract/*-versions.test.ts) and the cross-version integration test share them. Each reads the type's
 * JSON output under `out` and fails on the first field that differs; dates included, and none may be flagged
 * dateSuspect (the generator writes plausible dates).
 */

async function json<T>(out: string, file: string): Promise<T> {
  return JSON.parse(await readFile(join(out, file), 'utf8')) as T;
}

const iso = (d: Date | null): string | null => d?.toISOString() ?? null;

export async function expectEvents(out: string, truth: DeviceContentTruth): Promise<void> {
  const records = await json<EventRecord[]>(out, 'calendar/events.json');
  const live = records.filter((e) => e.origin === 'live');
  const calendars = new Map(truth.calendars.map((c) => [c.rowid, c.title]));
  const byStart = (a: TruthEvent, b: TruthEvent): number => a.start.getTime() - b.start.getTime() || a.rowid - b.rowid;
  expect(
    live.map((e) => [
      e.id,
      e.uid,
      e.calendar,
      e.summary,
      e.start,
      e.end,
      e.allDay,
      e.timeZone,
      e.location,
      e.address,
      e.notes,
      e.url,
      e.created,
      e.dateSuspect,
    ]),
  ).toEqual(
    [...truth.events]
      .sort(byStart)
      .map((t) => [
        t.rowid,
        t.uuid,
        calendars.get(t.calendarRowid),
        t.summary,
        iso(t.start),
        iso(t.end),
        t.allDay,
        t.timeZone,
        t.location,
        t.address,
        t.notes,
        t.url,
        iso(t.created),
        undefined,
      ]),
  );
  // What the carver adds is one of the deleted events.
  const deleted = new Set(truth.deletedEvents.map((e) => e.uuid));
  for (const e of records.filter((r) => r.origin !== 'live')) expect(deleted.has(e.uid ?? '')).toBe(true);
}

function reminderFields(t: TruthReminder): unknown[] {
  return [
    t.pk,
    t.uuid,
    t.store,
    t.listName,
    t.title,
    t.notes,
    iso(t.due),
    t.allDay,
    t.timeZone,
    t.completed,
    iso(t.completionDate),
    t.priority,
    t.flagged,
    t.parentUuid,
    iso(t.created),
    iso(t.modified),
    undefined,
  ];
}

export async function expectReminders(out: string, truth: DeviceContentTruth): Promise<void> {
  const records = await json<ReminderRecord[]>(out, 'reminders/reminders.json');
  const shown = records.filter((r) => r.origin !== 'recovered');
  const order = (a: TruthReminder, b: TruthReminder): number =>
    a.store.localeCompare(b.store) || a.created.getTime() - b.created.getTime() || a.pk - b.pk;
  expect(
    shown.map((r) => [
      r.id,
      r.uid,
      r.store,
      r.list,
      r.title,
      r.notes,
      r.due,
      r.allDay,
      r.timeZone,
      r.completed,
      r.completionDate,
      r.priority,
      r.flagged,
      r.parent,
      r.created,
      r.modified,
      r.dateSuspect,
    ]),
  ).toEqual([...truth.reminders].sort(order).map(reminderFields));
}

export async function expectVisits(out: string, truth: DeviceContentTruth): Promise<void> {
  const records = await json<VisitRecord[]>(out, 'safari/history.json');
  expect(
    records.filter((v) => v.origin === 'live').map((v) => [v.id, v.url, v.title, v.time, v.visitCount, v.dateSuspect]),
  ).toEqual(truth.visits.map((t) => [t.id, t.url, t.title, iso(t.time), t.visitCount, undefined]));
}

function folderPath(note: TruthNote, folders: TruthNoteFolder[]): string {
  const names: string[] = [];
  for (
    let f = folders.find((x) => x.pk === note.folderPk);
    f;
    f = f.parentPk === null ? undefined : folders.find((x) => x.pk === f!.parentPk)
  )
    names.unshift(f.title);
  return names.join('/');
}

function noteText(note: TruthNote): string | null {
  if (note.text === null) return null;
  let i = 0;
  return note.text.replace(/\uFFFC/g, () => `[${note.attachments[i++]!.filename}]`);
}

export async function expectNotes(out: string, truth: DeviceContentTruth): Promise<void> {
  const records = await json<NoteRecord[]>(out, 'notes/notes.json');
  const live = records.filter((n) => n.origin !== 'recovered');
  expect(live.map((n) => n.id).sort((a, b) => a - b)).toEqual(truth.notes.map((n) => n.pk).sort((a, b) => a - b));
  for (const t of truth.notes) {
    const n = live.find((r) => r.id === t.pk)!;
    expect([
      n.origin,
      n.identifier,
      n.account,
      n.folder,
      n.title,
      n.snippet,
      n.text,
      n.created,
      n.modified,
      n.pinned,
      n.locked,
      n.attachments.map((a) => a.name),
      n.dateSuspect,
    ]).toEqual([
      t.recentlyDeleted || t.markedForDeletion ? 'recently-deleted' : 'live',
      t.identifier,
      t.account,
      folderPath(t, truth.noteFolders),
      t.title,
      t.snippet,
      noteText(t),
      iso(t.created),
      iso(t.modified),
      t.pinned,
      t.locked,
      t.attachments.map((a) => a.filename),
      undefined,
    ]);
  }
}

export async function expectVoiceMemos(out: string, truth: DeviceContentTruth): Promise<void> {
  const records = await json<VoiceMemoRecord[]>(out, 'audio/voice-memos.json');
  const byDate = (a: TruthVoiceMemo, b: TruthVoiceMemo): number => a.date.getTime() - b.date.getTime();
  expect(
    records.map((m) => [
      m.origin,
      m.id,
      m.uuid,
      m.title,
      m.date,
      m.durationSeconds,
      m.folder,
      m.deletedDate,
      m.storedPath,
      m.backupPath,
      m.dateSuspect,
    ]),
  ).toEqual(
    [...truth.voiceMemos]
      .sort(byDate)
      .map((m) => [
        m.evicted === null ? 'live' : 'recently-deleted',
        m.pk,
        m.uuid,
        m.title,
        iso(m.date),
        m.durationSeconds,
        m.folder,
        iso(m.evicted),
        m.storedPath,
        `${m.domain}/${m.relativePath}`,
        undefined,
      ]),
  );
}

export async function expectVoicemails(out: string, truth: DeviceContentTruth): Promise<void> {
  const records = await json<VoicemailRecord[]>(out, 'voicemail/voicemail.json');
  const shown = records.filter((v) => v.origin !== 'recovered');
  const key = (table: string, id: number): string => `${table}:${id}`;
  const byKey = new Map(shown.map((v) => [key(v.table, v.id), v]));
  expect(shown.length).toBe(truth.voicemails.length);
  for (const t of truth.voicemails) {
    const v = byKey.get(key(t.table, t.rowid))!;
    expect([
      v.remoteUid,
      v.date,
      v.sender,
      v.callbackNumber,
      v.receiver,
      v.durationSeconds,
      v.trashedDate,
      v.flags,
      v.dateSuspect,
    ]).toEqual([
      t.remoteUid,
      iso(t.date),
      t.sender,
      t.callbackNumber,
      t.receiver,
      t.durationSeconds,
      iso(t.trashedDate),
      t.flags,
      undefined,
    ]);
  }
}

export async function expectWhatsApp(out: string, truth: DeviceContentTruth): Promise<void> {
  const chats = await json<WhatsAppChatRecord[]>(out, 'whatsapp/chats.json');
  const messages: WhatsAppMessageRecord[] = [];
  for (const chat of chats)
    messages.push(
      ...(await json<{ messages: WhatsAppMessageRecord[] }>(out, `${chat.folder}/conversation.json`)).messages,
    );
  const live = messages.filter((m) => m.origin === 'live').sort((a, b) => a.id - b.id);
  expect(
    live.map((m) => [
      m.id,
      m.stanzaId,
      m.chatId,
      m.messageType,
      m.text,
      m.date,
      m.isFromMe,
      m.senderJid,
      m.replyToStanzaId,
      m.media !== null && m.media.file !== null,
      m.dateSuspect,
    ]),
  ).toEqual(
    [...truth.whatsappMessages]
      .sort((a, b) => a.pk - b.pk)
      .map((t) => [
        t.pk,
        t.stanzaId,
        t.chatPk,
        t.messageType,
        t.text,
        iso(t.date),
        t.isFromMe,
        t.senderJid,
        t.replyToStanzaId,
        // A file exported for each medium the backup holds (a contact card comes out as a .vcf).
        t.media !== null && (t.media.data !== null || t.media.vcard !== null),
        undefined,
      ]),
  );
}
