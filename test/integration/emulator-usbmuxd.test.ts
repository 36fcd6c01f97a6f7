import { stat } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parsePlist, toBinaryPlist, toXmlPlist } from '../../src/plist/index.js';
import {
  UsbmuxMessage,
  decodePlistPayload,
  encodeUsbmuxHeader,
  parseAttachedDevice,
} from '../../src/usbmux/protocol.js';
import { startTestEmulator, type TestEmulator } from '../helpers/emulator.js';
import { RawUsbmux } from '../helpers/raw-usbmux.js';

/** The virtual usbmuxd, byte for byte, including what it does with hostile clients. */
describe('virtual usbmuxd', () => {
  let emu: TestEmulator;
  const clients: RawUsbmux[] = [];
  const connect = async (): Promise<RawUsbmux> => {
    const client = await RawUsbmux.connect(emu.socketPath);
    clients.push(client);
    return client;
  };
  /** A fresh client can still list devices: the server survived whatever the previous test sent. */
  const stillServes = async (): Promise<void> => {
    const reply = await (await connect()).request({ MessageType: 'ListDevices' });
    expect((reply.DeviceList as unknown[]).length).toBe(emu.emulator.devices.length);
  };

  beforeAll(async () => {
    emu = await startTestEmulator({ devices: 2 });
  });
  afterAll(async () => {
    for (const client of clients) client.close();
    await emu?.stop();
  });

  it('makes its socket owner-only', async () => {
    expect((await stat(emu.socketPath)).mode & 0o777).toBe(0o600);
  });

  it('lists devices as usbmuxd 1.1.1 does, echoing the tag, in XML', async () => {
    const client = await connect();
    const tag = client.send({
      MessageType: 'ListDevices',
      ProgName: 'test',
      ClientVersionString: 'test',
      kLibUSBMuxVersion: 3,
    });
    const { header, body } = await client.readPacket();
    expect(header).toMatchObject({ version: 1, message: UsbmuxMessage.PLIST, tag });
    expect(body.subarray(0, 5).toString()).toBe('<?xml');
    const message = decodePlistPayload(body);
    const list = message.DeviceList as Array<Record<string, unknown>>;
    const devices = list.map((entry) => parseAttachedDevice(entry as never));
    expect(devices.map((d) => d.udid)).toEqual(emu.udids);
    expect(devices.every((d) => d.deviceId > 0 && d.connectionType === 'USB' && d.productId === 0x12a8)).toBe(true);
  });

  it('reports plug, unplug and pairing to a listener, with tag 0', async () => {
    const listener = await connect();
    const tag = listener.send({ MessageType: 'Listen' });
    expect(await listener.readPlist()).toEqual({ tag, message: { MessageType: 'Result', Number: 0 } });
    const present = [await listener.readPlist(), await listener.readPlist()];
    expect(present.map((p) => [p.tag, p.message.MessageType])).toEqual([
      [0, 'Attached'],
      [0, 'Attached'],
    ]);

    const added = await emu.emulator.addDevice();
    const attached = await listener.readPlist();
    expect(attached.tag).toBe(0);
    expect(parseAttachedDevice(attached.message).udid).toBe(added.udid);
    const deviceId = emu.emulator.deviceId(added.udid);

    // SavePairRecord with the DeviceID of an attached device with that serial → Paired to listeners.
    const saver = await connect();
    const record = toBinaryPlist({ HostID: 'AAAAAAAA-BBBB-CCCC-DDDD-EEEEEEEEEEEE', SystemBUID: 'x' });
    const saved = await saver.request({
      MessageType: 'SavePairRecord',
      PairRecordID: added.udid,
      PairRecordData: record,
      DeviceID: deviceId,
    });
    expect(saved).toEqual({ MessageType: 'Result', Number: 0 });
    expect((await listener.readPlist()).message).toEqual({ MessageType: 'Paired', DeviceID: deviceId });

    emu.emulator.removeDevice(added.udid);
    expect((await listener.readPlist()).message).toEqual({ MessageType: 'Detached', DeviceID: deviceId });
  });

  it('stores pair records as XML whatever format they came in, and answers errno 2 when there is none', async () => {
    const client = await connect();
    const udid = emu.udids[0]!;
    expect(await client.request({ MessageType: 'ReadPairRecord', PairRecordID: udid })).toEqual({
      MessageType: 'Result',
      Number: 2,
    });
    const record = {
      HostID: '11111111-2222-3333-4444-555555555555',
      SystemBUID: 'y',
      EscrowBag: Buffer.from([1, 2, 3]),
    };
    expect(
      await client.request({
        MessageType: 'SavePairRecord',
        PairRecordID: udid,
        PairRecordData: toBinaryPlist(record),
      }),
    ).toEqual({ MessageType: 'Result', Number: 0 });
    const read = await client.request({ MessageType: 'ReadPairRecord', PairRecordID: udid });
    expect((read.PairRecordData as Buffer).toString('utf8')).toBe(toXmlPlist(record));
    expect(await client.request({ MessageType: 'DeletePairRecord', PairRecordID: udid })).toEqual({
      MessageType: 'Result',
      Number: 0,
    });
    expect(await client.request({ MessageType: 'ReadPairRecord', PairRecordID: udid })).toEqual({
      MessageType: 'Result',
      Number: 2,
    });
  });

  it('refuses pair-record ids that would escape the state dir (EINVAL)', async () => {
    const client = await connect();
    for (const id of ['../../etc/passwd', 'SystemConfiguration', '', 'a/b']) {
      expect(await client.request({ MessageType: 'ReadPairRecord', PairRecordID: id })).toEqual({
        MessageType: 'Result',
        Number: 22,
      });
      expect(
        await client.request({
          MessageType: 'SavePairRecord',
          PairRecordID: id,
          PairRecordData: toBinaryPlist({ HostID: 'h' }),
        }),
      ).toEqual({ MessageType: 'Result', Number: 22 });
    }
    expect(
      await client.request({
        MessageType: 'SavePairRecord',
        PairRecordID: emu.udids[0]!,
        PairRecordData: Buffer.from('garbage!garbage!'),
      }),
    ).toEqual({
      MessageType: 'Result',
      Number: 22,
    });
  });

  it('keeps one SystemBUID and lists listeners', async () => {
    const client = await connect();
    const first = await client.request({ MessageType: 'ReadBUID' });
    const second = await client.request({ MessageType: 'ReadBUID' });
    expect(first.BUID).toMatch(/^[0-9A-F]{8}-[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{12}$/);
    expect(second.BUID).toBe(first.BUID);
    const listener = await connect();
    listener.send({ MessageType: 'Listen', ProgName: 'vitest-listener', kLibUSBMuxVersion: 3 });
    await listener.readPlist();
    const listeners = (await client.request({ MessageType: 'ListListeners' })).ListenerList as Array<
      Record<string, unknown>
    >;
    expect(listeners).toContainEqual(
      expect.objectContaining({ ProgName: 'vitest-listener', kLibUSBMuxVersion: 3, Blacklisted: false }),
    );
  });

  it('answers Connect with BADDEV for an unknown device and CONNREFUSED for a closed port', async () => {
    const client = await connect();
    expect(await client.connectToPort(9999, 62078)).toEqual({ result: 2 });
    expect(await client.connectToPort(emu.emulator.deviceId(emu.udids[0]!), 1234)).toEqual({ result: 3 });
    expect(await client.request({ MessageType: 'Connect', PortNumber: 32498 })).toEqual({
      MessageType: 'Result',
      Number: 2,
    });
  });

  it('answers unknown requests, unparsable and non-dict plists with BADCOMMAND and keeps the connection', async () => {
    const client = await connect();
    expect(await client.request({ MessageType: 'Frobnicate' })).toEqual({ MessageType: 'Result', Number: 1 });
    expect(await client.request({ NoMessageType: true })).toEqual({ MessageType: 'Result', Number: 1 });
    for (const body of [Buffer.from('this is not a plist'), Buffer.from(toXmlPlist(['an', 'array']))]) {
      client.write(
        Buffer.concat([encodeUsbmuxHeader({ length: 16 + body.length, version: 1, message: 8, tag: 77 }), body]),
      );
      expect(await client.readPlist()).toEqual({ tag: 77, message: { MessageType: 'Result', Number: 1 } });
    }
    expect((await client.request({ MessageType: 'ListDevices' })).DeviceList).toBeDefined();
  });

  it('answers an unknown protocol version with a binary BADVERSION result', async () => {
    const client = await connect();
    client.write(encodeUsbmuxHeader({ length: 16, version: 7, message: 8, tag: 5 }));
    const { header, body } = await client.readPacket();
    expect(header).toEqual({ length: 20, version: 0, message: UsbmuxMessage.RESULT, tag: 5 });
    expect(body.readUInt32LE(0)).toBe(6);
  });

  it('serves the binary (version 0) protocol: LISTEN gets a result and 268-byte device records', async () => {
    const client = await connect();
    client.write(encodeUsbmuxHeader({ length: 16, version: 0, message: UsbmuxMessage.LISTEN, tag: 9 }));
    const result = await client.readPacket();
    expect(result.header).toMatchObject({ version: 0, message: UsbmuxMessage.RESULT, tag: 9 });
    expect(result.body.readUInt32LE(0)).toBe(0);
    const add = await client.readPacket();
    expect(add.header).toMatchObject({ length: 16 + 268, version: 0, message: UsbmuxMessage.DEVICE_ADD, tag: 0 });
    expect(add.body.subarray(6, 6 + 25).toString('latin1')).toBe(emu.udids[0]);
    expect(add.body[6 + 25]).toBe(0);
  });

  it('serves a binary (version 0) CONNECT, port in network byte order, and then pipes to lockdownd', async () => {
    const client = await connect();
    const packet = Buffer.alloc(24);
    encodeUsbmuxHeader({ length: 24, version: 0, message: UsbmuxMessage.CONNECT, tag: 4 }).copy(packet);
    packet.writeUInt32LE(emu.emulator.deviceId(emu.udids[0]!), 16);
    packet.writeUInt16BE(62078, 20);
    client.write(packet);
    const result = await client.readPacket();
    expect(result.header).toMatchObject({ version: 0, message: UsbmuxMessage.RESULT, tag: 4 });
    expect(result.body.readUInt32LE(0)).toBe(0);
    const body = Buffer.from(toXmlPlist({ Request: 'QueryType' }));
    const prefix = Buffer.alloc(4);
    prefix.writeUInt32BE(body.length);
    client.write(Buffer.concat([prefix, body]));
    const length = (await client.reader.readExactly(4)).readUInt32BE(0);
    expect(parsePlist(await client.reader.readExactly(length))).toEqual({
      Request: 'QueryType',
      Type: 'com.apple.mobile.lockdown',
    });
  });

  it('closes a client that announces an oversized packet, and keeps serving others', async () => {
    const client = await connect();
    client.write(encodeUsbmuxHeader({ length: 0xffffffff, version: 1, message: 8, tag: 1 }));
    expect(await client.closedWithin()).toBe(true);
    await stillServes();
  });

  it('closes a client whose header claims less than itself, or sends garbage', async () => {
    const short = await connect();
    short.write(encodeUsbmuxHeader({ length: 3, version: 1, message: 8, tag: 1 }));
    expect(await short.closedWithin()).toBe(true);
    const garbage = await connect();
    garbage.write(Buffer.from('GET / HTTP/1.1\r\nHost: x\r\n\r\n'));
    expect(await garbage.closedWithin()).toBe(true);
    await stillServes();
  });

  it('survives a client that sends half a packet and hangs up', async () => {
    const client = await connect();
    client.write(
      Buffer.concat([encodeUsbmuxHeader({ length: 400, version: 1, message: 8, tag: 1 }), Buffer.from('<?xml')]),
    );
    client.close();
    await stillServes();
  });
});
