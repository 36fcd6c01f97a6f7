import { IosRescueError, withCategory, type CategoryTable, type ErrorOptions } from '../../errors.js';

/**
 * installation_proxy failures. INSTPROXY_BAD_REPLY: a reply that is not a dict; INSTPROXY_DEVICE_ERROR: the phone
 * answered with an `Error` (Apple's string in details.error, its ErrorDescription in details.description). Apple's
 * strings are not a set we know, so they are details, not codes.
 */
export const INSTPROXY_ERROR_CATEGORIES = {
  INSTPROXY_BAD_REPLY: 'internal',
  INSTPROXY_DEVICE_ERROR: 'internal',
} as const satisfies CategoryTable<string>;

export type InstallationProxyErrorCode = keyof typeof INSTPROXY_ERROR_CATEGORIES;

export class InstallationProxyError extends IosRescueError {
  declare readonly code: InstallationProxyErrorCode;

  constructor(code: InstallationProxyErrorCode, message: string, options: ErrorOptions = {}) {
    super(code, message, withCategory(INSTPROXY_ERROR_CATEGORIES[code], options));
  }
}
