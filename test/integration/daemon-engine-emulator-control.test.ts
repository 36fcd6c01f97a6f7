import net from 'node:net';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startControlServer, type ControlServer } from '../../src/emulator/index.js';
import { UsbmuxClient, parseUsbmuxAddress } from '../../src/usbmux/index.js';
import { startTestEmulator, type TestEmulator } from '../helpers/emulator.js';

/** The emulator's control socket, as a lab script drives it: JSON lines in, one JSON reply per line. */
let emu: TestEmulator;
let control: ControlServer;
let client: net.Socket;
let replies: AsyncIterator<string>;
let usbmux: UsbmuxClient;

beforeAll(async () => {
  emu = await startTestEmulator({ devices: 16 });
  control = await startControlServer(emu.emulator, join(emu.stateDir, '..', 'control.sock'));
  client = net.connect(control.socketPath);
  await new Promise((resolve) => client.once('connect', resolve));
  replies = createInterface({ input: client })[Symbol.asyncIterator]();
  usbmux = new UsbmuxClient({ address: parseUsbmuxAddress(emu.emulator.usbmuxdSocketAddress) });
});
afterAll(async () => {
  client?.destroy();
  await control?.close();
  await emu?.stop();
});

async function send(command: unknown): Promise<Record<string, unknown>> {
  client.write(`${typeof command === 'string' ? command : JSON.stringify(command)}\n`);
  const { value } = await replies.next();
  return JSON.parse(value as string) as Record<string, unknown>;
}

describe('emulator control socket', () => {
  it('runs 16 phones and plugs more in', async () => {
    expect((await usbmux.listDevices()).length).toBe(16);
    const reply = await send({ plug: 2 });
    expect(reply).toMatchObject({ ok: true });
    expect(reply.plugged).toHaveLength(2);
    expect((await usbmux.listDevices()).map((d) => d.udid)).toEqual(expect.arrayContaining(reply.plugged as string[]));
  });

  it('unplugs a phone and plugs the same phone in again', async () => {
    const udid = emu.udids[3]!;
    expect(await send({ unplug: udid })).toEqual({ ok: true, unplugged: udid });
    expect((await usbmux.listDevices()).some((d) => d.udid === udid)).toBe(false);
    expect(await send({ plug: { udid } })).toEqual({ ok: true, plugged: [udid] });
    expect((await usbmux.listDevices()).some((d) => d.udid === udid)).toBe(true);
  });

  it('restarts usbmuxd: a Listen ends, and usbmuxd answers again with the same phones', async () => {
    const listen = usbmux.listen();
    await listen.next();
    const ended = (async () => {
      try {
        for (;;) if ((await listen.next()).done) return 'done';
      } catch (error) {
        return (error as { code?: string }).code ?? 'error';
      }
    })();
    expect(await send({ 'restart-usbmuxd': { downMs: 200 } })).toEqual({ ok: true, restarted: true });
    expect(await ended).not.toBe('done');
    expect((await usbmux.listDevices()).length).toBe(18);
  });

  it('answers a bad line with a typed error and keeps the connection', async () => {
    expect(await send('not json')).toMatchObject({ ok: false, code: 'EMULATOR_BAD_OPTION' });
    expect(await send({ plug: 0 })).toMatchObject({ ok: false, code: 'EMULATOR_BAD_OPTION' });
    expect(await send({ unplug: 'NOPE' })).toMatchObject({ ok: false, code: 'EMULATOR_NO_DEVICE' });
    expect(await send({ fly: true })).toMatchObject({ ok: false, message: expect.stringMatching(/unknown command/) });
    const list = await send({ list: true });
    expect(list.devices).toHaveLength(18);
  });
});
