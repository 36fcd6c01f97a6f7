import { generateDeviceContent } from '../content/index.js';
import { itemsContent, type PhoneContent } from './phone-content.js';

/** The seed of the built-in sample: the phone the README demo backs up and extracts. */
export const SAMPLE_SEED = 'demo';

/**
 * The built-in sample phone (contacts, messages, photos, calls, deleted rows included), generated once per process;
 * `iosVersion` picks the schemas it is written in (default the newest).
 */
export function sampleContent(iosVersion?: number): () => Promise<PhoneContent> {
  let items: ReturnType<typeof generateDeviceContent>['items'] | undefined;
  const description =
    iosVersion === undefined ? 'the built-in sample phone' : `the built-in sample phone (iOS ${iosVersion} schemas)`;
  return async () => {
    items ??= generateDeviceContent({ seed: SAMPLE_SEED, iosVersion }).items;
    return itemsContent(items, { description });
  };
}
