import { describe, expect, it } from 'vitest';
import { TrustDialog, formatTrustMode, parseTrustMode } from '../../../src/emulator/trust.js';

describe('trust modes', () => {
  it('parses the four modes and refuses anything else', () => {
    expect(parseTrustMode('accept')).toEqual({ kind: 'accept' });
    expect(parseTrustMode('deny')).toEqual({ kind: 'deny' });
    expect(parseTrustMode('locked')).toEqual({ kind: 'locked' });
    expect(parseTrustMode('pending:2.5')).toEqual({ kind: 'pending', seconds: 2.5 });
    expect(formatTrustMode(parseTrustMode('pending:7'))).toBe('pending:7');
    for (const bad of ['', 'yes', 'pending', 'pending:-1', 'pending:abc', 'pending:999999']) {
      expect(() => parseTrustMode(bad)).toThrow(expect.objectContaining({ code: 'EMULATOR_BAD_OPTION' }));
    }
  });

  it('keeps the dialog pending until the given time after the first Pair attempt, then trusts', () => {
    const dialog = new TrustDialog({ kind: 'pending', seconds: 10 });
    expect(dialog.answerPair(1_000)).toBe('PairingDialogResponsePending');
    expect(dialog.answerPair(10_999)).toBe('PairingDialogResponsePending');
    expect(dialog.answerPair(11_000)).toBeUndefined();
  });

  it('restarts the pending clock when the mode is set again', () => {
    const dialog = new TrustDialog({ kind: 'pending', seconds: 1 });
    expect(dialog.answerPair(0)).toBe('PairingDialogResponsePending');
    dialog.set({ kind: 'pending', seconds: 1 });
    expect(dialog.answerPair(5_000)).toBe('PairingDialogResponsePending');
  });

  it('answers Pair as the owner would in each mode', () => {
    expect(new TrustDialog().answerPair()).toBeUndefined();
    expect(new TrustDialog({ kind: 'deny' }).answerPair()).toBe('UserDeniedPairing');
    const locked = new TrustDialog({ kind: 'locked' });
    expect(locked.answerPair()).toBe('PasswordProtected');
    expect(locked.locked).toBe(true);
  });
});
