import { escapeHtml } from '../exporters/messages-html.js';
import { isPlausibleDate } from '../date-check.js';
import type { RecordOrigin } from '../records.js';

/**
 * Building blocks of the report page. Everything shown comes from a phone (names, message text, titles, file
 * names) and is untrusted: text goes through `text()`, attribute values through `attr()`, links through `fileHref()`
 * or `webHref()`, never raw.
 */

export { escapeHtml };

/** Escaped text; null and undefined show as an empty string. */
export function text(value: string | number | boolean | null | undefined): string {
  return value === null || value === undefined ? '' : escapeHtml(String(value));
}

/** An attribute value, escaped for double quotes. */
export function attr(value: string | number | boolean): string {
  return `"${escapeHtml(String(value))}"`;
}

/**
 * A path relative to the output folder (as the extractors write them: `photos/Camera Roll/IMG_0001.JPG`) as a
 * relative URL from report.html at the folder's top: each segment percent-encoded, so a "#", "%" or "?" in a file
 * name stays part of the name. Null for anything that is not such a path (absolute, `..`, a scheme, a backslash).
 */
export function fileHref(relativePath: string | null | undefined): string | null {
  if (
    typeof relativePath !== 'string' ||
    relativePath === '' ||
    relativePath.startsWith('/') ||
    relativePath.includes('\\') ||
    /^[a-z][a-z0-9+.-]*:/i.test(relativePath)
  )
    return null;
  const segments = relativePath.split('/');
  if (segments.some((s) => s === '' || s === '.' || s === '..')) return null;
  return segments.map((s) => encodeURIComponent(s)).join('/');
}

/** A web address from the phone as a link target, only for http(s): a `javascript:` or `file:` URL stays text. */
export function webHref(url: string | null | undefined): string | null {
  if (typeof url !== 'string') return null;
  try {
    const parsed = new URL(url);
    return parsed.protocol === 'http:' || parsed.protocol === 'https:' ? parsed.href : null;
  } catch {
    return null;
  }
}

/** `<a>` to a file of the extraction, or the escaped label alone when the path is not usable. */
export function fileLink(relativePath: string | null | undefined, label: string): string {
  const href = fileHref(relativePath);
  return href === null ? text(label) : `<a href=${attr(href)}>${text(label)}</a>`;
}

/** An external link opened in a new tab without a referrer; plain text when the URL is not http(s). */
export function webLink(url: string | null | undefined, label?: string | null): string {
  const href = webHref(url);
  const shown = label || url || '';
  return href === null
    ? text(shown)
    : `<a href=${attr(href)} rel="noreferrer noopener" target="_blank">${text(shown)}</a>`;
}

/** `2023-01-26 15:12 UTC` from an ISO instant, inside a <time>; empty for null. */
export function dateTime(iso: string | null | undefined, options: { dateOnly?: boolean } = {}): string {
  if (typeof iso !== 'string' || iso === '') return '';
  const t = Date.parse(iso);
  if (Number.isNaN(t)) return text(iso);
  const shown = new Date(t).toISOString();
  const label = options.dateOnly ? shown.slice(0, 10) : `${shown.slice(0, 10)} ${shown.slice(11, 16)} UTC`;
  // A date outside 2000 … now + 1 year is what a wrong epoch or a damaged row decodes to: shown, never as fact.
  const unclear = isPlausibleDate(iso) ? '' : ' <span class="muted">(date unclear)</span>';
  return `<time datetime=${attr(iso)}>${label}</time>${unclear}`;
}

/** `1:02:03` or `4:05`. */
export function duration(seconds: number | null | undefined): string {
  if (typeof seconds !== 'number' || !Number.isFinite(seconds)) return '';
  const s = Math.round(seconds);
  const hms = [Math.floor(s / 3600), Math.floor((s % 3600) / 60), s % 60];
  return hms[0]! > 0
    ? `${hms[0]}:${String(hms[1]).padStart(2, '0')}:${String(hms[2]).padStart(2, '0')}`
    : `${hms[1]}:${String(hms[2]).padStart(2, '0')}`;
}

export function isDeleted(origin: unknown): boolean {
  return origin === 'recovered' || origin === 'recently-deleted';
}

/** The mark every deleted item carries, in every section: what the filter "deleted only" keeps. */
export function originMark(origin: RecordOrigin | string | null | undefined): string {
  if (origin === 'recovered') return '<span class="mark recovered">Recovered (deleted)</span>';
  if (origin === 'recently-deleted') return '<span class="mark recently-deleted">Recently deleted</span>';
  return '';
}

/** The attributes of one item (a card, a row, a bubble): the class `item`, `deleted` when it is, its origin. */
export function itemAttributes(origin: unknown, classes = ''): string {
  const safeOrigin = origin === 'recovered' || origin === 'recently-deleted' ? origin : 'live';
  return `class=${attr(['item', classes, safeOrigin === 'live' ? '' : 'deleted'].filter(Boolean).join(' '))} data-origin=${attr(safeOrigin)}`;
}

/** File extensions every browser draws in an <img>; HEIC, DNG and the like get a link instead of a broken image. */
const WEB_IMAGE = /\.(jpe?g|png|gif|webp|bmp|avif)$/i;

export function isWebImage(path: string | null | undefined): boolean {
  return typeof path === 'string' && WEB_IMAGE.test(path);
}
