import type { Duplex } from 'node:stream';
import type { LockdownSession } from '../../lockdown/index.js';
import { isPlistDict, type PlistDict } from '../../plist/index.js';
import { PlistConnection } from '../../wire/index.js';
import { InstallationProxyError } from './errors.js';
import { INSTALLATION_PROXY_SERVICE, browseRequest } from './protocol.js';

/** installation_proxy: which apps are installed (what iTunes writes into a backup's Info.plist). */
export class InstallationProxyClient {
  private readonly connection: PlistConnection;

  constructor(socket: Duplex, options: { timeoutMs?: number } = {}) {
    this.connection = new PlistConnection(socket, { format: 'xml', timeoutMs: options.timeoutMs ?? 30_000 });
  }

  /** Starts com.apple.mobile.installation_proxy in the lockdown session and connects to it. */
  static async open(
    session: Pick<LockdownSession, 'startService'>,
    options: { timeoutMs?: number } = {},
  ): Promise<InstallationProxyClient> {
    const service = await session.startService(INSTALLATION_PROXY_SERVICE);
    return new InstallationProxyClient(service.socket, options);
  }

  /** Yields app dicts batch by batch until the phone says Complete; an Error reply ends with a typed error. */
  async *browse(options: { applicationType?: string; returnAttributes?: string[] } = {}): AsyncGenerator<PlistDict> {
    await this.connection.send(browseRequest(options));
    for (;;) {
      const reply = await this.connection.receive({ waitingFor: 'the list of installed apps' });
      if (!isPlistDict(reply))
        throw new InstallationProxyError('INSTPROXY_BAD_REPLY', 'installation_proxy sent a non-dict');
      if (typeof reply.Error === 'string') {
        throw new InstallationProxyError(
          'INSTPROXY_DEVICE_ERROR',
          `installation_proxy: ${String(reply.ErrorDescription ?? reply.Error)}`,
          {
            details: { error: reply.Error, description: reply.ErrorDescription },
          },
        );
      }
      if (Array.isArray(reply.CurrentList)) for (const app of reply.CurrentList) if (isPlistDict(app)) yield app;
      if (reply.Status === 'Complete' || reply.Status === undefined) return;
    }
  }

  close(): void {
    this.connection.close();
  }
}
