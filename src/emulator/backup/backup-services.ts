import { join } from 'node:path';
import { generateDeviceContent } from '../content/index.js';
import type { ServiceHandler, ServiceOptions } from '../service-ports.js';
import type { VirtualDevice } from '../virtual-device.js';
import { AfcVolume } from '../services/afc-volume.js';
import { serveAfc } from '../services/afc-server.js';
import { serveInstallationProxy } from '../services/installation-proxy.js';
import { serveNotificationProxy } from '../services/notification-proxy.js';
import type { BackupAgentConfig } from './agent-config.js';
import { serveMobilebackup2 } from './agent.js';
import { itemsContent, type PhoneContent } from './phone-content.js';

/** The seed of the built-in sample: the phone the README demo backs up and extracts. */
export const SAMPLE_SEED = 'demo';

/** The built-in sample phone (contacts, messages, photos, calls, deleted rows included), generated once per process. */
export function sampleContent(): () => Promise<PhoneContent> {
  let items: ReturnType<typeof generateDeviceContent>['items'] | undefined;
  return async () => {
    items ??= generateDeviceContent({ seed: SAMPLE_SEED }).items;
    return itemsContent(items, { description: 'the built-in sample phone' });
  };
}

/** The bundle IDs behind the content's `AppDomain-<id>` domains: the phone's installed apps. */
async function installedApps(config: BackupAgentConfig): Promise<string[]> {
  const content = await config.content();
  const apps = new Set<string>();
  try {
    // installation_proxy is asked for ApplicationType User: Apple's own apps (Safari…) have app domains in a
    // backup but are system apps, not listed.
    for await (const item of content.items()) {
      if (item.domain.startsWith('AppDomain-') && !item.domain.startsWith('AppDomain-com.apple.')) apps.add(item.domain.slice('AppDomain-'.length));
    }
  } finally {
    await content.close();
  }
  return [...apps].sort();
}

/**
 * The services a backup host uses, as [name, handler, options] for VirtualIphone.registerService:
 * notification_proxy, AFC over `<phone dir>/Media` (one volume per phone, so locks are shared between connections),
 * installation_proxy, and mobilebackup2. Handlers read `config` on every connection, so tests can change content
 * and faults between runs.
 */
export function backupServices(config: BackupAgentConfig): Array<[string, ServiceHandler, ServiceOptions]> {
  const volumes = new WeakMap<VirtualDevice, AfcVolume>();
  const volumeOf = (device: VirtualDevice): AfcVolume => {
    let volume = volumes.get(device);
    if (volume === undefined) {
      volume = new AfcVolume(join(device.dir, 'Media'));
      volumes.set(device, volume);
    }
    return volume;
  };
  // Listing the apps reads every item: once per content source, not once per backup (a million-item phone).
  let apps: { source: BackupAgentConfig['content']; list: Promise<string[]> } | undefined;
  const appsOf = (): Promise<string[]> => {
    if (apps?.source !== config.content) {
      const entry = { source: config.content, list: installedApps(config) };
      // A failed read is not remembered: the next Browse tries again.
      entry.list.catch(() => {
        if (apps === entry) apps = undefined;
      });
      apps = entry;
    }
    return apps.list;
  };
  return [
    ['com.apple.mobile.notification_proxy', (socket, context) => serveNotificationProxy(socket, context), {}],
    [
      'com.apple.afc',
      (socket, context) => {
        const volume = volumeOf(context.device);
        if (config.faults.busyLockReplies !== undefined) {
          volume.busyLockReplies = config.faults.busyLockReplies;
          config.faults.busyLockReplies = undefined;
        }
        void volume.ensureRoot().then(
          () => serveAfc(socket, context, volume),
          () => socket.destroy(),
        );
      },
      {},
    ],
    ['com.apple.mobile.installation_proxy', (socket, context) => serveInstallationProxy(socket, context, appsOf), {}],
    ['com.apple.mobilebackup2', (socket, context) => serveMobilebackup2(socket, context, config), {}],
  ];
}
