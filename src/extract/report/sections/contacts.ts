import { displayName } from '../../exporters/vcard.js';
import type { ContactRecord, LabeledValue, PostalAddress } from '../../records.js';
import { attr, dateTime, fileHref, fileLink, isWebImage, itemAttributes, originMark, text, webLink } from '../html.js';
import type { ReportSection } from '../section.js';
import { recordCards } from './table.js';

function initials(name: string): string {
  return (
    [
      ...name
        .split(/\s+/)
        .filter(Boolean)
        .slice(0, 2)
        .map((w) => [...w][0] ?? ''),
    ]
      .join('')
      .toUpperCase() || '?'
  );
}

function row(label: string | null, value: string): string {
  return `<dt>${text(label ?? '')}</dt><dd>${value}</dd>`;
}

function address(a: PostalAddress): string {
  return text([a.street, [a.zip, a.city].filter(Boolean).join(' '), a.state, a.country].filter(Boolean).join(', '));
}

/** `tel:` and `mailto:` keep only the characters those schemes need, so a value cannot smuggle anything in. */
function phoneLink(p: LabeledValue): string {
  const dial = p.value.replace(/[^0-9+*#]/g, '');
  return dial ? `<a href=${attr(`tel:${dial}`)}>${text(p.value)}</a>` : text(p.value);
}

function emailLink(e: LabeledValue): string {
  return /^[^\s@<>"]+@[^\s@<>"]+$/.test(e.value)
    ? `<a href=${attr(`mailto:${encodeURI(e.value)}`)}>${text(e.value)}</a>`
    : text(e.value);
}

/** A card as in the Contacts app: picture (or initials), name, company, then every labelled value. */
function contactCard(c: ContactRecord): string {
  const name = displayName(c) || 'No name';
  const picture =
    isWebImage(c.imageFile) && fileHref(c.imageFile) !== null
      ? `<img class="avatar" loading="lazy" src=${attr(fileHref(c.imageFile)!)} alt="">`
      : `<div class="avatar">${text(initials(name))}</div>`;
  const job = [c.jobTitle, c.department, c.organization !== name ? c.organization : null].filter(Boolean).join(', ');
  const details = [
    ...(c.phones ?? []).map((p) => row(p.label ?? 'phone', phoneLink(p))),
    ...(c.emails ?? []).map((e) => row(e.label ?? 'e-mail', emailLink(e))),
    ...(c.urls ?? []).map((u) => row(u.label ?? 'web', webLink(u.value))),
    ...(c.addresses ?? []).map((a) => row(a.label ?? 'address', address(a))),
    c.birthday ? row('birthday', text(c.birthday)) : '',
    c.nickname && c.nickname !== name ? row('nickname', text(c.nickname)) : '',
    c.note ? row('note', `<span class="long">${text(c.note)}</span>`) : '',
  ].join('');
  const links = [
    c.vcardFile ? fileLink(c.vcardFile, 'vCard') : '',
    c.imageFile && fileHref(c.imageFile) ? fileLink(c.imageFile, 'picture') : '',
  ]
    .filter(Boolean)
    .join(' · ');
  return (
    `<div ${itemAttributes(c.origin, 'card contact')}>${picture}<div><div class="name">${text(name)}${originMark(c.origin)}</div>` +
    `${job ? `<div class="muted">${text(job)}</div>` : ''}${details ? `<dl>${details}</dl>` : ''}` +
    `<div class="muted">${links}${c.modified ? ` · modified ${dateTime(c.modified, { dateOnly: true })}` : ''}</div></div></div>\n`
  );
}

export const contactsSection: ReportSection = {
  render: (context) => recordCards<ContactRecord>(context, `${context.folder}/contacts.json`, 'cards', contactCard),
};
