import type { VoicemailRecord } from '../../records.js';
import { attr, dateTime, duration, fileHref, fileLink, text } from '../html.js';
import type { ReportSection } from '../section.js';
import { recordTable } from './table.js';

/**
 * As in the Phone app's Voicemail: caller, date, length and a player for the exported audio (preload="none": the
 * page reads nothing until one is played). Older voicemails are AMR, which most browsers cannot play; the link
 * beside the player opens the file in the computer's own player.
 */
function audio(v: VoicemailRecord): string {
  const href = fileHref(v.file);
  if (href === null)
    return `<span class="muted">${v.origin === 'recovered' ? 'audio gone with the row' : 'not in the backup'}</span>`;
  return `<audio controls preload="none" src=${attr(href)}></audio> ${fileLink(v.file, v.file!.slice(v.file!.lastIndexOf('.') + 1).toUpperCase() || 'file')}`;
}

function caller(v: VoicemailRecord): string {
  const number = v.sender ?? v.callbackNumber;
  if (v.name) return `<strong>${text(v.name)}</strong>${number ? ` <span class="muted">${text(number)}</span>` : ''}`;
  return number ? text(number) : '<span class="muted">unknown caller</span>';
}

export const voicemailSection: ReportSection = {
  render: (context) =>
    recordTable<VoicemailRecord>(context, `${context.folder}/voicemail.json`, [
      { title: 'Date', cell: (v) => dateTime(v.date) },
      { title: 'Caller', cell: caller },
      { title: 'Length', cell: (v) => duration(v.durationSeconds), numeric: true },
      { title: 'Audio', cell: audio },
      { title: 'Deleted', cell: (v) => (v.trashedDate ? `in Deleted Messages since ${dateTime(v.trashedDate)}` : '') },
    ]),
};
