import type { Duplex } from 'node:stream';
import { isPlistDict } from '../../plist/index.js';
import { SocketReader, encodePlistFrame, readPlistFrame, writeAll } from '../../wire/index.js';
import type { ServiceContext } from '../service-ports.js';
import type { DeviceService } from './index.js';

/** Small dicts only: a bigger frame from a host is garbage. */
const MAX_FRAME = 64 * 1024;

/**
 * notification_proxy, device side (native-notes/protocols/notification-proxy.md "Messages"): ObserveNotification
 * subscribes this connection to a name, PostNotification posts on the phone's bus, and a posted name this
 * connection observes is relayed with RelayNotification. Shutdown is answered with ProxyDeath and the connection
 * closes — without that answer libimobiledevice 1.3.0 waits 30 s after every post.
 */
export function serveNotificationProxy(socket: Duplex, context: ServiceContext): void {
  const reader = new SocketReader(socket, 0);
  const observed = new Set<string>();
  const relay = (name: string): void => {
    if (observed.has(name) && !socket.destroyed)
      socket.write(encodePlistFrame({ Command: 'RelayNotification', Name: name }, 'xml'));
  };
  const unsubscribe = context.device.notifications.subscribe(relay);
  socket.once('close', unsubscribe);
  void (async () => {
    try {
      for (;;) {
        const message = await readPlistFrame(reader, { maxBytes: MAX_FRAME });
        if (!isPlistDict(message)) continue;
        const name = typeof message.Name === 'string' ? message.Name : undefined;
        if (message.Command === 'ObserveNotification' && name) observed.add(name);
        else if (message.Command === 'PostNotification' && name) context.device.notifications.post(name);
        else if (message.Command === 'Shutdown') {
          await writeAll(socket, encodePlistFrame({ Command: 'ProxyDeath' }, 'xml'));
          socket.end();
          return;
        } else context.logger.debug({ command: message.Command }, 'notification_proxy: ignoring an unknown command');
      }
    } catch (error) {
      context.logger.debug({ reason: (error as Error).message }, 'notification_proxy connection ended');
      socket.destroy();
    } finally {
      unsubscribe();
    }
  })();
}

/** com.apple.mobile.notification_proxy, on the phone's notification bus. */
export const notificationProxyService: DeviceService = {
  options: {},
  handler: () => (socket, context) => serveNotificationProxy(socket, context),
};
