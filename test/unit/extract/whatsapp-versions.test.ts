import { describe, expect, it } from 'vitest';
import type { DeviceContentSpec } from '../../../src/emulator/content/index.js';
import { extractGenerated } from '../../helpers/extract-backups.js';
import { expectWhatsApp } from '../../helpers/version-truth.js';

const ONLY_WHATSAPP: DeviceContentSpec['omit'] = [
  'messages',
  'contacts',
  'photos',
  'calls',
  'calendar',
  'safari',
  'reminders',
  'voicemail',
  'bookmarks',
  'audio',
  'notes',
];

// Before iOS 8 (no app groups) WhatsApp kept ChatStorage.sqlite in its own container, in an older schema.
describe.each([
  { ios: 7, encrypted: true, where: 'AppDomain-net.whatsapp.WhatsApp' },
  { ios: 8, encrypted: false, where: 'AppDomainGroup-group.net.whatsapp.WhatsApp.shared' },
])('WhatsApp on iOS $ios (encrypted: $encrypted)', ({ ios, encrypted, where }) => {
  it(`reads ChatStorage.sqlite from ${where}: every message field by field, its media copied`, async () => {
    const run = await extractGenerated({
      encrypted,
      spec: { seed: `whatsapp-v${ios}`, iosVersion: ios, whatsappMessages: 20, omit: ONLY_WHATSAPP },
      extract: { types: ['whatsapp'] },
    });
    try {
      const result = run.report.types.find((t) => t.type === 'whatsapp')!;
      expect(result.status).toBe('ok');
      await expectWhatsApp(run.out, run.truth);
      expect(run.truth.whatsappMessages.some((m) => m.media?.data)).toBe(true);
      expect(run.truth.whatsappMessages.some((m) => m.replyToStanzaId !== null)).toBe(ios >= 8);
    } finally {
      await run.cleanup();
    }
  });
});
