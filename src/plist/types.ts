/**
 * The plist value model. Every plist type has exactly one JavaScript shape, so that decode → encode
 * gives back the same plist:
 * - integer: `number` when it is a safe integer, `bigint` otherwise (64-bit signed, and unsigned up to 2^64-1,
 *   which binary plists store as 16-byte integers)
 * - real: `Real` (a plain JS number that is not an integer is also encoded as a real). Reals decode to `Real`
 *   always, because the device rejects `2` where it wants `2.0` (mobilebackup2 ProtocolVersion, Hello versions).
 * - string: `string`; data: `Buffer`; date: `Date`; bool: `boolean`; UID (binary only, NSKeyedArchiver): `Uid`
 * - array: `PlistValue[]`; dict: `PlistDict` (a plain object with string keys, insertion order kept)
 */
export class Real {
  constructor(readonly value: number) {}
  valueOf(): number {
    return this.value;
  }
  toJSON(): number {
    return this.value;
  }
}

export class Uid {
  constructor(readonly value: number) {}
  toJSON(): { UID: number } {
    return { UID: this.value };
  }
}

export type PlistValue = string | number | bigint | boolean | Date | Buffer | Real | Uid | PlistValue[] | PlistDict;

export interface PlistDict {
  [key: string]: PlistValue;
}

export function isPlistDict(value: unknown): value is PlistDict {
  return (
    typeof value === 'object' &&
    value !== null &&
    !Array.isArray(value) &&
    !Buffer.isBuffer(value) &&
    !(value instanceof Date) &&
    !(value instanceof Real) &&
    !(value instanceof Uid)
  );
}

/** A number from a plist integer or real, whatever shape it decoded to; undefined when it is not numeric. */
export function plistNumber(value: PlistValue | undefined): number | undefined {
  if (typeof value === 'number') return value;
  if (typeof value === 'bigint') return Number(value);
  if (value instanceof Real) return value.value;
  return undefined;
}
