import type { Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import type { LockdownSession, PairRecord } from '../../../src/lockdown/index.js';
import { AFC_SERVICE, AfcClient } from '../../../src/services/afc/index.js';
import { INSTALLATION_PROXY_SERVICE, InstallationProxyClient } from '../../../src/services/installation-proxy/index.js';
import { MOBILEBACKUP2_SERVICE, Mobilebackup2Client } from '../../../src/services/mobilebackup2/index.js';
import { NOTIFICATION_PROXY_SERVICE, NotificationProxyClient } from '../../../src/services/notification-proxy/index.js';
import { socketPair } from '../../helpers/socket-pair.js';

let cleanup: (() => void) | undefined;
afterEach(() => cleanup?.());

/** A lockdown session that records which services are started and hands out one end of a socket pair. */
async function recordingSession(): Promise<{
  session: Pick<LockdownSession, 'startService'>;
  started: Array<{ name: string; escrowBag?: Buffer }>;
}> {
  const pair = await socketPair();
  cleanup = pair.close;
  const started: Array<{ name: string; escrowBag?: Buffer }> = [];
  const client: Socket = pair.client;
  return {
    started,
    session: {
      startService: async (name, options) => {
        started.push({ name, ...options });
        return { name, port: 62078, socket: client, ssl: false };
      },
    },
  };
}

describe('service clients open themselves from a lockdown session', () => {
  it('AFC, notification_proxy and installation_proxy each start their own service', async () => {
    for (const [open, name] of [
      [AfcClient.open, AFC_SERVICE],
      [NotificationProxyClient.open, NOTIFICATION_PROXY_SERVICE],
      [InstallationProxyClient.open, INSTALLATION_PROXY_SERVICE],
    ] as const) {
      const { session, started } = await recordingSession();
      await open(session);
      expect(started).toEqual([{ name }]);
      cleanup?.();
    }
  });

  it("mobilebackup2 starts with the pair record's EscrowBag, and a refusal reaches the caller", async () => {
    const escrowBag = Buffer.from('escrow');
    const started: Array<{ name: string; escrowBag?: Buffer }> = [];
    const session = {
      record: { EscrowBag: escrowBag } as PairRecord,
      startService: async (name: string, options?: { escrowBag?: Buffer }) => {
        started.push({ name, ...options });
        throw Object.assign(new Error('refused'), { code: 'InvalidService' });
      },
    };
    await expect(Mobilebackup2Client.open(session)).rejects.toMatchObject({ code: 'InvalidService' });
    expect(started).toEqual([{ name: MOBILEBACKUP2_SERVICE, escrowBag }]);
  });
});
