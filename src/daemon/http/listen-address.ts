import { isIP } from 'node:net';
import { HttpApiError } from './errors.js';

export interface LoopbackAddress {
  host: string;
  port: number;
}

/**
 * Parses `--listen HOST:PORT` and refuses anything but loopback: the API starts backups of phones and takes backup
 * passwords, so it never listens where another machine could reach it (a token alone is not meant to carry that).
 * Accepted: 127.x.y.z and [::1]; `localhost` is refused because a resolver may map it elsewhere.
 */
export function parseListenAddress(text: string): LoopbackAddress {
  const match = /^(?:\[([^\]]+)\]|([^:]+)):(\d{1,5})$/.exec(text.trim());
  if (!match) throw new HttpApiError('API_LISTEN_REFUSED', `--listen wants 127.0.0.1:PORT, not "${text}"`);
  const host = match[1] ?? match[2]!;
  const port = Number(match[3]);
  if (port > 65535) throw new HttpApiError('API_LISTEN_REFUSED', `--listen: port ${port} is beyond 65535`);
  const loopback = (isIP(host) === 4 && host.startsWith('127.')) || (isIP(host) === 6 && host === '::1');
  if (!loopback) {
    throw new HttpApiError(
      'API_LISTEN_REFUSED',
      `--listen ${text}: the API listens on loopback only (127.0.0.1 or [::1]); reach it from elsewhere through an SSH tunnel`,
      { details: { host } },
    );
  }
  return { host, port };
}
