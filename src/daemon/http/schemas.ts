import { DEVICE_STATES, JOB_STATES, JOB_TYPES } from '../engine-types.js';

/**
 * The JSON schemas of the API: Fastify validates requests against them (ajv) and serializes replies with them, and
 * @fastify/swagger builds /openapi.json from them, so the document cannot drift from what the routes accept.
 * Views keep `additionalProperties: true`: the engine's views only grow (engine-types.ts), and a field added there
 * reaches clients without a schema change.
 */

const text = { type: 'string' } as const;
const time = { type: 'string', format: 'date-time' } as const;
const count = { type: 'integer', minimum: 0 } as const;
const freeObject = { type: 'object', additionalProperties: true } as const;
/** Passwords: never logged (pino redact), never persisted, never echoed back. */
const password = { type: 'string', minLength: 1, maxLength: 1024, writeOnly: true } as const;

export const errorSchema = {
  $id: 'Error',
  type: 'object',
  description: 'Every error: `code` is stable (branch on it), `message` is for people.',
  required: ['code', 'message'],
  properties: { code: text, message: text, details: freeObject },
} as const;

const jobError = {
  type: 'object',
  required: ['code', 'message', 'category'],
  properties: { code: text, message: text, category: text },
} as const;

const progress = {
  type: 'object',
  additionalProperties: true,
  properties: {
    phase: text,
    message: text,
    bytesDone: count,
    bytesTotal: count,
    files: count,
    percent: { type: 'number' },
    dataType: text,
  },
} as const;

export const deviceSchema = {
  $id: 'Device',
  type: 'object',
  additionalProperties: true,
  required: ['udid', 'name', 'state', 'updatedAt'],
  properties: {
    udid: text,
    name: { type: 'string', nullable: true },
    state: { type: 'string', enum: [...DEVICE_STATES] },
    connectionType: text,
    productType: text,
    iosVersion: text,
    message: text,
    jobId: text,
    progress,
    error: jobError,
    attachedAt: time,
    detachedAt: time,
    lastBackupAt: time,
    backupEncrypted: { type: 'boolean' },
    updatedAt: time,
  },
} as const;

export const jobSchema = {
  $id: 'Job',
  type: 'object',
  additionalProperties: true,
  required: ['id', 'type', 'state', 'origin', 'request', 'attempts', 'createdAt', 'updatedAt'],
  properties: {
    id: text,
    type: { type: 'string', enum: [...JOB_TYPES] },
    state: { type: 'string', enum: [...JOB_STATES] },
    udid: text,
    origin: { type: 'string', enum: ['api', 'policy', 'retry'] },
    request: { ...freeObject, description: 'The request as submitted, without its passwords.' },
    progress,
    error: jobError,
    backupDir: { type: 'string', description: "A finished backup job's folder (<out>/<UDID>)." },
    outDir: { type: 'string', description: "A finished extract job's output folder." },
    result: freeObject,
    attempts: count,
    retryAt: time,
    createdAt: time,
    startedAt: time,
    endedAt: time,
    updatedAt: time,
  },
} as const;

export const backupSchema = {
  $id: 'Backup',
  type: 'object',
  additionalProperties: true,
  required: ['path', 'encrypted', 'complete', 'sizeBytes', 'problems'],
  properties: {
    path: text,
    udid: text,
    deviceName: text,
    productType: text,
    iosVersion: text,
    date: time,
    encrypted: { type: 'boolean' },
    complete: { type: 'boolean' },
    sizeBytes: count,
    jobId: text,
    problems: { type: 'array', items: text },
  },
} as const;

const udid = { type: 'string', minLength: 1, maxLength: 64, pattern: '^[A-Za-z0-9-]+$' } as const;
const folder = { type: 'string', minLength: 1, maxLength: 4096 } as const;

/** `POST /v1/jobs`: one of three shapes, told apart by `type`. */
export const jobRequestSchema = {
  $id: 'JobRequest',
  type: 'object',
  required: ['type'],
  discriminator: { propertyName: 'type' },
  oneOf: [
    {
      type: 'object',
      title: 'BackupJobRequest',
      additionalProperties: false,
      required: ['type', 'udid'],
      properties: {
        type: { type: 'string', enum: ['backup'] },
        udid,
        full: { type: 'boolean', description: 'Ask for a full backup (default: incremental when possible).' },
        out: { ...folder, description: 'Folder that holds <UDID>/ backups (default: the configured one).' },
      },
    },
    {
      type: 'object',
      title: 'ExtractJobRequest',
      additionalProperties: false,
      required: ['type', 'backup'],
      properties: {
        type: { type: 'string', enum: ['extract'] },
        backup: { ...folder, description: 'A backup folder, as a backup job\'s "backupDir" names it.' },
        out: folder,
        types: { type: 'array', maxItems: 64, items: { type: 'string', minLength: 1, maxLength: 64 } },
        password,
      },
    },
    {
      type: 'object',
      title: 'EncryptionJobRequest',
      additionalProperties: false,
      required: ['type', 'udid', 'action'],
      properties: {
        type: { type: 'string', enum: ['encryption'] },
        udid,
        action: { type: 'string', enum: ['on', 'off', 'change'] },
        newPassword: password,
        oldPassword: password,
      },
    },
  ],
} as const;

export const passwordRequestSchema = {
  type: 'object',
  additionalProperties: false,
  minProperties: 1,
  properties: { password, oldPassword: password, newPassword: password },
} as const;

export const jobListQuerySchema = {
  type: 'object',
  additionalProperties: false,
  properties: {
    state: { type: 'string', enum: [...JOB_STATES] },
    type: { type: 'string', enum: [...JOB_TYPES] },
    udid,
    limit: { type: 'integer', minimum: 1, maximum: 500, default: 50 },
    cursor: { type: 'string', maxLength: 200, description: 'nextCursor of the previous page' },
  },
} as const;

export const jobPageSchema = {
  type: 'object',
  required: ['jobs'],
  properties: { jobs: { type: 'array', items: { $ref: 'Job#' } }, nextCursor: text },
} as const;

export const eventSchema = {
  $id: 'Event',
  type: 'object',
  description: 'One SSE message: `id:` is the event id, `event:` its kind, `data:` this object as JSON.',
  required: ['id', 'time', 'kind', 'data'],
  properties: { id: count, time, kind: text, udid: text, jobId: text, data: freeObject },
} as const;

export const SHARED_SCHEMAS = [errorSchema, deviceSchema, jobSchema, backupSchema, jobRequestSchema, eventSchema];

/** The error replies a route may give, for its `response` schema. */
export function errorReplies(...statuses: number[]): Record<number, { $ref: string }> {
  return Object.fromEntries(statuses.map((status) => [status, { $ref: 'Error#' }]));
}
