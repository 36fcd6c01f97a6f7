import type { FastifyInstance } from 'fastify';
import type { DaemonEngine } from '../../engine-types.js';
import type { DaemonMetrics } from '../metrics.js';

export function registerServiceRoutes(app: FastifyInstance, engine: DaemonEngine, metrics: DaemonMetrics): void {
  app.get(
    '/v1/health',
    {
      schema: {
        tags: ['daemon'],
        summary: 'Is the daemon up, and which version',
        description: '`lastEventId` lets a client open /v1/events from this moment on before it starts a job.',
        response: {
          200: {
            type: 'object',
            required: ['ok', 'version'],
            properties: {
              ok: { type: 'boolean' },
              version: { type: 'string' },
              lastEventId: { type: 'integer', minimum: 0 },
              usbmuxdConnected: { type: 'boolean' },
            },
          },
        },
      },
    },
    async () => ({
      ok: true,
      version: engine.version,
      lastEventId: engine.events.lastId(),
      usbmuxdConnected: engine.stats().usbmuxdConnected,
    }),
  );

  app.get(
    '/metrics',
    {
      schema: {
        tags: ['daemon'],
        summary:
          'Prometheus metrics (text format): devices by state, jobs by state and outcome, bytes and files received, backup durations',
        response: {
          200: {
            description: 'Prometheus text exposition format',
            content: { 'text/plain': { schema: { type: 'string' } } },
          },
        },
      },
    },
    async (_request, reply) => {
      const { contentType, body } = await metrics.text();
      return reply.type(contentType).send(body);
    },
  );

  app.get('/openapi.json', { schema: { hide: true } }, async () => app.swagger());
}
