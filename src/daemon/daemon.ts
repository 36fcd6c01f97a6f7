import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { createLogger } from '../logging.js';
import { PairRecordStore } from '../lockdown/index.js';
import { UsbmuxClient, parseUsbmuxAddress, resolveUsbmuxAddress } from '../usbmux/index.js';
import { loadConfig } from './config.js';
import type { DaemonHandle, DaemonOptions } from './engine-types.js';
import { Engine } from './engine.js';
import { DaemonError } from './errors.js';
import { packageVersion } from '../package-version.js';
import { SqliteJobStore } from './sqlite-job-store.js';
import { defaultStateDir, lockStateDir, prepareStateDir } from './state-dir.js';

export interface StartDaemonOptions extends DaemonOptions {
  /** usbmuxd reconnect backoff (tests shorten it). */
  reconnect?: { initialMs: number; maxMs: number };
  /** Where our copy of pair records lives (default the CLI's: $IOSRESCUE_HOME or ~/.config/iosrescue/pair-records). */
  pairRecordDir?: string;
}

/**
 * Starts the engine: owner-only state folder (one daemon per folder), config checked before anything runs, the
 * SQLite job store (jobs left running by a crash come back interrupted), then the usbmuxd watcher. The HTTP API is
 * mounted on `handle.engine` by src/daemon/http.
 */
export async function startDaemon(options: StartDaemonOptions = {}): Promise<DaemonHandle> {
  const stateDir = resolve(options.stateDir ?? defaultStateDir());
  await prepareStateDir(stateDir);
  const configPath =
    options.configPath ?? (existsSync(join(stateDir, 'config.json')) ? join(stateDir, 'config.json') : undefined);
  const config = await loadConfig(configPath, stateDir);
  const logger = (options.logger ?? createLogger({ name: 'iosrescue-daemon' })).child({ component: 'daemon' });
  const release = lockStateDir(stateDir);
  const address = options.usbmuxdAddress ? parseUsbmuxAddress(options.usbmuxdAddress) : resolveUsbmuxAddress();
  if (!address) throw new DaemonError('DAEMON_BAD_CONFIG', `cannot use the usbmuxd address ${options.usbmuxdAddress}`);
  let store: SqliteJobStore;
  try {
    store = new SqliteJobStore(stateDir);
  } catch (error) {
    release();
    throw new DaemonError(
      'DAEMON_STATE_DIR',
      `cannot open the job database in ${stateDir}: ${(error as Error).message}`,
      {
        cause: error,
      },
    );
  }
  const engine = new Engine({
    version: packageVersion(),
    stateDir,
    config,
    store,
    usbmux: new UsbmuxClient({ address, progName: 'iosrescue-daemon' }),
    logger,
    metrics: options.metrics,
    reconnect: options.reconnect,
    ...(options.pairRecordDir && { pairRecords: new PairRecordStore(options.pairRecordDir) }),
  });
  engine.start();
  logger.info({ stateDir, config: configPath ?? '(defaults)', backupsDir: config.backupsDir }, 'daemon started');

  let resolveClosed!: () => void;
  const closed = new Promise<void>((done) => (resolveClosed = done));
  let closing: Promise<void> | undefined;
  const signals: Array<[NodeJS.Signals, () => void]> = [];
  const close = (): Promise<void> =>
    (closing ??= (async () => {
      for (const [signal, handler] of signals) process.off(signal, handler);
      logger.info('daemon stopping: running jobs end cleanly and will be retried on the next start');
      try {
        await engine.close();
      } finally {
        store.close();
        release();
        logger.info('daemon stopped');
        resolveClosed();
      }
    })());
  const reloadConfig = async (): Promise<void> => {
    const next = await loadConfig(configPath, stateDir);
    engine.reconfigure(next);
    logger.info({ config: configPath ?? '(defaults)' }, 'config reloaded');
  };

  if (options.handleSignals) {
    const drain = (): void => void close();
    const reload = (): void => {
      reloadConfig().catch((error: unknown) =>
        logger.error({ err: (error as Error).message }, 'the new config is not valid: keeping the old one'),
      );
    };
    signals.push(['SIGTERM', drain], ['SIGINT', drain], ['SIGHUP', reload]);
    for (const [signal, handler] of signals) process.on(signal, handler);
  }

  return { engine, stateDir, socketPath: join(stateDir, 'daemon.sock'), reloadConfig, close, closed };
}
