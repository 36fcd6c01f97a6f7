import type { FastifyInstance } from 'fastify';
import { DaemonError } from '../../errors.js';
import type { DaemonEngine } from '../../engine-types.js';
import { errorReplies } from '../schemas.js';

export function registerDeviceRoutes(app: FastifyInstance, engine: DaemonEngine): void {
  app.get(
    '/v1/devices',
    {
      schema: {
        tags: ['devices'],
        summary: 'The phones the daemon knows, with their state (detached ones stay listed)',
        response: { 200: { type: 'array', items: { $ref: 'Device#' } } },
      },
    },
    async () => engine.devices(),
  );

  app.get<{ Params: { udid: string } }>(
    '/v1/devices/:udid',
    {
      schema: {
        tags: ['devices'],
        summary: 'One phone',
        params: {
          type: 'object',
          required: ['udid'],
          properties: { udid: { type: 'string', minLength: 1, maxLength: 64 } },
        },
        response: { 200: { $ref: 'Device#' }, ...errorReplies(404) },
      },
    },
    async (request) => {
      const device = engine.device(request.params.udid);
      if (!device) {
        throw new DaemonError('DAEMON_UNKNOWN_DEVICE', `no phone ${request.params.udid} is known to the daemon`, {
          details: { udid: request.params.udid },
        });
      }
      return device;
    },
  );

  app.get(
    '/v1/backups',
    {
      schema: {
        tags: ['backups'],
        summary: 'The backups the daemon knows (its backups folder and any folder a job wrote to), with a summary',
        response: { 200: { type: 'array', items: { $ref: 'Backup#' } } },
      },
    },
    async () => engine.backups(),
  );
}
