/**
 * One error model for all of iosrescue.
 *
 * - One base class, `IosRescueError`, with a stable `code` (callers branch on it, never on the message), a
 *   `category` (what kind of failure it is, for people and for the two front ends), `details` (structured facts,
 *   never secrets) and the standard `cause`.
 * - One subclass per layer (`WireError`, `UsbmuxError`, `LockdownError`, `DeviceLinkError`, `Mobilebackup2Error`,
 *   `AfcError`, `InstallationProxyError`, `BackupError`, `CarveError`, `ExtractError`, `BackupOperationError`,
 *   `CliError`…). Each layer's `errors.ts` holds its codes as a closed union, and next to it the table that gives
 *   each code its category; the subclass takes its category from that table, so a call site names only the code.
 *   A code whose meaning depends on where it was raised may pass `category` to override the table for that one
 *   error; nothing does today.
 * - Codes the device sends keep Apple's spelling (`PairingDialogResponsePending`, `MB2_DEVICE_105` carries the
 *   phone's number); an Apple string we do not know becomes the layer's fallback code
 *   (`LOCKDOWN_DEVICE_ERROR`, `INSTPROXY_DEVICE_ERROR`) with Apple's string in `details.error`. Codes we raise
 *   carry their layer (`WIRE_FRAME_TOO_LARGE`, `BACKUP_PATH_ESCAPE`).
 * - One table, `CATEGORY_STATUS` below, maps a category to the CLI's exit status and to the daemon's HTTP
 *   status. An error that is not an `IosRescueError` is a bug: exit 1, HTTP 500.
 * - No plain `Error` crosses a layer's public API: what a layer throws is its own subclass (errors from Node that
 *   pass through unchanged keep their errno `code`).
 */
export type ErrorCategory =
  | 'usage'
  | 'not-found'
  | 'device-refused'
  | 'timeout'
  | 'bad-input'
  | 'wrong-password'
  | 'connection-lost'
  | 'no-space'
  | 'interrupted'
  | 'internal';

export interface ErrorOptions {
  cause?: unknown;
  details?: Record<string, unknown>;
  /** Overrides the layer's table for this one error, where the code's meaning depends on context. */
  category?: ErrorCategory;
}

export class IosRescueError extends Error {
  readonly code: string;
  readonly category: ErrorCategory;
  /** Structured facts a caller or a log line may want (never secrets). */
  readonly details: Readonly<Record<string, unknown>>;

  /** Layer subclasses pass their table's category; an error built from the base class alone is `internal`. */
  constructor(code: string, message: string, options: ErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.code = code;
    this.category = options.category ?? 'internal';
    this.details = options.details ?? {};
  }
}

export function isIosRescueError(error: unknown, code?: string): error is IosRescueError {
  return error instanceof IosRescueError && (code === undefined || error.code === code);
}

/** A layer's code → category table; every code of the layer's union must be in it (the compiler checks). */
export type CategoryTable<Code extends string> = { readonly [code in Code]: ErrorCategory };

/** The options a layer subclass hands to the base: the category from the layer's table unless overridden. */
export function withCategory(category: ErrorCategory, options: ErrorOptions): ErrorOptions {
  return { ...options, category: options.category ?? category };
}

/**
 * The one table from category to exit status (CLI) and HTTP status (daemon). The exit statuses are the ones
 * README.md lists (143, terminated by SIGTERM, is a signal, not an error category).
 * - device-refused → 409: the request is fine, the phone's state refuses it (not trusted, locked, denied);
 *   answering 403 would tell a client its own credentials were wrong.
 * - wrong-password → 403: the backup password is a fact about the backup, not the HTTP client's authentication;
 *   401 would ask the client to authenticate to the daemon.
 * - interrupted → 499 (client closed request, nginx's): the run was stopped, by a person or by the phone.
 */
export const CATEGORY_STATUS: {
  readonly [category in ErrorCategory]: { readonly exit: number; readonly http: number };
} = {
  usage: { exit: 2, http: 400 },
  'not-found': { exit: 3, http: 404 },
  'device-refused': { exit: 4, http: 409 },
  timeout: { exit: 5, http: 504 },
  'bad-input': { exit: 6, http: 422 },
  'wrong-password': { exit: 7, http: 403 },
  'connection-lost': { exit: 8, http: 502 },
  'no-space': { exit: 9, http: 507 },
  interrupted: { exit: 130, http: 499 },
  internal: { exit: 1, http: 500 },
};

export const ERROR_CATEGORIES = Object.keys(CATEGORY_STATUS) as ErrorCategory[];

/** The category of anything thrown: a plain Error (or a non-Error) is a bug, `internal`. */
export function categoryOf(error: unknown): ErrorCategory {
  return error instanceof IosRescueError ? error.category : 'internal';
}

export function httpStatusFor(error: unknown): number {
  return CATEGORY_STATUS[categoryOf(error)].http;
}
