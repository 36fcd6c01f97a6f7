import type { FastifyInstance } from 'fastify';
import { DaemonError } from '../../errors.js';
import type { DaemonEngine, JobListQuery, JobRequest } from '../../engine-types.js';
import { errorReplies, jobListQuerySchema, jobPageSchema, passwordRequestSchema } from '../schemas.js';

const jobIdParams = {
  type: 'object',
  required: ['id'],
  properties: { id: { type: 'string', minLength: 1, maxLength: 64 } },
} as const;

function unknownJob(id: string): DaemonError {
  return new DaemonError('DAEMON_UNKNOWN_JOB', `no job ${id}`, { details: { id } });
}

export function registerJobRoutes(app: FastifyInstance, engine: DaemonEngine): void {
  app.post<{ Body: JobRequest }>(
    '/v1/jobs',
    {
      schema: {
        tags: ['jobs'],
        summary: 'Start a backup, an extraction or an encryption change',
        description:
          'Queues the job and answers 201 with it. A backup of a phone that already has one queued or running ' +
          'answers that job (201 with its id): two requests never make two backups of one phone fight.',
        body: { $ref: 'JobRequest#' },
        response: { 201: { $ref: 'Job#' }, ...errorReplies(400, 404, 409, 499) },
      },
    },
    async (request, reply) => {
      // The request as given, for the log: app.ts's redact paths replace its passwords.
      request.log.info({ job: request.body }, 'job requested');
      return reply.code(201).send(engine.submitJob(request.body, 'api'));
    },
  );

  app.get<{ Querystring: JobListQuery }>(
    '/v1/jobs',
    {
      schema: {
        tags: ['jobs'],
        summary: 'List jobs, newest first (filter by state, type, udid; page with limit and cursor)',
        querystring: jobListQuerySchema,
        response: { 200: jobPageSchema, ...errorReplies(400) },
      },
    },
    async (request) => engine.listJobs(request.query),
  );

  app.get<{ Params: { id: string } }>(
    '/v1/jobs/:id',
    {
      schema: {
        tags: ['jobs'],
        summary: 'One job: state, progress, error, and for a finished backup its backupDir',
        params: jobIdParams,
        response: { 200: { $ref: 'Job#' }, ...errorReplies(404) },
      },
    },
    async (request) => {
      const job = engine.getJob(request.params.id);
      if (!job) throw unknownJob(request.params.id);
      return job;
    },
  );

  app.get<{ Params: { id: string }; Querystring: { after?: number; limit?: number } }>(
    '/v1/jobs/:id/events',
    {
      schema: {
        tags: ['jobs'],
        summary: "A job's log: its persisted events (state changes, progress, waiting, outcome), oldest first",
        description: 'Page with `after` (the last event id seen) and `limit`; the same events the SSE stream carries.',
        params: jobIdParams,
        querystring: {
          type: 'object',
          additionalProperties: false,
          properties: {
            after: { type: 'integer', minimum: 0 },
            limit: { type: 'integer', minimum: 1, maximum: 1000 },
          },
        },
        response: { 200: { type: 'array', items: { $ref: 'Event#' } }, ...errorReplies(400, 404) },
      },
    },
    async (request) => engine.jobEvents(request.params.id, request.query.after ?? 0, request.query.limit ?? 500),
  );

  app.post<{ Params: { id: string } }>(
    '/v1/jobs/:id/cancel',
    {
      schema: {
        tags: ['jobs'],
        summary: 'Cancel a job (a running backup stops cleanly; the previous backup stays intact)',
        description: 'A job that already ended is answered as it is.',
        params: jobIdParams,
        response: { 200: { $ref: 'Job#' }, ...errorReplies(404) },
      },
    },
    async (request) => engine.cancelJob(request.params.id),
  );

  app.post<{ Params: { id: string }; Body: { password?: string; oldPassword?: string; newPassword?: string } }>(
    '/v1/jobs/:id/password',
    {
      schema: {
        tags: ['jobs'],
        summary: 'Give a needs-password job its password again (held in memory for the job only)',
        params: jobIdParams,
        body: passwordRequestSchema,
        response: { 200: { $ref: 'Job#' }, ...errorReplies(400, 404, 409) },
      },
    },
    async (request) => engine.providePassword(request.params.id, request.body),
  );
}
