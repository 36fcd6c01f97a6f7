import { describe, expect, it } from 'vitest';
import { aesKeyUnwrap, aesKeyUnwrapOrNull, aesKeyWrap } from '../../../src/backup/aes-key-wrap.js';

// RFC 3394 §4.6: wrap 256 bits of key data with a 256-bit KEK.
const KEK = Buffer.from('000102030405060708090A0B0C0D0E0F101112131415161718191A1B1C1D1E1F', 'hex');
const KEY = Buffer.from('00112233445566778899AABBCCDDEEFF000102030405060708090A0B0C0D0E0F', 'hex');
const WRAPPED = Buffer.from('28C9F404C4B810F4CBCCB35CFB87F8263F5786E2D80ED326CBC7F0E71A99F43BFB988B9B7A02DD21', 'hex');

describe('RFC 3394 AES key wrap', () => {
  it('wraps the RFC 3394 §4.6 vector to the published ciphertext', () => {
    expect(aesKeyWrap(KEK, KEY).toString('hex')).toBe(WRAPPED.toString('hex'));
  });

  it('unwraps the RFC 3394 §4.6 vector back to the key data', () => {
    expect(aesKeyUnwrap(KEK, WRAPPED).equals(KEY)).toBe(true);
  });

  it('reports an integrity failure (wrong KEK or altered bytes) as null, or BACKUP_KEY_UNWRAP', () => {
    const altered = Buffer.from(WRAPPED);
    altered[10]! ^= 1;
    expect(aesKeyUnwrapOrNull(KEK, altered)).toBeNull();
    expect(aesKeyUnwrapOrNull(Buffer.alloc(32, 7), WRAPPED)).toBeNull();
    expect(() => aesKeyUnwrap(KEK, altered)).toThrow(expect.objectContaining({ code: 'BACKUP_KEY_UNWRAP' }));
  });

  it('refuses malformed lengths with a typed error instead of crashing', () => {
    expect(() => aesKeyUnwrapOrNull(KEK, WRAPPED.subarray(0, 17))).toThrow(
      expect.objectContaining({ code: 'BACKUP_KEY_UNWRAP' }),
    );
    expect(() => aesKeyUnwrapOrNull(KEK.subarray(0, 16), WRAPPED)).toThrow(
      expect.objectContaining({ code: 'BACKUP_KEY_UNWRAP' }),
    );
  });
});
