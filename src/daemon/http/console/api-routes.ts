import { randomBytes } from 'node:crypto';
import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { createReadStream } from 'node:fs';
import { isAbsolute, join } from 'node:path';
import { PassThrough, Transform, type Readable } from 'node:stream';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import {
  albumsOf,
  makeThumbnail,
  pageOf,
  saveSelection,
  searchText,
  zipSelection,
  type BrowseIndex,
  type BrowseItem,
  type Selection,
} from '../../../operations/browse/index.js';
import type { BackupReader } from '../../../backup/index.js';
import { packageVersion } from '../../../package-version.js';
import type { ConsoleBackups } from './console-backups.js';
import { ConsoleError } from './errors.js';
import { CONSOLE_CSP } from './security-headers.js';
import { sessionOf } from './session-hook.js';
import * as S from './schemas.js';

interface SaveJob {
  id: string;
  state: 'running' | 'succeeded' | 'failed';
  out: string;
  done: number;
  total: number;
  error?: { code: string; message: string };
}

const MIME: Record<string, string> = {
  jpg: 'image/jpeg',
  jpeg: 'image/jpeg',
  png: 'image/png',
  gif: 'image/gif',
  heic: 'image/heic',
  mov: 'video/quicktime',
  mp4: 'video/mp4',
  m4v: 'video/mp4',
  m4a: 'audio/mp4',
  m4r: 'audio/mp4',
  amr: 'audio/amr',
  caf: 'audio/x-caf',
  mp3: 'audio/mpeg',
  wav: 'audio/wav',
  vcf: 'text/vcard',
  html: 'text/html',
  md: 'text/markdown',
  pdf: 'application/pdf',
  svg: 'image/svg+xml',
};

export function mimeOf(path: string): string {
  return MIME[path.slice(path.lastIndexOf('.') + 1).toLowerCase()] ?? 'application/octet-stream';
}

