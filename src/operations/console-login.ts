import { spawn } from 'node:child_process';
import { accessSync, constants } from 'node:fs';
import { delimiter, join } from 'node:path';
import type { DaemonClient } from './daemon-client.js';

export interface ConsoleLoginLink {
  /** The one-time token (2 minutes, single use). */
  token: string;
  /** `/console/login?token=…` */
  path: string;
  /** `http://127.0.0.1:PORT/console/login?token=…`; absent when the daemon listens on no TCP address (no --listen). */
  url?: string;
  expiresAt: string;
}

/** Asks the daemon (over its unix socket) for a one-time console login link. */
export function requestConsoleLogin(client: DaemonClient): Promise<ConsoleLoginLink> {
  return client.request<ConsoleLoginLink>('POST', '/v1/console/login-links');
}

/** xdg-open when a desktop session is there (DISPLAY or WAYLAND_DISPLAY) and the program is on PATH; else undefined. */
export function browserOpener(env: NodeJS.ProcessEnv = process.env): string | undefined {
  if (!env.DISPLAY && !env.WAYLAND_DISPLAY) return undefined;
  for (const dir of (env.PATH ?? '').split(delimiter)) {
    const candidate = join(dir, 'xdg-open');
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {}
  }
  return undefined;
}

/** Opens `url` in the desktop's browser, detached: the CLI does not wait for the browser. */
export function openInBrowser(opener: string, url: string): void {
  const child = spawn(opener, [url], { detached: true, stdio: 'ignore' });
  child.on('error', () => {});
  child.unref();
}
