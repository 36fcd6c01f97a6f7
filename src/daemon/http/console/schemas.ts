import { errorReplies } from '../schemas.js';

/** The console's route schemas: they validate the requests and appear in the OpenAPI document (tag "console"). */
export interface PageQuery {
  offset?: number;
  limit?: number;
  q?: string;
  deleted?: number | boolean;
  since?: string;
  until?: string;
}

const tags = ['console'];
const security = [{ consoleSession: [] }];
const text = { type: 'string' } as const;
const nullableText = { type: 'string', nullable: true } as const;
const backupId = { type: 'string', pattern: '^[0-9a-f]{16}$' } as const;
const idParams = { type: 'object', required: ['id'], properties: { id: backupId } } as const;
const counts = {
  type: 'object',
  nullable: true,
  additionalProperties: {
    type: 'object',
    properties: { records: { type: 'integer' }, deleted: { type: 'integer' }, recovered: { type: 'integer' } },
  },
} as const;
const consoleBackup = {
  type: 'object',
  required: ['id', 'path', 'encrypted', 'unlocked'],
  properties: {
    id: text,
    path: text,
    udid: nullableText,
    deviceName: nullableText,
    date: nullableText,
    bytes: { type: 'integer' },
    encrypted: { type: 'boolean' },
    unlocked: { type: 'boolean' },
    counts,
  },
} as const;
const pageQuery = {
  type: 'object',
  additionalProperties: false,
  properties: {
    offset: { type: 'integer', minimum: 0, default: 0 },
    limit: { type: 'integer', minimum: 1, maximum: 1000, default: 100 },
    q: { type: 'string', maxLength: 500 },
    deleted: { type: 'integer', enum: [0, 1] },
    since: { type: 'string', format: 'date-time' },
    until: { type: 'string', format: 'date-time' },
  },
} as const;
const page = (item: object) => ({
  type: 'object',
  required: ['total', 'items'],
  properties: { total: { type: 'integer' }, items: { type: 'array', items: item } },
});
const origin = { type: 'string', enum: ['live', 'recently-deleted', 'recovered'] } as const;
const item = {
  type: 'object',
  required: ['id', 'title', 'deleted', 'origin', 'fields'],
  properties: {
    id: text,
    title: text,
    subtitle: nullableText,
    date: nullableText,
    dateSuspect: { type: 'boolean' },
    deleted: { type: 'boolean' },
    origin,
    thumb: text,
    media: text,
    fields: { type: 'object', additionalProperties: true },
  },
} as const;

export const sessionRoute = {
  tags,
  security,
  summary: "The console session's CSRF token (send it as X-CSRF-Token on every non-GET request) and the version",
  response: {
    200: { type: 'object', required: ['csrfToken', 'version'], properties: { csrfToken: text, version: text } },
    ...errorReplies(401),
  },
};

export const backupListRoute = {
  tags,
  security,
  summary: "Backups to browse: the daemon's and added folders; counts per type once the backup was indexed",
  response: { 200: { type: 'array', items: consoleBackup }, ...errorReplies(401) },
};

export const addBackupRoute = {
  tags,
  security,
  summary: 'Add a folder that is (or holds) a backup; answers the backups found in it',
  body: {
    type: 'object',
    additionalProperties: false,
    required: ['path'],
    properties: { path: { type: 'string', minLength: 1, maxLength: 4096 } },
  },
  response: { 201: { type: 'array', items: consoleBackup }, ...errorReplies(400, 401, 403) },
};

export const unlockRoute = {
  tags,
  security,
  summary: 'Unlock an encrypted backup for this session (the password is used once, never stored or logged)',
  params: idParams,
  body: {
    type: 'object',
    additionalProperties: false,
    required: ['password'],
    properties: { password: { type: 'string', minLength: 1, maxLength: 1024, writeOnly: true } },
  },
  response: { 204: { type: 'null' }, ...errorReplies(400, 401, 403, 404) },
};

export const typesRoute = {
  tags,
  security,
  summary: "The backup's data types with their counts (the first call builds the backup's browse index)",
  params: idParams,
  response: {
    200: {
      type: 'array',
      items: {
        type: 'object',
        properties: {
          type: text,
          records: { type: 'integer' },
          deleted: { type: 'integer' },
          recovered: { type: 'integer' },
          status: { type: 'string', enum: ['ok', 'missing', 'failed'] },
        },
      },
    },
    ...errorReplies(401, 403, 404),
  },
};

export const albumsRoute = {
  tags,
  security,
  summary: "The backup's Photos albums (photos/albums.json): id (stable), title, photo count, recentlyDeleted",
  params: idParams,
  response: {
    200: {
      type: 'array',
      items: {
        type: 'object',
        required: ['id', 'title', 'count'],
        properties: { id: text, title: text, count: { type: 'integer' }, recentlyDeleted: { type: 'boolean' } },
      },
    },
    ...errorReplies(401, 403, 404),
  },
};

