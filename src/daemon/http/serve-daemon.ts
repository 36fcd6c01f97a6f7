import { createLogger } from '../../logging.js';
import { startDaemon, type StartDaemonOptions } from '../daemon.js';
import type { DaemonHandle } from '../engine-types.js';
import { parseListenAddress } from './listen-address.js';
import { startApiServer, type ApiServer } from './server.js';

export interface ServeDaemonOptions extends StartDaemonOptions {
  /** `127.0.0.1:PORT`: also serve the API on loopback TCP (bearer token from <stateDir>/token). */
  listen?: string;
  keepAliveMs?: number;
}

export interface ServedDaemon {
  handle: DaemonHandle;
  api: ApiServer;
  /** Drains the engine (the API keeps answering meanwhile, so clients see the jobs end), then closes the API. */
  close(): Promise<void>;
  /** Resolves when both are closed (after a signal, too). */
  closed: Promise<void>;
}

/**
 * `iosrescue daemon`: the engine (startDaemon) with the HTTP API on its unix socket and, when asked, loopback TCP.
 * SIGTERM/SIGINT drain (running jobs end cleanly and are retried at the next start), SIGHUP reloads the config.
 */
export async function serveDaemon(options: ServeDaemonOptions): Promise<ServedDaemon> {
  // A bad --listen is refused before anything starts.
  if (options.listen !== undefined) parseListenAddress(options.listen);
  const logger = options.logger ?? createLogger({ name: 'iosrescue-daemon' });
  const handle = await startDaemon({ ...options, logger, handleSignals: false });
  let api: ApiServer;
  try {
    api = await startApiServer({
      engine: handle.engine,
      socketPath: handle.socketPath,
      listen: options.listen,
      logger,
      keepAliveMs: options.keepAliveMs,
    });
  } catch (error) {
    await handle.close();
    throw error;
  }
  const signals: Array<[NodeJS.Signals, () => void]> = [];
  let closing: Promise<void> | undefined;
  const close = (): Promise<void> =>
    (closing ??= (async () => {
      for (const [signal, handler] of signals) process.off(signal, handler);
      try {
        await handle.close();
      } finally {
        await api.close();
      }
    })());
  if (options.handleSignals) {
    const reload = (): void => {
      handle
        .reloadConfig()
        .catch((error: unknown) =>
          logger.error({ err: (error as Error).message }, 'the new config is not valid: keeping the old one'),
        );
    };
    signals.push(['SIGTERM', () => void close()], ['SIGINT', () => void close()], ['SIGHUP', reload]);
    for (const [signal, handler] of signals) process.on(signal, handler);
  }
  const closed = handle.closed.then(() => close());
  return { handle, api, close, closed };
}
