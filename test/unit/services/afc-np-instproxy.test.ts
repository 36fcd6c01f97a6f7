import type { Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import type { PlistValue } from '../../../src/plist/index.js';
import {
  AfcClient,
  AfcOperation,
  acquireSyncLock,
  decodeAfcHeader,
  encodeAfcPacket,
  u64,
  cString,
} from '../../../src/services/afc/index.js';
import { InstallationProxyClient } from '../../../src/services/installation-proxy/index.js';
import { NotificationProxyClient, SyncNotification } from '../../../src/services/notification-proxy/index.js';
import { SocketReader, encodePlistFrame, readPlistFrame } from '../../../src/wire/index.js';
import { socketPair } from '../../helpers/socket-pair.js';

let cleanup: (() => void) | undefined;
afterEach(() => cleanup?.());

async function pair(): Promise<{ client: Socket; server: Socket }> {
  const p = await socketPair();
  cleanup = p.close;
  return p;
}

/** A scripted AFC server answering each request through `answer` with real AFC packets. */
function scriptedAfc(
  server: Socket,
  answer: (operation: number, data: Buffer) => { operation: number; body: Buffer; packetNumber?: bigint },
): void {
  const reader = new SocketReader(server, 10_000);
  void (async () => {
    for (;;) {
      let header;
      try {
        header = decodeAfcHeader(await reader.readExactly(40), 1 << 20);
      } catch {
        return;
      }
      const data = await reader.readExactly(header.entireLength - 40);
      const reply = answer(header.operation, data);
      server.write(
        encodeAfcPacket({
          packetNumber: reply.packetNumber ?? header.packetNumber,
          operation: reply.operation,
          headerData: reply.body,
          payload: Buffer.alloc(0),
        }),
      );
    }
  })();
}
const status = (code: number) => ({ operation: AfcOperation.STATUS, body: u64(code) });

describe('AFC client', () => {
  it('encodes a FileOpen request exactly (golden bytes)', () => {
    const packet = encodeAfcPacket({
      packetNumber: 1n,
      operation: AfcOperation.FILE_OPEN,
      headerData: Buffer.concat([u64(2), cString('/x')]),
      payload: Buffer.alloc(0),
    });
    expect(packet.subarray(0, 8).toString()).toBe('CFA6LPAA');
    expect(packet.readBigUInt64LE(8)).toBe(51n);
    expect(packet.readBigUInt64LE(16)).toBe(51n);
    expect(packet.readBigUInt64LE(24)).toBe(1n);
    expect(packet.readBigUInt64LE(32)).toBe(0x0dn);
    expect(packet.subarray(40)).toEqual(Buffer.from([2, 0, 0, 0, 0, 0, 0, 0, 0x2f, 0x78, 0]));
  });

  it('takes the sync lock, retrying while the phone answers OP_WOULD_BLOCK, then releases it', async () => {
    const { client, server } = await pair();
    const seen: number[] = [];
    let busy = 2;
    scriptedAfc(server, (operation) => {
      seen.push(operation);
      if (operation === AfcOperation.FILE_OPEN) return { operation: AfcOperation.FILE_OPEN_RES, body: u64(7) };
      if (operation === AfcOperation.FILE_LOCK && busy-- > 0) return status(19);
      return status(0);
    });
    const afc = new AfcClient(client);
    const lock = await acquireSyncLock(afc, { intervalMs: 10 });
    await lock.release();
    expect(seen).toEqual([
      AfcOperation.FILE_OPEN,
      AfcOperation.FILE_LOCK,
      AfcOperation.FILE_LOCK,
      AfcOperation.FILE_LOCK,
      AfcOperation.FILE_LOCK,
      AfcOperation.FILE_CLOSE,
    ]);
  });

  it('streams a file in reads of the asked size and turns a status into a typed error', async () => {
    const { client, server } = await pair();
    const content = Buffer.alloc(150_000, 9);
    let offset = 0;
    scriptedAfc(server, (operation, data) => {
      if (operation === AfcOperation.FILE_OPEN)
        return data.toString().includes('missing')
          ? status(8)
          : { operation: AfcOperation.FILE_OPEN_RES, body: u64(3) };
      if (operation === AfcOperation.FILE_READ) {
        const length = Number(data.readBigUInt64LE(8));
        const chunk = content.subarray(offset, offset + length);
        offset += chunk.length;
        return { operation: AfcOperation.DATA, body: chunk };
      }
      return status(0);
    });
    const afc = new AfcClient(client);
    const parts: Buffer[] = [];
    for await (const chunk of afc.readFileStream('/Books/iBooksData2.plist', { chunkBytes: 65_536 }))
      parts.push(chunk as Buffer);
    expect(Buffer.concat(parts)).toEqual(content);
    expect(Math.max(...parts.map((p) => p.length))).toBeLessThanOrEqual(65_536);
    await expect(afc.openFile('/missing', 1)).rejects.toMatchObject({ code: 'AFC_OBJECT_NOT_FOUND' });
  });

  it('refuses a reply to another packet number', async () => {
    const { client, server } = await pair();
    scriptedAfc(server, () => ({ ...status(0), packetNumber: 99n }));
    await expect(new AfcClient(client).makeDirectory('/x')).rejects.toMatchObject({ code: 'AFC_BAD_REPLY' });
  });
});

describe('notification_proxy and installation_proxy clients', () => {
  it('posts, observes, relays, and waits for ProxyDeath on shutdown', async () => {
    const { client, server } = await pair();
    const reader = new SocketReader(server);
    const np = new NotificationProxyClient(client);
    await np.observe(SyncNotification.CANCEL_REQUEST);
    await np.post(SyncNotification.WILL_START);
    expect(await readPlistFrame(reader)).toEqual({
      Command: 'ObserveNotification',
      Name: SyncNotification.CANCEL_REQUEST,
    });
    expect(await readPlistFrame(reader)).toEqual({ Command: 'PostNotification', Name: SyncNotification.WILL_START });
    server.write(encodePlistFrame({ Command: 'RelayNotification', Name: SyncNotification.CANCEL_REQUEST }, 'xml'));
    const relayed = np.notifications();
    expect((await relayed.next()).value).toBe(SyncNotification.CANCEL_REQUEST);
    await relayed.return(undefined);
  });

  it('shutdown resolves on ProxyDeath', async () => {
    const { client, server } = await pair();
    const reader = new SocketReader(server);
    const np = new NotificationProxyClient(client);
    const done = np.shutdown();
    expect(await readPlistFrame(reader)).toEqual({ Command: 'Shutdown' });
    server.write(encodePlistFrame({ Command: 'ProxyDeath' }, 'xml'));
    await done;
  });

  it('browses apps across batches until Complete', async () => {
    const { client, server } = await pair();
    const reader = new SocketReader(server);
    const proxy = new InstallationProxyClient(client);
    const apps: PlistValue[] = [];
    const browsing = (async () => {
      for await (const app of proxy.browse({ returnAttributes: ['CFBundleIdentifier'] })) apps.push(app);
    })();
    expect(await readPlistFrame(reader)).toEqual({
      Command: 'Browse',
      ClientOptions: { ApplicationType: 'User', ReturnAttributes: ['CFBundleIdentifier'] },
    });
    server.write(
      encodePlistFrame(
        { Status: 'BrowsingApplications', CurrentList: [{ CFBundleIdentifier: 'a' }], CurrentAmount: 1, Total: 2 },
        'binary',
      ),
    );
    server.write(
      encodePlistFrame(
        { Status: 'BrowsingApplications', CurrentList: [{ CFBundleIdentifier: 'b' }], CurrentAmount: 1, Total: 2 },
        'binary',
      ),
    );
    server.write(encodePlistFrame({ Status: 'Complete' }, 'binary'));
    await browsing;
    expect(apps).toEqual([{ CFBundleIdentifier: 'a' }, { CFBundleIdentifier: 'b' }]);
  });
});
