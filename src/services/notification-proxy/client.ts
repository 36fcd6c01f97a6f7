import type { Duplex } from 'node:stream';
import type { LockdownSession } from '../../lockdown/index.js';
import { isPlistDict } from '../../plist/index.js';
import { PlistConnection, WireError } from '../../wire/index.js';
import { NOTIFICATION_PROXY_SERVICE, observeRequest, postRequest, shutdownRequest } from './protocol.js';

/**
 * notification_proxy: post notifications to the phone and hear the ones we observe. Shutdown waits for the
 * phone's ProxyDeath (or its close) so no post is lost.
 */
export class NotificationProxyClient {
  private readonly connection: PlistConnection;

  constructor(socket: Duplex, options: { timeoutMs?: number } = {}) {
    this.connection = new PlistConnection(socket, { format: 'xml', timeoutMs: options.timeoutMs ?? 10_000 });
  }

  /** Starts com.apple.mobile.notification_proxy in the lockdown session and connects to it. */
  static async open(
    session: Pick<LockdownSession, 'startService'>,
    options: { timeoutMs?: number } = {},
  ): Promise<NotificationProxyClient> {
    const service = await session.startService(NOTIFICATION_PROXY_SERVICE);
    return new NotificationProxyClient(service.socket, options);
  }

  observe(name: string): Promise<void> {
    return this.connection.send(observeRequest(name));
  }

  post(name: string): Promise<void> {
    return this.connection.send(postRequest(name));
  }

  /** Notifications the phone relays, until the connection ends or the signal aborts. */
  async *notifications(signal?: AbortSignal): AsyncGenerator<string> {
    const onAbort = (): void => this.connection.close();
    signal?.addEventListener('abort', onAbort, { once: true });
    if (signal?.aborted) onAbort();
    try {
      for (;;) {
        let message;
        try {
          message = await this.connection.receive({ timeoutMs: 0 });
        } catch (error) {
          if (signal?.aborted || (error instanceof WireError && error.code === 'WIRE_CLOSED')) return;
          throw error;
        }
        if (!isPlistDict(message)) continue;
        if (message.Command === 'RelayNotification' && typeof message.Name === 'string') yield message.Name;
        else if (message.Command === 'ProxyDeath') return;
      }
    } finally {
      signal?.removeEventListener('abort', onAbort);
    }
  }

  async shutdown(timeoutMs = 5_000): Promise<void> {
    try {
      await this.connection.send(shutdownRequest());
      for (;;) {
        const reply = await this.connection.receive({ timeoutMs, waitingFor: 'ProxyDeath' });
        if (isPlistDict(reply) && reply.Command === 'ProxyDeath') break;
      }
    } catch {
      // A phone that closes instead of answering ProxyDeath has shut down all the same.
    } finally {
      this.connection.close();
    }
  }
}
