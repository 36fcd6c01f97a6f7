import { ExtractError } from './errors.js';

/**
 * A minimal reader of the protocol buffers wire format (protobuf.dev/programming-guides/encoding): each field is
 * a varint key `(number << 3) | wireType` followed by a varint (0), 8 bytes (1), a varint length and that many
 * bytes (2), or 4 bytes (5). Groups (3, 4) are long deprecated and absent from Notes' data, so they are refused.
 * Nothing here trusts a length: a field that claims more bytes than the buffer holds ends the message with
 * EXTRACT_PROTOBUF_MALFORMED, never an oversized allocation (values are views into the input).
 */

export type WireType = 0 | 1 | 2 | 5;

export interface ProtoField {
  number: number;
  wireType: WireType;
  /** Varints as bigint (uint64 fields and negative int32s, which protobuf writes as 10-byte varints). */
  varint?: bigint;
  /** Length-delimited, fixed32 and fixed64 bodies. */
  bytes?: Buffer;
}

function malformed(message: string, at: number): ExtractError {
  return new ExtractError('EXTRACT_PROTOBUF_MALFORMED', `protobuf: ${message} at byte ${at}`, { details: { at } });
}

/** A base-128 varint at `at` (at most 10 bytes); returns the value and the offset after it. */
export function readVarint(buf: Buffer, at: number): [bigint, number] {
  let value = 0n;
  for (let i = 0; i < 10; i++) {
    if (at + i >= buf.length) throw malformed('varint runs past the end', at);
    const byte = buf[at + i]!;
    value |= BigInt(byte & 0x7f) << BigInt(7 * i);
    if ((byte & 0x80) === 0) return [value & 0xffff_ffff_ffff_ffffn, at + i + 1];
  }
  throw malformed('varint longer than 10 bytes', at);
}

/** Every field of one message, in wire order. */
export function* protoFields(buf: Buffer): Generator<ProtoField> {
  let at = 0;
  while (at < buf.length) {
    const start = at;
    const [key, afterKey] = readVarint(buf, at);
    at = afterKey;
    const number = Number(key >> 3n);
    const wireType = Number(key & 7n);
    if (number === 0) throw malformed('field number 0', start);
    switch (wireType) {
      case 0: {
        const [varint, next] = readVarint(buf, at);
        at = next;
        yield { number, wireType, varint };
        break;
      }
      case 1:
      case 5: {
        const size = wireType === 1 ? 8 : 4;
        if (at + size > buf.length) throw malformed(`fixed${size * 8} runs past the end`, start);
        yield { number, wireType, bytes: buf.subarray(at, at + size) };
        at += size;
        break;
      }
      case 2: {
        const [length, next] = readVarint(buf, at);
        if (length > BigInt(buf.length - next))
          throw malformed(`field ${number} claims ${length} bytes, ${buf.length - next} left`, start);
        at = next + Number(length);
        yield { number, wireType, bytes: buf.subarray(next, at) };
        break;
      }
      default:
        throw malformed(`unsupported wire type ${wireType}`, start);
    }
  }
}

/** One decoded message: fields by number, read on demand with the type the schema gives them. */
export class ProtoMessage {
  private readonly fields = new Map<number, ProtoField[]>();

  constructor(readonly data: Buffer) {
    for (const field of protoFields(data)) {
      const list = this.fields.get(field.number);
      if (list) list.push(field);
      else this.fields.set(field.number, [field]);
    }
  }

  has(number: number): boolean {
    return this.fields.has(number);
  }

  /** Protobuf's rule for a non-repeated field seen twice: the last one wins. */
  private last(number: number): ProtoField | undefined {
    const list = this.fields.get(number);
    return list?.[list.length - 1];
  }

  /** An int32/int64/uint64/bool field, as a JS number (int32 negatives sign-extended to 64 bits come back negative). */
  int(number: number): number | undefined {
    const v = this.last(number)?.varint;
    if (v === undefined) return undefined;
    return Number(BigInt.asIntN(64, v));
  }

  bigint(number: number): bigint | undefined {
    return this.last(number)?.varint;
  }

  bytes(number: number): Buffer | undefined {
    const field = this.last(number);
    return field?.wireType === 2 ? field.bytes : undefined;
  }

  string(number: number): string | undefined {
    return this.bytes(number)?.toString('utf8');
  }

  float(number: number): number | undefined {
    const field = this.last(number);
    return field?.wireType === 5 ? field.bytes!.readFloatLE(0) : undefined;
  }

  message(number: number): ProtoMessage | undefined {
    const bytes = this.bytes(number);
    return bytes === undefined ? undefined : new ProtoMessage(bytes);
  }

  /** Every occurrence of a repeated embedded message. */
  messages(number: number): ProtoMessage[] {
    return (this.fields.get(number) ?? []).filter((f) => f.wireType === 2).map((f) => new ProtoMessage(f.bytes!));
  }

  /** Every occurrence of a repeated string or bytes field. */
  allBytes(number: number): Buffer[] {
    return (this.fields.get(number) ?? []).filter((f) => f.wireType === 2).map((f) => f.bytes!);
  }
}

/**
 * The first length-delimited field numbered `field` at the top level of a message, or null: also null when the
 * blob turns out malformed before such a field (a phone's blobs are not trusted to be well formed).
 */
export function protobufBytes(blob: Buffer, field: number): Buffer | null {
  try {
    for (const f of protoFields(blob)) if (f.number === field && f.wireType === 2) return f.bytes!;
  } catch (error) {
    if (!(error instanceof ExtractError)) throw error;
  }
  return null;
}
