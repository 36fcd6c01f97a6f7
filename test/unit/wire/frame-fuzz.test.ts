import { describe, expect, it } from 'vitest';
import { PlistError } from '../../../src/plist/index.js';
import { UsbmuxError } from '../../../src/usbmux/errors.js';
import {
  MAX_USBMUX_PACKET,
  USBMUX_HEADER_SIZE,
  decodePlistPayload,
  decodeUsbmuxHeader,
  encodePlistPacket,
} from '../../../src/usbmux/protocol.js';
import { WireError } from '../../../src/wire/errors.js';
import { encodePlistFrame, readPlistFrame } from '../../../src/wire/plist-frame.js';
import { SocketReader } from '../../../src/wire/socket-reader.js';
import { socketPair } from '../../helpers/socket-pair.js';

function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = Math.imul(a ^ (a >>> 15), a | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
const SEED = Number(process.env.FUZZ_SEED ?? 7);

describe('frame decoders under hostile input', () => {
  it('usbmuxd header decoding accepts only sane lengths and never throws anything but UsbmuxError', () => {
    const random = prng(SEED);
    for (let i = 0; i < 20_000; i++) {
      const header = Buffer.alloc(USBMUX_HEADER_SIZE);
      for (let j = 0; j < header.length; j++) header[j] = Math.floor(random() * 256);
      if (i % 3 === 0) header.writeUInt32LE(Math.floor(random() * 64), 0);
      try {
        const decoded = decodeUsbmuxHeader(header.subarray(0, i % 50 === 0 ? 8 : 16));
        expect(decoded.length).toBeGreaterThanOrEqual(USBMUX_HEADER_SIZE);
        expect(decoded.length).toBeLessThanOrEqual(MAX_USBMUX_PACKET);
      } catch (error) {
        expect(error).toBeInstanceOf(UsbmuxError);
      }
    }
  });

  it('usbmuxd payload decoding of mutated packets yields a dict or a typed error', () => {
    const random = prng(SEED + 1);
    const packet = encodePlistPacket({ MessageType: 'Connect', DeviceID: 3, PortNumber: 32498 }, 1);
    for (let i = 0; i < 5_000; i++) {
      const body = Buffer.from(packet.subarray(USBMUX_HEADER_SIZE));
      for (let k = 0; k < 4; k++) body[Math.floor(random() * body.length)] = Math.floor(random() * 256);
      try {
        const message = decodePlistPayload(body.subarray(0, Math.floor(random() * body.length) + 1));
        expect(typeof message).toBe('object');
      } catch (error) {
        expect(error instanceof UsbmuxError || error instanceof PlistError).toBe(true);
      }
    }
  });

  it('a length-prefixed frame claiming gigabytes is refused at once, before its body is awaited', async () => {
    const { client, server, close } = await socketPair();
    try {
      const reader = new SocketReader(server);
      const header = Buffer.alloc(4);
      header.writeUInt32BE(0xfffffff0);
      client.write(header);
      const started = Date.now();
      const error = await readPlistFrame(reader, { timeoutMs: 5_000 }).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(WireError);
      expect((error as WireError).code).toBe('WIRE_FRAME_TOO_LARGE');
      expect(Date.now() - started).toBeLessThan(4_000);
    } finally {
      close();
    }
  });

  it('length-prefixed frames with garbage bodies give PlistError, and good frames still decode after them', async () => {
    const { client, server, close } = await socketPair();
    try {
      const reader = new SocketReader(server);
      const random = prng(SEED + 2);
      for (let i = 0; i < 200; i++) {
        const body = Buffer.alloc(1 + Math.floor(random() * 200));
        for (let j = 0; j < body.length; j++) body[j] = Math.floor(random() * 256);
        if (i % 2 === 0) body.write('bplist00');
        const frame = Buffer.alloc(4 + body.length);
        frame.writeUInt32BE(body.length);
        body.copy(frame, 4);
        client.write(frame);
        const outcome = await readPlistFrame(reader, { timeoutMs: 2_000 }).catch((e: unknown) => e);
        if (outcome instanceof Error) expect(outcome).toBeInstanceOf(PlistError);
      }
      client.write(encodePlistFrame({ Request: 'QueryType' }, 'binary'));
      expect(await readPlistFrame(reader)).toEqual({ Request: 'QueryType' });
    } finally {
      close();
    }
  });
});
