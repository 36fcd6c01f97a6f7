import { createReadStream } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Readable, Writable } from 'node:stream';
import type { BackupReader } from '../backup/index.js';
import { copyEntry, makeOutputFolder, OutputFolder, outputPermissions } from '../extract/index.js';
import { albumPhotos } from './browse/browse-albums.js';
import type { BrowseIndex } from './browse/browse-index.js';
import { filesOf, type BrowseItem } from './browse/browse-items.js';
import { ZipStream } from './browse/zip-stream.js';

/** What the person ticked: items by type, whole conversations, "all deleted" of some types, whole Photos albums. */
export interface Selection {
  items?: Record<string, string[]>;
  conversations?: string[];
  allDeleted?: string[];
  /** Album ids (`a<Z_PK>`, as albumsOf lists them): every photo and video of the album, as if each were ticked. */
  albums?: string[];
}

/** One file of the saved selection: from the backup (a photo), from the index (a page), or made here (JSON). */
type SavedFile =
  | { path: string; kind: 'backup'; domain: string; relativePath: string; mtime?: Date }
  | { path: string; kind: 'index'; source: string }
  | { path: string; kind: 'json'; data: Buffer };

/**
 * The files `iosrescue extract` writes for the selected items, under the same names: each item's media (photos, Live
 * Photo videos, attachments, voicemail audio, vCards, notes' pages), a whole conversation's folder, and per source the
 * selected records as `<type>/<source>.json` (for messages, `<conversation>/conversation.json` with the selected
 * messages). Paths come from the browse index, which ran the same extractors.
 */
export async function planSelection(index: BrowseIndex, selection: Selection): Promise<SavedFile[]> {
  const chosen = new Map<string, BrowseItem[]>();
  for (const [type, ids] of Object.entries(selection.items ?? {})) {
    const wanted = new Set(ids);
    const items = type === 'messages' ? await messagesById(index, wanted) : await index.itemsOf(type);
    chosen.set(
      type,
      items.filter((i) => wanted.has(i.id)),
    );
  }
  for (const type of selection.allDeleted ?? []) {
    const deleted = (await index.itemsOf(type)).filter((i) => i.deleted);
    const list = chosen.get(type) ?? [];
    const have = new Set(list.map((i) => i.id));
    chosen.set(type, [...list, ...deleted.filter((i) => !have.has(i.id))]);
  }
  if ((selection.albums ?? []).length > 0) {
    const list = chosen.get('photos') ?? [];
    const have = new Set(list.map((i) => i.id));
    const inAlbums = await albumPhotos(index, selection.albums ?? []);
    chosen.set('photos', [...list, ...inAlbums.filter((i) => !have.has(i.id))]);
  }

  const files = new Map<string, SavedFile>();
  const addFile = (path: string): void => {
    if (files.has(path)) return;
    const deferred = index.deferred.get(path);
    files.set(
      path,
      deferred
        ? { path, kind: 'backup', domain: deferred.domain, relativePath: deferred.relativePath, mtime: deferred.mtime }
        : { path, kind: 'index', source: join(index.recordsFolder, path) },
    );
  };

  const whole = new Set(selection.conversations ?? []);
  const conversations = await index.conversations();
  for (const conversation of conversations.filter((c) => whole.has(c.id))) {
    addFile(`${conversation.folder}/conversation.json`);
    addFile(`${conversation.folder}/conversation.html`);
    for (const message of await index.messagesOf(conversation.id)) for (const f of message.files) addFile(f);
  }

  for (const [type, items] of chosen) {
    if (type === 'messages') {
      const byConversation = new Map<string, BrowseItem[]>();
      for (const item of items) {
        if (item.conversationId === undefined || whole.has(item.conversationId)) continue;
        const list = byConversation.get(item.conversationId) ?? [];
        list.push(item);
        byConversation.set(item.conversationId, list);
      }
      for (const [cid, messages] of byConversation) {
        const conversation = conversations.find((c) => c.id === cid)!;
        const { messageCount: _count, ...chat } = conversation.record;
        const page = { chat, messages: messages.map((m) => m.record) };
        const path = `${conversation.folder}/conversation.json`;
        files.set(path, { path, kind: 'json', data: Buffer.from(`${JSON.stringify(page, null, 2)}\n`) });
        for (const m of messages) for (const f of m.files) addFile(f);
      }
      continue;
    }
    const bySource = new Map<string, Record<string, unknown>[]>();
    for (const item of items) {
      for (const f of item.files) addFile(f);
      // A WhatsApp chat is its folder: conversation.json, conversation.html and the media its messages name.
      if (type === 'whatsapp' && typeof item.record.folder === 'string') {
        for (const f of await chatFolderFiles(index, item.record.folder)) addFile(f);
      }
      const list = bySource.get(item.source) ?? [];
      list.push(item.record);
      bySource.set(item.source, list);
    }
    for (const [source, records] of bySource) {
      const path = `${type}/${source}.json`;
      files.set(path, { path, kind: 'json', data: Buffer.from(`${JSON.stringify(records, null, 2)}\n`) });
    }
  }
  return [...files.values()];
}

