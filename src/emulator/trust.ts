import { EmulatorError } from './errors.js';

/**
 * What the virtual iPhone answers to `Pair`, i.e. what its owner does with the "Trust This Computer?" dialog:
 * - accept: Trust is tapped at once;
 * - deny: "Don't Trust" (`UserDeniedPairing`);
 * - pending: the dialog stays up (`PairingDialogResponsePending`) until `seconds` after the first Pair attempt,
 *   then Trust is tapped (the retry loop of a pairing client is what this tests);
 * - locked: the phone is locked with a passcode (`PasswordProtected` for Pair, and for StartService without the
 *   pair record's EscrowBag).
 */
export type TrustMode =
  | { kind: 'accept' }
  | { kind: 'deny' }
  | { kind: 'pending'; seconds: number }
  | { kind: 'locked' };

export function parseTrustMode(text: string): TrustMode {
  const trimmed = text.trim();
  if (trimmed === 'accept' || trimmed === 'deny' || trimmed === 'locked') return { kind: trimmed };
  const pending = /^pending:(\d+(?:\.\d+)?)$/.exec(trimmed);
  if (pending) {
    const seconds = Number(pending[1]);
    if (seconds <= 24 * 3600) return { kind: 'pending', seconds };
  }
  throw new EmulatorError(
    'EMULATOR_BAD_OPTION',
    `unknown trust mode "${text}": use accept, deny, pending:SECONDS or locked`,
  );
}

export function formatTrustMode(mode: TrustMode): string {
  return mode.kind === 'pending' ? `pending:${mode.seconds}` : mode.kind;
}

/** The Trust dialog as a small state machine: the pending clock starts at the first Pair attempt. */
export class TrustDialog {
  private firstAttemptAt: number | undefined;

  constructor(private mode: TrustMode = { kind: 'accept' }) {}

  get current(): TrustMode {
    return this.mode;
  }

  set(mode: TrustMode): void {
    this.mode = mode;
    this.firstAttemptAt = undefined;
  }

  /** The lockdownd Error a Pair request gets now, or undefined when the host is trusted. */
  answerPair(now = Date.now()): 'UserDeniedPairing' | 'PairingDialogResponsePending' | 'PasswordProtected' | undefined {
    switch (this.mode.kind) {
      case 'accept':
        return undefined;
      case 'deny':
        return 'UserDeniedPairing';
      case 'locked':
        return 'PasswordProtected';
      case 'pending': {
        this.firstAttemptAt ??= now;
        return now - this.firstAttemptAt >= this.mode.seconds * 1000 ? undefined : 'PairingDialogResponsePending';
      }
    }
  }

  get locked(): boolean {
    return this.mode.kind === 'locked';
  }
}
