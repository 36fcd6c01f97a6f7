import type { FastifyInstance } from 'fastify';
import type { DaemonEngine } from '../../engine-types.js';
import { HttpApiError } from '../errors.js';
import { streamEvents } from '../event-stream.js';
import { errorReplies } from '../schemas.js';

interface EventsQuery {
  lastEventId?: number;
  jobId?: string;
  udid?: string;
}

/** A Last-Event-ID header is the id of the last event the client got: digits only. */
function lastEventIdHeader(value: string | string[] | undefined): number | undefined {
  if (value === undefined) return undefined;
  const text = Array.isArray(value) ? value[0]! : value;
  if (!/^\d{1,15}$/.test(text.trim())) {
    throw new HttpApiError('API_VALIDATION', 'Last-Event-ID must be the id of an event (a non-negative integer)');
  }
  return Number(text.trim());
}

export function registerEventRoutes(app: FastifyInstance, engine: DaemonEngine, keepAliveMs: number): void {
  app.get<{ Querystring: EventsQuery }>(
    '/v1/events',
    {
      schema: {
        tags: ['events'],
        summary: 'Server-Sent Events: device and job events as they happen, resumable',
        description:
          'Each message has `id:` (the event id, growing), `event:` (its kind: device.state, job.created, ' +
          'job.state, job.progress, job.hook, daemon.*, usbmuxd.*) and `data:` (the Event as JSON). Events are ' +
          'persisted: reconnect with the `Last-Event-ID` header (or `?lastEventId=`) and every event after it ' +
          'is sent, across daemon restarts too. Without either, the stream starts with new events only. ' +
          'A comment line every 15 s keeps idle connections open.',
        querystring: {
          type: 'object',
          additionalProperties: false,
          properties: {
            lastEventId: { type: 'integer', minimum: 0, description: 'as the Last-Event-ID header' },
            jobId: { type: 'string', maxLength: 64, description: "only this job's events" },
            udid: { type: 'string', maxLength: 64, description: "only this phone's events" },
          },
        },
        response: {
          200: {
            description: 'text/event-stream of Event',
            content: { 'text/event-stream': { schema: { $ref: 'Event#' } } },
          },
          ...errorReplies(400),
        },
      },
    },
    async (request, reply) => {
      const after = lastEventIdHeader(request.headers['last-event-id']) ?? request.query.lastEventId;
      reply.hijack();
      reply.raw.writeHead(200, {
        'content-type': 'text/event-stream; charset=utf-8',
        'cache-control': 'no-store',
        connection: 'keep-alive',
        'x-accel-buffering': 'no',
      });
      // Nagle would hold small events back for tens of milliseconds on TCP.
      request.raw.socket.setNoDelay?.(true);
      const newest = engine.events.lastId();
      streamEvents(engine.events, reply.raw, {
        // An id beyond the newest (from a state folder that was reset) would wait forever for events it already
        // "has": everything after the newest is new to that client too.
        after: Math.min(after ?? newest, newest),
        jobId: request.query.jobId,
        udid: request.query.udid,
        keepAliveMs,
      });
    },
  );
}