/** The console's browse, unlock and save endpoints (README.md); the session hook has run before each. */
export function registerConsoleApiRoutes(app: FastifyInstance, backups: ConsoleBackups): void {
  const saves = new Map<string, SaveJob>();
  const base = (id: string): string => `/console/api/backups/${encodeURIComponent(id)}`;

  const itemView = (backupId: string, item: BrowseItem) => ({
    id: item.id,
    title: item.title,
    subtitle: item.subtitle,
    date: item.date,
    ...(item.dateSuspect ? { dateSuspect: true } : {}),
    deleted: item.deleted,
    origin: item.origin,
    ...(item.media && /\.(jpe?g|png|gif|heic)$/i.test(item.media)
      ? { thumb: `${base(backupId)}/thumbs/${encodeURIComponent(item.id)}` }
      : {}),
    ...(item.media ? { media: `${base(backupId)}/files/${encodeURIComponent(item.id)}` } : {}),
    fields: item.record,
  });

  app.get('/console/api/session', { schema: S.sessionRoute }, async (request) => ({
    csrfToken: sessionOf(request).csrfToken,
    version: packageVersion(),
  }));

  app.get('/console/api/backups', { schema: S.backupListRoute }, async (request) => {
    const session = sessionOf(request);
    const list = await backups.list();
    return Promise.all(
      list.map(async (b) => ({
        ...b,
        unlocked: backups.isUnlocked(b, session),
        counts: await backups.counts(b, session),
      })),
    );
  });

  app.post<{ Body: { path: string } }>('/console/api/backups', { schema: S.addBackupRoute }, async (request, reply) => {
    if (!isAbsolute(request.body.path))
      throw new ConsoleError('CONSOLE_NOT_A_BACKUP', 'give the folder as an absolute path');
    const session = sessionOf(request);
    const added = await backups.add(request.body.path);
    return reply.code(201).send(added.map((b) => ({ ...b, unlocked: backups.isUnlocked(b, session), counts: null })));
  });

  app.post<{ Params: { id: string }; Body: { password: string } }>(
    '/console/api/backups/:id/unlock',
    { schema: S.unlockRoute },
    async (request, reply) => {
      await backups.unlock(sessionOf(request), request.params.id, request.body.password);
      return reply.code(204).send();
    },
  );

  app.get<{ Params: { id: string } }>('/console/api/backups/:id/types', { schema: S.typesRoute }, async (request) => {
    const { index } = await backups.open(sessionOf(request), request.params.id);
    return index.types();
  });

  app.get<{ Params: { id: string } }>('/console/api/backups/:id/albums', { schema: S.albumsRoute }, async (request) => {
    const { index } = await backups.open(sessionOf(request), request.params.id);
    return (await albumsOf(index)).map(({ record: _record, ...album }) => album);
  });

  app.get<{ Params: { id: string; type: string }; Querystring: S.PageQuery }>(
    '/console/api/backups/:id/items/:type',
    { schema: S.itemsRoute },
    async (request) => {
      const { index } = await backups.open(sessionOf(request), request.params.id);
      const items = await index.itemsOf(request.params.type);
      const page = pageOf(items, pageQuery(request.query), searchText, (i) => i.deleted);
      return { total: page.total, items: page.items.map((i) => itemView(request.params.id, i)) };
    },
  );

  app.get<{ Params: { id: string }; Querystring: S.PageQuery }>(
    '/console/api/backups/:id/conversations',
    { schema: S.conversationsRoute },
    async (request) => {
      const { index } = await backups.open(sessionOf(request), request.params.id);
      const list = (await index.conversations()).map((c) => ({ ...c, date: c.lastDate }));
      const page = pageOf(
        list,
        pageQuery(request.query),
        (c) => `${c.title}\n${c.participants.join('\n')}`,
        (c) => c.deletedCount > 0,
      );
      return {
        total: page.total,
        items: page.items.map((c) => ({
          id: c.id,
          title: c.title,
          participants: c.participants,
          lastDate: c.lastDate,
          messageCount: c.messageCount,
          deletedCount: c.deletedCount,
        })),
      };
    },
  );

  app.get<{ Params: { id: string; cid: string }; Querystring: S.PageQuery }>(
    '/console/api/backups/:id/conversations/:cid/messages',
    { schema: S.messagesRoute },
    async (request) => {
      const { index } = await backups.open(sessionOf(request), request.params.id);
      if (!(await index.conversations()).some((c) => c.id === request.params.cid)) {
        throw new ConsoleError('CONSOLE_UNKNOWN_ITEM', `no conversation ${request.params.cid}`);
      }
      const messages = await index.messagesOf(request.params.cid);
      const page = pageOf(messages, pageQuery(request.query), searchText, (m) => m.deleted);
      return {
        total: page.total,
        items: page.items.map((m) => ({
          id: m.id,
          date: m.date,
          fromMe: m.record.isFromMe === true,
          sender: (m.record.handleName as string | null) ?? (m.record.handle as string | null) ?? null,
          text: (m.record.text as string | null) ?? null,
          deleted: m.deleted,
          origin: m.origin,
          attachments: m.files.map((file, n) => ({
            name: file.slice(file.lastIndexOf('/') + 1),
            url: `${base(request.params.id)}/files/${encodeURIComponent(m.id)}?file=${n}`,
            mime: mimeOf(file),
          })),
        })),
      };
    },
  );

  app.get<{ Params: { id: string; itemId: string } }>(
    '/console/api/backups/:id/thumbs/:itemId',
    { schema: S.thumbRoute },
    async (request, reply) => {
      const { reader, index } = await backups.open(sessionOf(request), request.params.id);
      const item = await findItem(index, request.params.itemId);
      if (!item.media) throw new ConsoleError('CONSOLE_NO_THUMBNAIL', `${item.id} has no picture`);
      const cacheFolder = join(index.folder, 'thumbs');
      const cached = join(cacheFolder, `${item.id.replace(/[^\w.-]/g, '_')}`);
      let thumb: { data: Buffer; mime: string } | undefined;
      try {
        const stored = await readFile(cached);
        const mimeLength = stored.readUInt8(0);
        thumb = { mime: stored.toString('latin1', 1, 1 + mimeLength), data: stored.subarray(1 + mimeLength) };
      } catch {
        thumb = makeThumbnail(await readWhole(await openItemFile(index, reader, item.media)));
        if (!thumb) throw new ConsoleError('CONSOLE_NO_THUMBNAIL', `no thumbnail can be made of ${item.media}`);
        await mkdir(cacheFolder, { recursive: true, mode: 0o700 });
        const mime = Buffer.from(thumb.mime, 'latin1');
        await writeFile(cached, Buffer.concat([Buffer.from([mime.length]), mime, thumb.data]), { mode: 0o600 });
      }
      return reply
        .header('content-type', thumb.mime)
        .header('cache-control', 'private, max-age=86400')
        .send(thumb.data);
    },
  );

  app.get<{ Params: { id: string; itemId: string }; Querystring: { file?: number } }>(
    '/console/api/backups/:id/files/:itemId',
    { schema: S.fileRoute },
    async (request, reply) => {
      const { reader, index } = await backups.open(sessionOf(request), request.params.id);
      const item = await findItem(index, request.params.itemId);
      const file = request.query.file === undefined ? (item.media ?? item.files[0]) : item.files[request.query.file];
      if (!file) throw new ConsoleError('CONSOLE_UNKNOWN_ITEM', `${item.id} has no such file`);
      return sendFile(request, reply, index, reader, file);
    },
  );

  app.post<{ Params: { id: string }; Body: { out: string | null; selection: Selection } }>(
    '/console/api/backups/:id/save',
    // A selection of 20,000 photo ids is about 600 KB of JSON: more than the API's usual 64 KiB.
    { schema: S.saveRoute, bodyLimit: 4 * 1024 * 1024 },
    async (request, reply) => {
      const { reader, index } = await backups.open(sessionOf(request), request.params.id);
      const { out, selection } = request.body;
      if (out === null) {
        const body = new PassThrough();
        zipSelection(index, reader, selection, body).catch((error: unknown) => {
          request.log.error({ err: error }, 'zip download failed');
          body.destroy(error as Error);
        });
        return reply
          .header('content-type', 'application/zip')
          .header('content-disposition', 'attachment; filename="iosrescue-selection.zip"')
          .send(body);
      }
      if (!isAbsolute(out)) throw new ConsoleError('CONSOLE_BAD_OUTPUT', '"out" must be an absolute folder path');
      // Saving never replaces a file someone has: the folder is new or empty.
      const existing = await readdir(out).catch((error: NodeJS.ErrnoException) => {
        if (error.code === 'ENOENT') return [];
        throw new ConsoleError('CONSOLE_BAD_OUTPUT', `${out} cannot be used: ${error.message}`);
      });
      if (existing.length > 0) {
        throw new ConsoleError('CONSOLE_BAD_OUTPUT', `${out} is not empty: choose a new or empty folder`);
      }
      const job: SaveJob = { id: `save-${randomBytes(8).toString('hex')}`, state: 'running', out, done: 0, total: 0 };
      saves.set(job.id, job);
      saveSelection(index, reader, selection, out, {
        onProgress: (p) => {
          job.done = p.done;
          job.total = p.total;
        },
      }).then(
        () => {
          job.state = 'succeeded';
        },
        (error: unknown) => {
          job.state = 'failed';
          job.error = {
            code: (error as { code?: string }).code ?? 'UNEXPECTED',
            message: error instanceof Error ? error.message : String(error),
          };
          request.log.warn({ err: error, jobId: job.id }, 'saving the selection failed');
        },
      );
      return reply.code(201).send({ jobId: job.id });
    },
  );

  app.get<{ Params: { jobId: string } }>(
    '/console/api/saves/:jobId',
    { schema: S.saveStatusRoute },
    async (request) => {
      const job = saves.get(request.params.jobId);
      if (!job) throw new ConsoleError('CONSOLE_UNKNOWN_ITEM', `no save ${request.params.jobId}`);
      return job;
    },
  );
}

