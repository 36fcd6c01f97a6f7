import { randomBytes } from 'node:crypto';
import { aesKeyWrap } from './aes-key-wrap.js';
import { Keybag, UnlockedKeybag } from './keybag.js';

export interface KeybagOptions {
  /** PBKDF2-SHA1 rounds (ITER); devices use 10,000. */
  iterations?: number;
  /** PBKDF2-SHA256 rounds (DPIC); devices on iOS ≥ 10.2 use 10,000,000. null makes a pre-10.2 bag (no DPSL/DPIC). */
  dpic?: number | null;
  /** Protection classes to create; default the eleven of the corpus sample bag, in its order (11, 16, 9 … 1). */
  classes?: number[];
}

/**
 * Classes and WRAP values as in the corpus bag (pyiosbackup-synthetic-encrypted/keybag_before_10_2.bin): classes 11,
 * 16, 9 and 5 are marked WRAP 3 (device and password), the rest 2; in a backup bag the password alone unwraps both.
 */
const DEVICE_CLASSES = [11, 16, 9, 8, 7, 6, 5, 4, 3, 2, 1];
const BOTH_WRAPPED = new Set([11, 16, 9, 5]);

function tlv(tag: string, value: Buffer | number): Buffer {
  const body = typeof value === 'number' ? Buffer.alloc(4) : value;
  if (typeof value === 'number') body.writeUInt32BE(value, 0);
  const header = Buffer.alloc(8);
  header.write(tag, 0, 4, 'latin1');
  header.writeUInt32BE(body.length, 4);
  return Buffer.concat([header, body]);
}

/**
 * The encrypting side of §7.1–7.2: a Backup keybag (TYPE 1) with random class keys, each RFC 3394-wrapped by the
 * key derived from `password` exactly as a device derives it (both PBKDF2 steps on iOS ≥ 10.2), so any reader
 * that opens device backups opens these. Returns the TLV bytes and the unlocked keys for writing files.
 */
export async function buildBackupKeybag(
  password: string,
  options: KeybagOptions = {},
): Promise<{ bytes: Buffer; unlocked: UnlockedKeybag }> {
  const iterations = options.iterations ?? 10_000;
  const dpic = options.dpic === undefined ? 10_000_000 : options.dpic;
  const salt = randomBytes(20);
  const dpsl = randomBytes(20);
  const headerParts = [tlv('VERS', 4), tlv('TYPE', 1), tlv('UUID', randomBytes(16))];
  // Derive with the same code the reader uses, from a header-only bag, so the two can never drift apart.
  const derivationOnly = Buffer.concat([
    tlv('SALT', salt),
    tlv('ITER', iterations),
    ...(dpic === null ? [] : [tlv('DPIC', dpic), tlv('DPSL', dpsl)]),
  ]);
  const derivationBag = Keybag.parse(
    Buffer.concat([
      tlv('UUID', Buffer.alloc(16)),
      derivationOnly,
      tlv('UUID', Buffer.alloc(16)),
      tlv('CLAS', 1),
      tlv('WRAP', 2),
      tlv('WPKY', Buffer.alloc(40)),
    ]),
  );
  const passwordKey = await derivationBag.derivePasswordKey(password);
  headerParts.push(
    tlv('HMCK', aesKeyWrap(passwordKey, randomBytes(32))),
    tlv('WRAP', 0),
    tlv('SALT', salt),
    tlv('ITER', iterations),
  );
  if (dpic !== null) headerParts.push(tlv('DPWT', 1), tlv('DPIC', dpic), tlv('DPSL', dpsl));
  const classKeys = new Map<number, Buffer>();
  const classParts: Buffer[] = [];
  for (const protectionClass of options.classes ?? DEVICE_CLASSES) {
    const key = randomBytes(32);
    classKeys.set(protectionClass, key);
    classParts.push(
      tlv('UUID', randomBytes(16)),
      tlv('CLAS', protectionClass),
      tlv('WRAP', BOTH_WRAPPED.has(protectionClass) ? 3 : 2),
      tlv('KTYP', 0),
      tlv('WPKY', aesKeyWrap(passwordKey, key)),
    );
  }
  return {
    bytes: Buffer.concat([...headerParts, ...classParts]),
    unlocked: new UnlockedKeybag(classKeys, passwordKey),
  };
}
