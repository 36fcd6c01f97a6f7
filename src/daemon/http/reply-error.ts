import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { CATEGORY_STATUS, categoryOf, IosRescueError } from '../../errors.js';
import { CONSOLE_STATUS_OVERRIDES } from './console/errors.js';
import { HTTP_API_STATUS_OVERRIDES, HttpApiError, type HttpApiErrorCode } from './errors.js';

/** Fastify's own request errors, mapped to our codes: the reply never shows a framework's internal name. */
const FASTIFY_CODES: Record<string, HttpApiErrorCode> = {
  FST_ERR_VALIDATION: 'API_VALIDATION',
  FST_ERR_CTP_INVALID_JSON_BODY: 'API_BAD_JSON',
  FST_ERR_CTP_EMPTY_JSON_BODY: 'API_BAD_JSON',
  FST_ERR_CTP_INVALID_MEDIA_TYPE: 'API_BAD_JSON',
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: 'API_BAD_JSON',
  FST_ERR_CTP_BODY_TOO_LARGE: 'API_BODY_TOO_LARGE',
};

/** Turns anything a route threw into the typed error the reply carries. */
export function asApiError(error: unknown): IosRescueError {
  if (error instanceof IosRescueError) return error;
  const fastifyError = error as Partial<FastifyError> | undefined;
  const code = fastifyError?.code ? FASTIFY_CODES[fastifyError.code] : undefined;
  if (code) return new HttpApiError(code, fastifyError?.message ?? code);
  // A malformed body the JSON parser met (a SyntaxError with status 400) is the client's fault, not ours.
  if (fastifyError?.statusCode === 400) return new HttpApiError('API_BAD_JSON', fastifyError.message ?? 'bad request');
  return new IosRescueError('UNEXPECTED', error instanceof Error ? error.message : String(error), { cause: error });
}

export function statusOf(error: IosRescueError): number {
  return (
    HTTP_API_STATUS_OVERRIDES[error.code as HttpApiErrorCode] ??
    CONSOLE_STATUS_OVERRIDES[error.code] ??
    CATEGORY_STATUS[categoryOf(error)].http
  );
}

/** Fastify's error handler: `{code, message}` with the category's HTTP status; bugs are logged with their stack. */
export function replyWithError(raw: unknown, request: FastifyRequest, reply: FastifyReply): FastifyReply {
  const error = asApiError(raw);
  const status = statusOf(error);
  if (status >= 500) request.log.error({ err: raw }, 'request failed');
  else request.log.info({ code: error.code, status }, error.message);
  // An internal error's message may name files or values a client has no business seeing.
  const message = error.code === 'UNEXPECTED' ? 'internal error (see the daemon log)' : error.message;
  return reply.code(status).send({ code: error.code, message });
}