function pageQuery(query: S.PageQuery) {
  return {
    offset: query.offset,
    limit: query.limit,
    q: query.q,
    deleted: query.deleted === 1 || query.deleted === true,
    since: query.since,
    until: query.until,
  };
}

async function findItem(index: BrowseIndex, itemId: string): Promise<BrowseItem> {
  const type = itemId.slice(0, itemId.indexOf('.'));
  const item =
    type === 'messages'
      ? (await index.messagesOf(itemId.split('.')[1] ?? '')).find((m) => m.id === itemId)
      : await index.item(type, itemId);
  if (!item) throw new ConsoleError('CONSOLE_UNKNOWN_ITEM', `no item ${itemId}`);
  return item;
}

/** A file of the extraction: from the backup when the index deferred it, else from the index's own folder. */
async function openItemFile(index: BrowseIndex, reader: BackupReader, path: string): Promise<Readable> {
  const deferred = index.deferred.get(path);
  if (!deferred) return createReadStream(join(index.recordsFolder, path));
  const entry = reader.get(deferred.domain, deferred.relativePath);
  if (!entry) throw new ConsoleError('CONSOLE_UNKNOWN_ITEM', `${path} is no longer in the backup`);
  return reader.openFile(entry);
}

async function sizeOf(index: BrowseIndex, reader: BackupReader, path: string): Promise<number | undefined> {
  const deferred = index.deferred.get(path);
  if (!deferred) return undefined;
  return reader.get(deferred.domain, deferred.relativePath)?.metadata?.size;
}

