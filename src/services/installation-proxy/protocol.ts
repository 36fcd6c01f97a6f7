/** installation_proxy Browse (native-notes/protocols/installation-proxy.md "Browse"): the host sends XML plists. */
import type { PlistDict } from '../../plist/index.js';

export const INSTALLATION_PROXY_SERVICE = 'com.apple.mobile.installation_proxy';

export function browseRequest(options: { applicationType?: string; returnAttributes?: string[] } = {}): PlistDict {
  const clientOptions: PlistDict = { ApplicationType: options.applicationType ?? 'User' };
  if (options.returnAttributes) clientOptions.ReturnAttributes = options.returnAttributes;
  return { Command: 'Browse', ClientOptions: clientOptions };
}
