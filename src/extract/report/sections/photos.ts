import type { AlbumRecord, PhotoRecord } from '../../records.js';
import { attr, dateTime, fileHref, fileLink, isWebImage, itemAttributes, originMark, text } from '../html.js';
import type { ReportSection } from '../section.js';
import { recordCards } from './table.js';

/**
 * A grid of thumbnails linking to the exported files. The <img> points at the exported file itself (lazy-loaded):
 * inline data: URIs would make a 20,000-photo page hundreds of megabytes. Videos and formats a browser cannot draw
 * (HEIC, DNG) are tiles that link to the file.
 */
function photoCard(photo: PhotoRecord): string {
  const name = photo.originalFilename ?? photo.filename ?? `asset ${photo.id}`;
  const href = fileHref(photo.file);
  let picture: string;
  if (href === null) picture = '<div class="tile" title="not in the backup">∅</div>';
  else if (photo.kind === 'photo' && isWebImage(photo.file))
    picture = `<a href=${attr(href)}><img loading="lazy" src=${attr(href)} alt=${attr(name)}></a>`;
  else
    picture = `<a class="tile" href=${attr(href)} title=${attr(name)}>${photo.kind === 'video' ? '▶' : text((photo.file ?? '').replace(/^.*\./, '').toUpperCase())}</a>`;
  // livePhoto, screenshot and albums are newer fields: an older photos.json lacks them.
  const flags = [
    photo.favorite ? '★' : '',
    photo.hidden ? 'Hidden' : '',
    photo.kind === 'video' ? 'Video' : '',
    photo.screenshot ? 'Screenshot' : '',
    ...(photo.albums ?? []),
  ]
    .filter(Boolean)
    .join(' · ');
  const live = photo.livePhotoVideo ? ` · ${fileLink(photo.livePhotoVideo, 'Live Photo video')}` : '';
  const place =
    typeof photo.latitude === 'number' && typeof photo.longitude === 'number'
      ? ` · ${photo.latitude.toFixed(4)}, ${photo.longitude.toFixed(4)}`
      : '';
  const trashed =
    photo.recentlyDeleted && photo.trashedDate ? ` on ${dateTime(photo.trashedDate, { dateOnly: true })}` : '';
  return `<figure ${itemAttributes(photo.origin, 'photo')}>${picture}<figcaption>${text(name)}<br><span class="muted">${dateTime(photo.created)}${text(place)}${flags ? ` · ${text(flags)}` : ''}${live}</span>${originMark(photo.origin)}${trashed}${href === null ? ' <span class="muted">(file not in the backup)</span>' : ''}</figcaption></figure>\n`;
}

export const photosSection: ReportSection = {
  async render(context) {
    const { folder, input, write } = context;
    if (await input.exists(`${folder}/albums.json`)) {
      const albums: string[] = [];
      for await (const album of input.records<AlbumRecord>(`${folder}/albums.json`)) {
        albums.push(
          `<span class="album">${text(album.title ?? 'Untitled')} <span class="muted">(${album.assets?.length ?? 0})</span>${originMark(album.origin)}</span>`,
        );
      }
      // Album names are in each photo's caption too, so the page filter finds an album's photos.
      if (albums.length > 0) await write(`<p>Albums: ${albums.join(' · ')}</p>\n`);
    }
    return recordCards<PhotoRecord>(context, `${folder}/photos.json`, 'grid', photoCard);
  },
};
