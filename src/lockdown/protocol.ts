/**
 * lockdownd's request/reply rules and the pair record, as pure functions (no sockets); shared by our client and
 * the virtual iPhone. Facts: libimobiledevice/libimobiledevice src/lockdown.c, common/userpref.c
 * (native-notes/protocols/lockdownd.md "Framing and replies", "Pair record storage").
 */
import { isPlistDict, type PlistDict, type PlistValue } from '../plist/index.js';
import { LockdownError, lockdownErrorCode } from './errors.js';

export const LOCKDOWN_SERVICE_TYPE = 'com.apple.mobile.lockdown';
export const PAIRING_PROTOCOL_VERSION = '2';

/** Messages a person can act on, for the device errors people meet. */
const DEVICE_ERROR_HINTS: Record<string, string> = {
  PairingDialogResponsePending: 'the phone is showing "Trust This Computer?": unlock it and tap Trust',
  UserDeniedPairing: 'the phone\'s owner tapped "Don\'t Trust"; unplug and replug the phone to be asked again',
  PasswordProtected: 'the phone is locked with a passcode: unlock it, then try again',
  InvalidHostID: 'the phone does not know this computer (it was reset or unpaired): pair again',
  InvalidPairRecord: 'the phone refused the pair record: unpair and pair again',
  SessionInactive: 'no lockdown session is active',
  InvalidService: 'the phone does not offer this service',
  MissingValue: 'the phone has no such value',
  EscrowLocked: 'the phone must be unlocked once since it was restarted',
  PairingProhibitedOverThisConnection: 'pairing is not allowed over this connection (use USB)',
  MCChallengeRequired: 'the phone is supervised and needs a supervision challenge to pair',
  UserDeniedPairingTemp: 'pairing was denied',
};

export function describeLockdownError(code: string): string {
  return DEVICE_ERROR_HINTS[code] ?? `the phone answered ${code}`;
}

export function buildLockdownRequest(label: string, request: string, extra: PlistDict = {}): PlistDict {
  return { Label: label, Request: request, ...extra };
}

/**
 * Checks a reply as libimobiledevice does: it must be a dict echoing `Request` (QueryType is exempt), and it
 * fails when it carries `Error` or `Result: "Failure"`.
 */
export function checkLockdownReply(request: string, reply: PlistValue): PlistDict {
  if (!isPlistDict(reply))
    throw new LockdownError('LOCKDOWN_BAD_REPLY', `lockdownd answered ${request} with a non-dict`);
  if (typeof reply.Error === 'string') {
    throw new LockdownError(
      lockdownErrorCode(reply.Error),
      `${request} failed: ${describeLockdownError(reply.Error)}`,
      {
        details: { request, error: reply.Error },
      },
    );
  }
  if (request !== 'QueryType' && reply.Request !== request) {
    throw new LockdownError(
      'LOCKDOWN_BAD_REPLY',
      `lockdownd answered ${request} with a reply to ${String(reply.Request)}`,
    );
  }
  if (reply.Result === 'Failure') throw new LockdownError('LOCKDOWN_FAILURE', `${request} failed`);
  return reply;
}

/** A pair record as libimobiledevice 1.3.0 stores it through usbmuxd (certificates and keys as PEM bytes). */
export interface PairRecord {
  HostID: string;
  SystemBUID: string;
  DeviceCertificate: Buffer;
  HostCertificate: Buffer;
  HostPrivateKey: Buffer;
  RootCertificate: Buffer;
  RootPrivateKey: Buffer;
  /** From the Pair reply; mobilebackup2 needs it to back up a locked phone. */
  EscrowBag?: Buffer;
  WiFiMACAddress?: string;
  /** Keys we do not know are kept as they are. */
  [other: string]: PlistValue | undefined;
}

const REQUIRED_DATA_KEYS = [
  'DeviceCertificate',
  'HostCertificate',
  'HostPrivateKey',
  'RootCertificate',
  'RootPrivateKey',
];

/** Checks a decoded record has what a TLS session needs; a record without HostID is unusable (INVALID_CONF). */
export function pairRecordFromPlist(value: PlistValue): PairRecord {
  if (!isPlistDict(value)) throw new LockdownError('LOCKDOWN_BAD_PAIR_RECORD', 'the pair record is not a dict');
  if (typeof value.HostID !== 'string' || value.HostID.length === 0) {
    throw new LockdownError('LOCKDOWN_BAD_PAIR_RECORD', 'the pair record has no HostID');
  }
  for (const key of REQUIRED_DATA_KEYS) {
    if (!Buffer.isBuffer(value[key]))
      throw new LockdownError('LOCKDOWN_BAD_PAIR_RECORD', `the pair record has no ${key}`);
  }
  if (typeof value.SystemBUID !== 'string') {
    throw new LockdownError('LOCKDOWN_BAD_PAIR_RECORD', 'the pair record has no SystemBUID');
  }
  return value as unknown as PairRecord;
}

export function pairRecordToPlist(record: PairRecord): PlistDict {
  const out: PlistDict = {};
  for (const [key, value] of Object.entries(record)) if (value !== undefined) out[key] = value;
  return out;
}

/** What goes to the device in Pair/ValidatePair/Unpair: the record without its private keys. */
export function publicPairRecord(record: PairRecord): PlistDict {
  const { HostPrivateKey: _h, RootPrivateKey: _r, ...rest } = pairRecordToPlist(record);
  return rest;
}
