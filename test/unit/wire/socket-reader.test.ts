import { afterEach, describe, expect, it } from 'vitest';
import { WireError } from '../../../src/wire/errors.js';
import { SocketReader } from '../../../src/wire/socket-reader.js';
import { socketPair } from '../../helpers/socket-pair.js';

let cleanup: (() => void) | undefined;
afterEach(() => cleanup?.());

async function pair() {
  const p = await socketPair();
  cleanup = p.close;
  return p;
}

describe('SocketReader', () => {
  it('assembles an exact read from bytes that arrive in several writes', async () => {
    const { client, server } = await pair();
    const reader = new SocketReader(server);
    const pending = reader.readExactly(10);
    client.write(Buffer.from('abc'));
    await new Promise((r) => setTimeout(r, 10));
    client.write(Buffer.from('defghijKLM'));
    expect((await pending).toString()).toBe('abcdefghij');
    expect((await reader.readExactly(3)).toString()).toBe('KLM');
  });

  it('times out with WIRE_TIMEOUT, naming what it waited for', async () => {
    const { client, server } = await pair();
    const reader = new SocketReader(server);
    client.write(Buffer.from('ab'));
    const error = await reader.readExactly(4, { timeoutMs: 50, waitingFor: 'lockdown reply' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(WireError);
    expect((error as WireError).code).toBe('WIRE_TIMEOUT');
    expect((error as WireError).message).toContain('lockdown reply');
  });

  it('fails with WIRE_CLOSED when the peer closes mid-message, and says how much arrived', async () => {
    const { client, server } = await pair();
    const reader = new SocketReader(server);
    const pending = reader.readExactly(100).catch((e: unknown) => e);
    client.end(Buffer.from('only-this'));
    const error = (await pending) as WireError;
    expect(error.code).toBe('WIRE_CLOSED');
    expect(error.message).toContain('9 of 100');
  });

  it('refuses a second read while one is pending', async () => {
    const { server } = await pair();
    const reader = new SocketReader(server);
    const first = reader.readExactly(4, { timeoutMs: 100 }).catch(() => undefined);
    await expect(reader.readExactly(4)).rejects.toMatchObject({ code: 'WIRE_BUSY' });
    await first;
  });

  it('hands unread bytes back on detach and stops consuming the socket', async () => {
    const { client, server } = await pair();
    const reader = new SocketReader(server);
    client.write(Buffer.from('1234extra'));
    expect((await reader.readExactly(4)).toString()).toBe('1234');
    await new Promise((r) => setTimeout(r, 20));
    expect(reader.detach().toString()).toBe('extra');
    const later = new Promise<Buffer>((resolve) => server.once('data', resolve));
    server.resume();
    client.write(Buffer.from('next'));
    expect((await later).toString()).toBe('next');
    await expect(reader.readExactly(1)).rejects.toMatchObject({ code: 'WIRE_CLOSED' });
  });

  it('pauses a sender that outruns the reader instead of buffering without bound', async () => {
    const { client, server } = await pair();
    const reader = new SocketReader(server);
    const chunk = Buffer.alloc(1024 * 1024, 7);
    let written = 0;
    // Keep writing until the client's own buffer fills: that only happens if the reader paused the socket.
    while (client.write(chunk) && written < 64) written += 1;
    await new Promise((r) => setTimeout(r, 200));
    expect(written).toBeLessThan(64);
    expect(reader.bufferedBytes).toBeLessThan(16 * 1024 * 1024);
  });
});
