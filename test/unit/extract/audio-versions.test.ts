import { describe, expect, it } from 'vitest';
import type { DeviceContentSpec } from '../../../src/emulator/content/index.js';
import { extractGenerated } from '../../helpers/extract-backups.js';
import { expectVoiceMemos } from '../../helpers/version-truth.js';

const ONLY_AUDIO: DeviceContentSpec['omit'] = [
  'messages',
  'contacts',
  'photos',
  'calls',
  'calendar',
  'safari',
  'reminders',
  'voicemail',
  'bookmarks',
  'whatsapp',
  'notes',
];

// Where the version keeps voice memos: Recordings.db (≤ 11), CloudRecordings.db in MediaDomain (12–14), in the app
// group (15+); the layout follows from the version alone, as on a phone. Each boundary is tested here; the other
// versions in test/integration/ios-versions.test.ts.
describe.each([
  { ios: 11, encrypted: true, where: 'MediaDomain/Media/Recordings/Recordings.db' },
  { ios: 14, encrypted: false, where: 'MediaDomain/Media/Recordings/CloudRecordings.db' },
  { ios: 15, encrypted: true, where: 'AppDomainGroup-group.com.apple.VoiceMemos.shared/Recordings/CloudRecordings.db' },
])('voice memos of iOS $ios (encrypted: $encrypted)', ({ ios, encrypted, where }) => {
  it(`come from ${where}, field by field, dates included`, async () => {
    const run = await extractGenerated({
      encrypted,
      spec: { seed: `audio-v${ios}`, iosVersion: ios, voiceMemos: 6, ringtones: 1, tracks: 2, omit: ONLY_AUDIO },
      extract: { types: ['audio'] },
    });
    try {
      expect(run.report.types.find((t) => t.type === 'audio')?.status).toBe('ok');
      expect(run.truth.voiceMemos.length).toBeGreaterThan(0);
      expect(
        run.truth.voiceMemos.every((m) => `${m.domain}/${m.relativePath}`.startsWith(where.replace(/[^/]+$/, ''))),
      ).toBe(true);
      await expectVoiceMemos(run.out, run.truth);
    } finally {
      await run.cleanup();
    }
  });
});
