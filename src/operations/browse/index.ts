import { BackupReader } from '../../backup/index.js';

export { albumPhotos, albumsOf, type BrowseAlbum } from './browse-albums.js';
export { BrowseIndex, type TypeSummary } from './browse-index.js';
export {
  filesOf,
  itemsOfJson,
  pageOf,
  searchText,
  type BrowseItem,
  type ConversationSummary,
  type ItemQuery,
} from './browse-items.js';
export { ZipStream, crc32 } from './zip-stream.js';
export { planSelection, saveSelection, zipSelection, type Selection, type SaveProgress } from '../save-selection.js';
export { makeThumbnail } from './thumbnail.js';

/** Opens a backup for browsing (with its password when it is encrypted). */
export function openBackupReader(path: string, password?: string): Promise<BackupReader> {
  return BackupReader.open(path, password === undefined ? {} : { password });
}
