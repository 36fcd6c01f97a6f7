/** notification_proxy messages (native-notes/protocols/notification-proxy.md "Messages"). The host sends XML plists. */
import type { PlistDict } from '../../plist/index.js';

export const NOTIFICATION_PROXY_SERVICE = 'com.apple.mobile.notification_proxy';

export const SyncNotification = {
  WILL_START: 'com.apple.itunes-mobdev.syncWillStart',
  DID_START: 'com.apple.itunes-mobdev.syncDidStart',
  DID_FINISH: 'com.apple.itunes-mobdev.syncDidFinish',
  LOCK_REQUEST: 'com.apple.itunes-mobdev.syncLockRequest',
  CANCEL_REQUEST: 'com.apple.itunes-client.syncCancelRequest',
  SUSPEND_REQUEST: 'com.apple.itunes-client.syncSuspendRequest',
  RESUME_REQUEST: 'com.apple.itunes-client.syncResumeRequest',
  BACKUP_DOMAIN_CHANGED: 'com.apple.mobile.backup.domain_changed',
  /** The phone shows (and hides) its passcode prompt before a backup (iOS 16.1+; pymobiledevice3 watches these). */
  PASSCODE_PRESENTED: 'com.apple.LocalAuthentication.ui.presented',
  PASSCODE_DISMISSED: 'com.apple.LocalAuthentication.ui.dismissed',
} as const;

export const observeRequest = (name: string): PlistDict => ({ Command: 'ObserveNotification', Name: name });
export const postRequest = (name: string): PlistDict => ({ Command: 'PostNotification', Name: name });
export const shutdownRequest = (): PlistDict => ({ Command: 'Shutdown' });