export const itemsRoute = {
  tags,
  security,
  summary: "A page of one type's items: search (q), deleted only (deleted=1), date range (since, until)",
  params: {
    type: 'object',
    required: ['id', 'type'],
    properties: { id: backupId, type: { type: 'string', pattern: '^[a-z-]{1,32}$' } },
  },
  querystring: pageQuery,
  response: { 200: page(item), ...errorReplies(400, 401, 403, 404) },
};

export const conversationsRoute = {
  tags,
  security,
  summary: 'A page of message conversations (q searches names; deleted=1: those holding deleted messages)',
  params: idParams,
  querystring: pageQuery,
  response: {
    200: page({
      type: 'object',
      properties: {
        id: text,
        title: text,
        participants: { type: 'array', items: text },
        lastDate: nullableText,
        messageCount: { type: 'integer' },
        deletedCount: { type: 'integer' },
      },
    }),
    ...errorReplies(400, 401, 403, 404),
  },
};

export const messagesRoute = {
  tags,
  security,
  summary: "A page of one conversation's messages, oldest first",
  params: {
    type: 'object',
    required: ['id', 'cid'],
    properties: { id: backupId, cid: { type: 'string', pattern: '^c[0-9]{1,9}$' } },
  },
  querystring: pageQuery,
  response: {
    200: page({
      type: 'object',
      properties: {
        id: text,
        date: nullableText,
        fromMe: { type: 'boolean' },
        sender: nullableText,
        text: nullableText,
        deleted: { type: 'boolean' },
        origin,
        attachments: {
          type: 'array',
          items: { type: 'object', properties: { name: text, url: text, mime: text } },
        },
      },
    }),
    ...errorReplies(400, 401, 403, 404),
  },
};

const itemParams = {
  type: 'object',
  required: ['id', 'itemId'],
  properties: { id: backupId, itemId: { type: 'string', pattern: '^[a-z-]+\\.[\\w-]+\\.[0-9]+$' } },
} as const;

export const thumbRoute = {
  tags,
  security,
  summary: "An item's thumbnail (made once, then kept in the state folder)",
  params: itemParams,
  response: { ...errorReplies(401, 403, 404) },
};

export const fileRoute = {
  tags,
  security,
  summary: "An item's file as the extraction names it, streamed from the backup (Range supported); file=N: its Nth",
  params: itemParams,
  querystring: {
    type: 'object',
    additionalProperties: false,
    properties: { file: { type: 'integer', minimum: 0 } },
  },
  response: { ...errorReplies(401, 403, 404) },
};

export const saveRoute = {
  tags,
  security,
  summary:
    'Save the selected items as `iosrescue extract` writes them: to a folder (201 {jobId}) or as a zip (out null)',
  params: idParams,
  body: {
    type: 'object',
    additionalProperties: false,
    required: ['out', 'selection'],
    properties: {
      out: { type: 'string', nullable: true, minLength: 1, maxLength: 4096 },
      selection: {
        type: 'object',
        additionalProperties: false,
        properties: {
          items: { type: 'object', additionalProperties: { type: 'array', items: text, maxItems: 100000 } },
          conversations: { type: 'array', items: text, maxItems: 100000 },
          allDeleted: { type: 'array', items: text, maxItems: 64 },
          albums: { type: 'array', items: { type: 'string', pattern: '^a[0-9]{1,12}$' }, maxItems: 10000 },
        },
      },
    },
  },
  response: {
    201: { type: 'object', required: ['jobId'], properties: { jobId: text } },
    ...errorReplies(400, 401, 403, 404),
  },
};

export const saveStatusRoute = {
  tags,
  security,
  summary: 'A folder save: running, succeeded or failed, with files done of total',
  params: { type: 'object', required: ['jobId'], properties: { jobId: text } },
  response: {
    200: {
      type: 'object',
      properties: {
        id: text,
        state: { type: 'string', enum: ['running', 'succeeded', 'failed'] },
        out: text,
        done: { type: 'integer' },
        total: { type: 'integer' },
        error: { type: 'object', properties: { code: text, message: text } },
      },
    },
    ...errorReplies(401, 404),
  },
};

export const loginLinkRoute = {
  tags,
  summary: 'A one-time console login link (2 minutes, single use); unix socket or bearer token only',
  response: {
    201: {
      type: 'object',
      required: ['token', 'path', 'expiresAt'],
      properties: { token: text, path: text, url: text, expiresAt: text },
    },
  },
};
