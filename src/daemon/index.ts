/** The daemon layer's public entry: what the CLI's `daemon` command and the library use. */
export { startDaemon, type StartDaemonOptions } from './daemon.js';
export { defaultStateDir } from './state-dir.js';
export { DaemonError, type DaemonErrorCode } from './errors.js';
export type * from './engine-types.js';
export {
  HttpApiError,
  parseListenAddress,
  serveDaemon,
  startApiServer,
  type ApiServer,
  type ServeDaemonOptions,
  type ServedDaemon,
} from './http/index.js';
