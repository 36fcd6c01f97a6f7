import type { Duplex } from 'node:stream';
import { isPlistDict, type PlistDict } from '../../plist/index.js';
import { SocketReader, encodePlistFrame, readPlistFrame, writeAll } from '../../wire/index.js';
import type { BackupAgentConfig } from '../backup/agent-config.js';
import type { ServiceContext } from '../service-ports.js';
import type { DeviceService } from './index.js';

const MAX_FRAME = 1024 * 1024;
/** Real devices page Browse results; a small page exercises the host's paging. */
const PAGE = 20;

/** The apps a phone reports: what its content holds under `AppDomain-<bundle id>`. */
export type AppList = () => Promise<string[]>;

/**
 * installation_proxy, device side, as far as a backup host needs it (§8.3): Browse answers pages of
 * `{Status:"BrowsingApplications", CurrentList, CurrentAmount, CurrentIndex, Total}` and then `{Status:"Complete"}`.
 * Other commands get an error reply rather than silence, so a host never waits on them.
 */
export function serveInstallationProxy(socket: Duplex, context: ServiceContext, apps: AppList): void {
  const reader = new SocketReader(socket, 0);
  void (async () => {
    try {
      for (;;) {
        const request = await readPlistFrame(reader, { maxBytes: MAX_FRAME });
        if (!isPlistDict(request)) continue;
        if (request.Command !== 'Browse') {
          await writeAll(
            socket,
            encodePlistFrame(
              {
                Error: 'UnknownCommand',
                ErrorDescription: `the virtual iPhone does not implement ${String(request.Command)}`,
              },
              'xml',
            ),
          );
          continue;
        }
        const bundles = await apps();
        const list: PlistDict[] = bundles.map((id) => ({
          CFBundleIdentifier: id,
          CFBundleDisplayName: id.split('.').pop() ?? id,
          CFBundleVersion: '1.0',
          ApplicationType: 'User',
        }));
        // At least one page, even an empty one, as devices with no user apps answer.
        let at = 0;
        do {
          const page = list.slice(at, at + PAGE);
          await writeAll(
            socket,
            encodePlistFrame(
              {
                Status: 'BrowsingApplications',
                CurrentList: page,
                CurrentAmount: page.length,
                CurrentIndex: at,
                Total: list.length,
              },
              'xml',
            ),
          );
          at += PAGE;
        } while (at < list.length);
        await writeAll(socket, encodePlistFrame({ Status: 'Complete' }, 'xml'));
      }
    } catch (error) {
      context.logger.debug({ reason: (error as Error).message }, 'installation_proxy connection ended');
      socket.destroy();
    }
  })();
}

/** The bundle IDs behind the content's `AppDomain-<id>` domains: the phone's installed apps. */
async function installedApps(config: BackupAgentConfig): Promise<string[]> {
  const content = await config.content();
  const apps = new Set<string>();
  try {
    // installation_proxy is asked for ApplicationType User: Apple's own apps (Safari…) have app domains in a
    // backup but are system apps, not listed.
    for await (const item of content.items()) {
      if (item.domain.startsWith('AppDomain-') && !item.domain.startsWith('AppDomain-com.apple.'))
        apps.add(item.domain.slice('AppDomain-'.length));
    }
  } finally {
    await content.close();
  }
  return [...apps].sort();
}

/** com.apple.mobile.installation_proxy, listing the apps of the phone's content. */
export const installationProxyService: DeviceService = {
  options: {},
  handler(config) {
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
    return (socket, context) => serveInstallationProxy(socket, context, appsOf);
  },
};