async function readWhole(stream: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

/** The file, whole or the one `Range: bytes=a-b` asks for (a video seeks this way); the bytes before are skipped. */
async function sendFile(
  request: FastifyRequest,
  reply: FastifyReply,
  index: BrowseIndex,
  reader: BackupReader,
  path: string,
): Promise<FastifyReply> {
  const size = await sizeOf(index, reader, path);
  const range = /^bytes=(\d*)-(\d*)$/.exec(request.headers.range ?? '');
  // A file from the backup is data, not a page of the console: an HTML or SVG attachment someone sent runs no script
  // and reads nothing of the console's origin (CSP sandbox gives it an opaque origin).
  reply
    .header('content-security-policy', `${CONSOLE_CSP}; sandbox`)
    .header('content-type', mimeOf(path))
    .header('accept-ranges', 'bytes')
    .header(
      'content-disposition',
      `inline; filename*=UTF-8''${encodeURIComponent(path.slice(path.lastIndexOf('/') + 1))}`,
    );
  const source = await openItemFile(index, reader, path);
  if (!range || size === undefined || (range[1] === '' && range[2] === '')) {
    if (size !== undefined) reply.header('content-length', size);
    return reply.send(source);
  }
  let start = range[1] === '' ? Math.max(0, size - Number(range[2])) : Number(range[1]);
  const end = range[1] === '' || range[2] === '' ? size - 1 : Math.min(size - 1, Number(range[2]));
  if (start > end || start >= size) {
    source.destroy();
    return reply.code(416).header('content-range', `bytes */${size}`).send();
  }
  start = Math.min(start, end);
  return reply
    .code(206)
    .header('content-range', `bytes ${start}-${end}/${size}`)
    .header('content-length', end - start + 1)
    .send(source.pipe(slice(start, end)));
}

function slice(start: number, end: number): Transform {
  let at = 0;
  return new Transform({
    transform(chunk: Buffer, _encoding, done) {
      const from = Math.max(0, start - at);
      const to = Math.min(chunk.length, end + 1 - at);
      at += chunk.length;
      if (to > from) this.push(chunk.subarray(from, to));
      done();
    },
  });
}
