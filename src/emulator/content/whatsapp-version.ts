import type { SyntheticItem } from '../../backup/index.js';
import {
  buildChatStorageDb,
  type ChatStorageContent,
  WHATSAPP_DOMAIN,
  WHATSAPP_LEGACY_LOCATION,
} from './whatsapp-db.js';

/**
 * WhatsApp's chats on a phone of `ios`, as backup items, and the chats and messages they hold (the truth to compare
 * with): the app group (`ChatStorage.sqlite`, media under `Message/`) from iOS 8, which introduced app groups; before,
 * the app's own container (`Documents/ChatStorage.sqlite`, media under `Library/`) in the older schema of
 * whatsapp-db.ts legacyChatStorageSchema — whose media items carry no ZMETADATA, so no message quotes another.
 */
export function whatsappForVersion(
  content: ChatStorageContent,
  ios: number,
): { items: SyntheticItem[]; content: ChatStorageContent } {
  const legacy = ios <= 7;
  const held: ChatStorageContent = legacy
    ? {
        chats: content.chats,
        messages: content.messages.map((m) => ({ ...m, replyToStanzaId: null })),
        deleted: content.deleted.map((m) => ({ ...m, replyToStanzaId: null })),
      }
    : content;
  const domain = legacy ? WHATSAPP_LEGACY_LOCATION.domain : WHATSAPP_DOMAIN;
  const database = legacy ? WHATSAPP_LEGACY_LOCATION.relativePath : 'ChatStorage.sqlite';
  const mediaFolder = legacy ? WHATSAPP_LEGACY_LOCATION.mediaFolder : 'Message';
  const image = buildChatStorageDb(held, ios);
  const items: SyntheticItem[] = [
    ...(legacy ? ['Documents', 'Library', 'Library/Media'] : ['Message', 'Message/Media']).map((relativePath) => ({
      domain,
      relativePath,
      kind: 'directory' as const,
    })),
    { domain, relativePath: database, data: image.main },
  ];
  if (image.wal) items.push({ domain, relativePath: `${database}-wal`, data: image.wal });
  for (const m of held.messages)
    if (m.media?.localPath && m.media.data)
      items.push({ domain, relativePath: `${mediaFolder}/${m.media.localPath}`, data: m.media.data });
  return { items, content: held };
}
