import { generateDeviceContent } from '../content/index.js';
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
