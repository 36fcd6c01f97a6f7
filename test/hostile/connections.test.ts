import { mkdtemp, rm } from 'node:fs/promises';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Duplex } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { exitCodeFor } from '../../src/cli/exit-codes.js';
import { USBMUX_HEADER_SIZE, encodeUsbmuxHeader } from '../../src/usbmux/protocol.js';
import { UsbmuxClient } from '../../src/usbmux/index.js';
import { PlistConnection, writeAll } from '../../src/wire/index.js';
import { socketPair } from '../helpers/socket-pair.js';

/**
 * What a hostile or vanishing peer does to our connections: a fake usbmuxd claiming a huge packet or a short one,
 * and a usbmuxd or a phone that drops the connection: typed errors, exit 8, and words a person understands.
 */
let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'iosr-conn-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** A fake usbmuxd on a UNIX socket that does `onRequest` with each connection once the request header is in. */
async function fakeUsbmuxd(
  name: string,
  onRequest: (socket: net.Socket) => void,
): Promise<{ path: string; close(): Promise<void> }> {
  const path = join(dir, name);
  const sockets = new Set<net.Socket>();
  const server = net.createServer((socket) => {
    sockets.add(socket);
    socket.on('error', () => undefined);
    socket.once('readable', () => onRequest(socket));
  });
  await new Promise<void>((resolve) => server.listen(path, resolve));
  return {
    path,
    close: () =>
      new Promise((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}

describe('usbmuxd that is not what it claims', () => {
  it('a reply header claiming 4 GB is USBMUX_PACKET_TOO_LARGE (exit 8, connection lost), read no further', async () => {
    let bodyBytesSent = 0;
    const daemon = await fakeUsbmuxd('huge.sock', (socket) => {
      socket.write(encodeUsbmuxHeader({ length: 0xffff_fff0, version: 1, message: 8, tag: 1 }));
      bodyBytesSent = 1024;
      socket.write(Buffer.alloc(bodyBytesSent));
    });
    try {
      const client = new UsbmuxClient({ address: { kind: 'unix', path: daemon.path }, timeoutMs: 2_000 });
      const error = await client.listDevices().catch((e: unknown) => e);
      expect(error).toMatchObject({ code: 'USBMUX_PACKET_TOO_LARGE', details: { length: 0xffff_fff0 } });
      expect((error as Error).message).toMatch(/not usbmuxd speaking its protocol/);
      expect(exitCodeFor(error)).toBe(8);
      expect(bodyBytesSent).toBeGreaterThan(0);
    } finally {
      await daemon.close();
    }
  });

  it('a header shorter than itself is USBMUX_BAD_PACKET (exit 8)', async () => {
    const daemon = await fakeUsbmuxd('short.sock', (socket) =>
      socket.write(encodeUsbmuxHeader({ length: USBMUX_HEADER_SIZE - 1, version: 1, message: 8, tag: 1 })),
    );
    try {
      const error = await new UsbmuxClient({ address: { kind: 'unix', path: daemon.path }, timeoutMs: 2_000 })
        .listDevices()
        .catch((e: unknown) => e);
      expect(error).toMatchObject({ code: 'USBMUX_BAD_PACKET' });
      expect(exitCodeFor(error)).toBe(8);
    } finally {
      await daemon.close();
    }
  });

  it('a usbmuxd that drops the connection gives a connection-lost error naming usbmuxd (exit 8), not a bare errno', async () => {
    // TCP so the drop can be a reset (RST): the client sees ECONNRESET, as when usbmuxd is killed mid-request.
    const server = net.createServer((socket) => socket.once('readable', () => socket.resetAndDestroy()));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as net.AddressInfo;
    try {
      const error = await new UsbmuxClient({ address: { kind: 'tcp', host: '127.0.0.1', port }, timeoutMs: 2_000 })
        .listDevices()
        .catch((e: unknown) => e);
      expect(error).toMatchObject({ code: expect.stringMatching(/^WIRE_(SOCKET_ERROR|CLOSED)$/) });
      expect((error as Error).message).toMatch(new RegExp(`connection to usbmuxd at 127\\.0\\.0\\.1:${port} was lost`));
      expect((error as Error).message).not.toMatch(/^(read|write) E[A-Z]+$/);
      expect(exitCodeFor(error)).toBe(8);
    } finally {
      server.close();
    }
  });
});

describe('a phone connection that is lost', () => {
  it('a reset while reading is WIRE_SOCKET_ERROR saying the connection was lost, with the errno kept', async () => {
    const pair = await socketPair();
    try {
      const connection = new PlistConnection(pair.client, { timeoutMs: 2_000 });
      const reply = connection.receive();
      pair.server.resetAndDestroy();
      const error = await reply.catch((e: unknown) => e);
      expect(error).toMatchObject({ code: 'WIRE_SOCKET_ERROR', details: { errno: 'ECONNRESET' } });
      expect((error as Error).message).toMatch(
        /connection to the phone or to usbmuxd was lost while reading \(ECONNRESET\)/,
      );
      expect(exitCodeFor(error)).toBe(8);
    } finally {
      pair.close();
    }
  });

  it('EPIPE on a write (the phone or usbmuxd closed its end mid-write) is WIRE_SOCKET_ERROR saying the connection was lost', async () => {
    // A real EPIPE needs the peer to vanish while a write is in flight (a race); the socket's answer is what matters.
    const epipe = (): Error => Object.assign(new Error('write EPIPE'), { code: 'EPIPE', syscall: 'write', errno: -32 });
    const socket = new Duplex({ read() {}, write: (_chunk, _encoding, callback) => callback(epipe()) });
    socket.on('error', () => undefined);
    const error = await writeAll(socket, Buffer.from('x')).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'WIRE_SOCKET_ERROR', details: { errno: 'EPIPE' } });
    expect((error as Error).message).toMatch(/connection to the phone or to usbmuxd was lost while writing \(EPIPE\)/);
    expect(exitCodeFor(error)).toBe(8);
    // The same error also reaches a reader through the socket's 'error' event: it says "writing" there too.
    const reading = new PlistConnection(new Duplex({ read() {}, write: (_chunk, _encoding, callback) => callback() }), {
      timeoutMs: 2_000,
    });
    const reply = reading.receive();
    reading.socket.destroy(epipe());
    await expect(reply).rejects.toThrow(/was lost while writing \(EPIPE\)/);
  });
});
