import { useEffect, useState } from 'preact/hooks';
import { api } from './api.js';
import type { SelectionState } from './selection.js';

/** One Photos album as GET /console/api/backups/{id}/albums lists it. */
export interface Album {
  id: string;
  title: string;
  count: number;
  recentlyDeleted?: boolean;
}

/** The photos view's albums: a checkbox per album selects all its photos and videos for saving. */
export function AlbumsPicker(props: {
  backupId: string;
  selection: SelectionState;
  onSelectionChange: () => void;
  onError: (error: unknown) => void;
}) {
  const { backupId, selection, onError } = props;
  const [albums, setAlbums] = useState<Album[] | undefined>();

  useEffect(() => {
    api<Album[]>('GET', `/console/api/backups/${encodeURIComponent(backupId)}/albums`).then(setAlbums, onError);
  }, [backupId, onError]);

  if (!albums || albums.length === 0) return null;
  return (
    <fieldset class="albums">
      <legend>Albums</legend>
      <ul>
        {albums.map((album) => (
          <li key={album.id}>
            <label class="check">
              <input
                type="checkbox"
                aria-label={`Select album ${album.title}`}
                checked={selection.albums.has(album.id)}
                onChange={(event) => {
                  selection.toggleAlbum(album.id, album.title, (event.currentTarget as HTMLInputElement).checked);
                  props.onSelectionChange();
                }}
              />
              {album.title} <span class="n">({album.count.toLocaleString()})</span>
              {album.recentlyDeleted && <span class="deleted-count"> deleted album</span>}
            </label>
          </li>
        ))}
      </ul>
    </fieldset>
  );
}
