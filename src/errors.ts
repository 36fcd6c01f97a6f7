/**
 * One base class for every error iosrescue raises. Callers branch on `code`, never on the message:
 * codes the device sends keep Apple's spelling (`PairingDialogResponsePending`), codes we raise carry
 * their layer (`WIRE_FRAME_TOO_LARGE`, `BACKUP_PATH_ESCAPE`).
 */
export class IosRescueError extends Error {
  readonly code: string;
  /** Structured facts a caller or a log line may want (never secrets). */
  readonly details: Readonly<Record<string, unknown>>;

  constructor(code: string, message: string, options: { cause?: unknown; details?: Record<string, unknown> } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.code = code;
    this.details = options.details ?? {};
  }
}

export function isIosRescueError(error: unknown, code?: string): error is IosRescueError {
  return error instanceof IosRescueError && (code === undefined || error.code === code);
}