async function chatFolderFiles(index: BrowseIndex, folder: string): Promise<string[]> {
  const files = [`${folder}/conversation.json`, `${folder}/conversation.html`];
  try {
    const page = JSON.parse(await readFile(join(index.recordsFolder, folder, 'conversation.json'), 'utf8')) as {
      messages?: Record<string, unknown>[];
    };
    for (const message of page.messages ?? []) files.push(...filesOf(message));
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    return [];
  }
  return files;
}

async function messagesById(index: BrowseIndex, ids: Set<string>): Promise<BrowseItem[]> {
  // Message ids are `messages.<conversation>.<position>`: only the conversations named are read.
  const conversationIds = new Set([...ids].map((id) => id.split('.')[1] ?? ''));
  const items: BrowseItem[] = [];
  for (const cid of conversationIds) items.push(...(await index.messagesOf(cid)));
  return items;
}

export interface SaveProgress {
  done: number;
  total: number;
  path: string;
}

/** Writes the selection into `out` (created when missing; owner-only, as extract's output). */
export async function saveSelection(
  index: BrowseIndex,
  reader: BackupReader,
  selection: Selection,
  out: string,
  options: { signal?: AbortSignal; onProgress?: (progress: SaveProgress) => void } = {},
): Promise<{ files: number }> {
  const plan = await planSelection(index, selection);
  const permissions = outputPermissions('private');
  await makeOutputFolder(out, permissions);
  const folder = new OutputFolder(out, permissions);
  let done = 0;
  for (const file of plan) {
    options.signal?.throwIfAborted();
    if (file.kind === 'backup') {
      const entry = reader.get(file.domain, file.relativePath);
      if (entry === undefined) continue;
      await copyEntry(reader, folder, entry, file.path, file.mtime);
    } else if (file.kind === 'index') await folder.copyFile(file.path, file.source);
    else await folder.writeFile(file.path, file.data);
    options.onProgress?.({ done: ++done, total: plan.length, path: file.path });
  }
  return { files: done };
}

/** Streams the selection as a zip into `sink` (the same files and names as saveSelection writes). */
export async function zipSelection(
  index: BrowseIndex,
  reader: BackupReader,
  selection: Selection,
  sink: Writable,
): Promise<{ files: number }> {
  const plan = await planSelection(index, selection);
  const zip = new ZipStream(sink);
  let files = 0;
  for (const file of plan) {
    let data: Readable | Buffer;
    if (file.kind === 'backup') {
      const entry = reader.get(file.domain, file.relativePath);
      if (entry === undefined) continue;
      data = await reader.openFile(entry);
    } else if (file.kind === 'index') data = createReadStream(file.source);
    else data = file.data;
    await zip.add(file.path, data, file.kind === 'backup' ? file.mtime : undefined);
    files++;
  }
  await zip.finish();
  return { files };
}
