import { mkdir, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { BackupReader } from '../../backup/index.js';
import { runExtraction, type DeferredCopy, type ExtractionReport } from '../../extract/index.js';
import { itemsOfJson, type BrowseItem, type ConversationSummary } from './browse-items.js';

/** What a finished index leaves in its folder: the extraction's JSON (no media) and where each media file is. */
const EXTRACT_FOLDER = 'records';
const DEFERRED_FILE = 'deferred.json';
/** Written last: its presence says the index is whole (an interrupted build is thrown away and done again). */
const DONE_FILE = 'index-done.json';
/** The counts per type, written the first time they are computed. */
const TYPES_FILE = 'types.json';
/** The index's own layout: a change here makes old indexes rebuild. */
const INDEX_VERSION = 1;

export interface TypeSummary {
  type: string;
  records: number;
  deleted: number;
  recovered: number;
  status: 'ok' | 'missing' | 'failed';
}

/**
 * A backup's records for browsing, built once per backup into `folder` (in the daemon's state folder): the
 * extraction runs with `deferCopy`, so every JSON record and page is written but photos, attachments and voicemail
 * audio stay in the backup; `deferred.json` says which backup file each would-be file is. Media are streamed from
 * the backup on demand. The records of a type are read into memory the first time the type is browsed.
 */
export class BrowseIndex {
  private readonly items = new Map<string, BrowseItem[]>();
  private conversationList: ConversationSummary[] | undefined;
  private constructor(
    readonly folder: string,
    readonly report: ExtractionReport,
    readonly deferred: Map<string, DeferredCopy>,
  ) {}

  /** The extraction's folder inside the index (what `records` paths are relative to). */
  get recordsFolder(): string {
    return join(this.folder, EXTRACT_FOLDER);
  }

  /** Opens the index in `folder`, building it from `reader` first when it is missing or was left half-built. */
  static async open(folder: string, reader: BackupReader, signal?: AbortSignal): Promise<BrowseIndex> {
    const existing = await BrowseIndex.load(folder);
    if (existing) return existing;
    await rm(folder, { recursive: true, force: true });
    await mkdir(folder, { recursive: true, mode: 0o700 });
    const deferred: DeferredCopy[] = [];
    const report = await runExtraction(reader, {
      out: join(folder, EXTRACT_FOLDER),
      tempDir: folder,
      signal,
      noReport: true,
      deferCopy: (copy) => deferred.push(copy),
    });
    await writeFile(join(folder, DEFERRED_FILE), JSON.stringify(deferred), { mode: 0o600 });
    await writeFile(join(folder, DONE_FILE), JSON.stringify({ version: INDEX_VERSION }), { mode: 0o600 });
    return new BrowseIndex(folder, report, toMap(deferred));
  }

  /** The index already in `folder`, or undefined when there is none (or a half-built or older one). */
  static async load(folder: string): Promise<BrowseIndex | undefined> {
    try {
      const done = JSON.parse(await readFile(join(folder, DONE_FILE), 'utf8')) as { version?: number };
      if (done.version !== INDEX_VERSION) return undefined;
      const report = JSON.parse(
        await readFile(join(folder, EXTRACT_FOLDER, 'extraction.json'), 'utf8'),
      ) as ExtractionReport;
      const deferred = JSON.parse(await readFile(join(folder, DEFERRED_FILE), 'utf8')) as DeferredCopy[];
      return new BrowseIndex(folder, report, toMap(deferred));
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw error;
    }
  }

  /**
   * The counts `types()` wrote into an index folder, without reading any record (the backups list shows them for
   * every backup); undefined before the index was built and browsed once.
   */
  static async savedTypes(folder: string): Promise<TypeSummary[] | undefined> {
    try {
      if ((await readFile(join(folder, DONE_FILE), 'utf8')).includes(`"version":${INDEX_VERSION}`)) {
        return JSON.parse(await readFile(join(folder, TYPES_FILE), 'utf8')) as TypeSummary[];
      }
      return undefined;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw error;
    }
  }

  /** Every type's counts: records, how many are deleted (Recently Deleted or recovered), how many recovered. */
  async types(): Promise<TypeSummary[]> {
    const saved = await BrowseIndex.savedTypes(this.folder);
    if (saved) return saved;
    const summaries: TypeSummary[] = [];
    for (const result of this.report.types) {
      const items = result.status === 'ok' ? await this.itemsOf(result.type) : [];
      summaries.push({
        type: result.type,
        records: items.length,
        deleted: items.filter((i) => i.deleted).length,
        recovered: items.filter((i) => i.origin === 'recovered').length,
        status: result.status,
      });
    }
    await writeFile(join(this.folder, TYPES_FILE), JSON.stringify(summaries), { mode: 0o600 });
    return summaries;
  }

  /** A type's items (for messages: every message of every conversation), read once and kept. */
  async itemsOf(type: string): Promise<BrowseItem[]> {
    const known = this.items.get(type);
    if (known) return known;
    const result = this.report.types.find((t) => t.type === type);
    let items: BrowseItem[] = [];
    if (result?.status === 'ok') {
      items =
        type === 'messages'
          ? (await Promise.all((await this.conversations()).map((c) => this.messagesOf(c.id)))).flat()
          : await this.readTypeFolder(type);
    }
    this.items.set(type, items);
    return items;
  }

  async conversations(): Promise<ConversationSummary[]> {
    if (this.conversationList) return this.conversationList;
    const list: ConversationSummary[] = [];
    const index =
      await this.readJson<Array<{ folder: string } & Record<string, unknown>>>('messages/conversations.json');
    for (const [n, chat] of (index ?? []).entries()) {
      const id = `c${n}`;
      const messages = await this.messagesOfFolder(id, chat.folder);
      const participants = ((chat.participants as Array<{ handle: string; name: string | null }>) ?? []).map(
        (p) => p.name ?? p.handle,
      );
      const title = (chat.displayName as string | null) || participants.join(', ') || (chat.identifier as string) || id;
      list.push({
        id,
        folder: chat.folder,
        title,
        participants,
        lastDate: messages.reduce<string | null>(
          (last, m) => (m.date && (!last || m.date > last) ? m.date : last),
          null,
        ),
        messageCount: messages.length,
        deletedCount: messages.filter((m) => m.deleted).length,
        record: chat,
      });
    }
    this.conversationList = list;
    return list;
  }

  /** One conversation's messages, in the order conversation.json has them. */
  async messagesOf(conversationId: string): Promise<BrowseItem[]> {
    const conversation = (await this.conversations()).find((c) => c.id === conversationId);
    return conversation ? this.messagesOfFolder(conversationId, conversation.folder) : [];
  }

  private readonly messageCache = new Map<string, BrowseItem[]>();

  private async messagesOfFolder(conversationId: string, folder: string): Promise<BrowseItem[]> {
    const known = this.messageCache.get(conversationId);
    if (known) return known;
    const page = await this.readJson<{ messages: Record<string, unknown>[] }>(`${folder}/conversation.json`);
    const items = itemsOfJson('messages', conversationId, page?.messages ?? [], conversationId);
    this.messageCache.set(conversationId, items);
    return items;
  }

  /** An item by id, searching the type's items. */
  async item(type: string, id: string): Promise<BrowseItem | undefined> {
    return (await this.itemsOf(type)).find((i) => i.id === id);
  }

  private async readTypeFolder(type: string): Promise<BrowseItem[]> {
    let names: string[];
    try {
      names = (await readdir(join(this.recordsFolder, type))).filter((n) => n.endsWith('.json')).sort();
    } catch {
      return [];
    }
    const items: BrowseItem[] = [];
    for (const name of names) {
      // albums.json lists photos again by album; WhatsApp's chats.json is the chats, messages are in their folders.
      if (type === 'photos' && name === 'albums.json') continue;
      const records = await this.readJson<unknown>(`${type}/${name}`);
      if (!Array.isArray(records)) continue;
      items.push(...itemsOfJson(type, name.replace(/\.json$/, ''), records as Record<string, unknown>[]));
    }
    return items;
  }

  private async readJson<T>(relativePath: string): Promise<T | undefined> {
    try {
      return JSON.parse(await readFile(join(this.recordsFolder, relativePath), 'utf8')) as T;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw error;
    }
  }
}

function toMap(deferred: DeferredCopy[]): Map<string, DeferredCopy> {
  return new Map(deferred.map((d) => [d.path, { ...d, mtime: d.mtime === undefined ? undefined : new Date(d.mtime) }]));
}
