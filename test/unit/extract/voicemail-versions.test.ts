import { describe, expect, it } from 'vitest';
import type { DeviceContentSpec } from '../../../src/emulator/content/index.js';
import { extractGenerated } from '../../helpers/extract-backups.js';
import { expectVoicemails } from '../../helpers/version-truth.js';

const ONLY_VOICEMAIL: DeviceContentSpec['omit'] = [
  'messages',
  'photos',
  'calls',
  'calendar',
  'safari',
  'reminders',
  'bookmarks',
  'whatsapp',
  'audio',
  'notes',
];

// voicemail.db keeps its dates alike from iOS 4 on (date in Unix seconds, trashed_date in seconds since 2001); up to
// iOS 8 (a real iOS 8 file's layout) it has no receiver/label columns and no `deleted` table.
describe.each([
  { ios: 4, encrypted: true },
  { ios: 8, encrypted: false },
  { ios: 9, encrypted: false },
])('voicemail of iOS $ios (encrypted: $encrypted)', ({ ios, encrypted }) => {
  it('every voicemail field by field, both epochs right', async () => {
    const run = await extractGenerated({
      encrypted,
      spec: { seed: `voicemail-v${ios}`, iosVersion: ios, contacts: 4, voicemails: 6, omit: ONLY_VOICEMAIL },
      extract: { types: ['voicemail'] },
    });
    try {
      expect(run.report.types.find((t) => t.type === 'voicemail')?.status).toBe('ok');
      await expectVoicemails(run.out, run.truth);
      // The old layout has nowhere to put a receiver or a moved message; the newer one has both.
      expect(run.truth.voicemails.some((v) => v.table === 'deleted')).toBe(ios >= 9);
      expect(run.truth.voicemails.every((v) => v.receiver === null)).toBe(ios <= 8);
    } finally {
      await run.cleanup();
    }
  });
});
