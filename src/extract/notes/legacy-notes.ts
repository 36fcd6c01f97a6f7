import type Database from 'better-sqlite3';
import { unsupportedSchema } from '../unsupported-schema.js';
import { fromAppleSeconds } from '../apple-time.js';
import { column, hasTable, tableColumns } from '../schema.js';
import { unstyledRun, type NoteBody } from './note-body.js';
import type { NoteStoreRow } from './note-store-db.js';

/**
 * The Notes database before iOS 9 (HomeDomain Library/Notes/notes.sqlite, still found in old backups and in
 * upgraded phones' backups): ZNOTE (ZTITLE, ZSUMMARY, ZCREATIONDATE, ZMODIFICATIONDATE, ZBODY, ZSTORE, ZGUID,
 * ZDELETEDFLAG), ZNOTEBODY.ZCONTENT holding the body as HTML, ZSTORE (a folder: ZNAME, ZACCOUNT) and ZACCOUNT (ZNAME).
 */
export const LEGACY_NOTES = { domain: 'HomeDomain', relativePath: 'Library/Notes/notes.sqlite' } as const;

const ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'", nbsp: '\u00a0' };

const BLOCK = /^(div|p|li|ul|ol|h[1-6]|tr|table|blockquote|pre)$/i;

function decodeEntities(text: string): string {
  return text.replace(/&(#x[0-9a-f]+|#\d+|[a-z]+);/gi, (whole, name: string) => {
    if (name.startsWith('#')) {
      const code = name[1] === 'x' || name[1] === 'X' ? parseInt(name.slice(2), 16) : parseInt(name.slice(1), 10);
      return code > 0 && code <= 0x10ffff ? String.fromCodePoint(code) : whole;
    }
    return ENTITIES[name.toLowerCase()] ?? whole;
  });
}

/**
 * The legacy body's HTML as plain text: a line break for <br> and around blocks (`Title<div>line</div>` is two
 * lines, `<div><br></div>` an empty one), list items marked "• ", tags dropped, entities decoded. The HTML itself
 * is never passed on to the exports (it is the phone's, not ours to trust).
 */
export function legacyHtmlToText(html: string): string {
  let out = '';
  const breakLine = (): void => {
    if (out !== '' && !out.endsWith('\n')) out += '\n';
  };
  const source = html.replace(/<(script|style)\b[\s\S]*?<\/\1\s*>/gi, '').replace(/<!--[\s\S]*?-->/g, '');
  for (const [, text, closing, tag] of source.matchAll(/([^<]+)|<(\/?)\s*([a-z0-9]+)[^>]*>/gi)) {
    if (text !== undefined)
      out += decodeEntities(text)
        .replace(/\u00a0/g, ' ')
        .replace(/[\r\n]+/g, ' ');
    else if (/^br$/i.test(tag!)) out += '\n';
    else if (BLOCK.test(tag!)) {
      breakLine();
      if (closing === '' && /^li$/i.test(tag!)) out += '• ';
    }
  }
  return out.replace(/[ \t]+\n/g, '\n').trim();
}

/** Plain text as a body of one unstyled run. */
export function plainBody(text: string): NoteBody {
  return {
    text,
    runs: text === '' ? [] : [unstyledRun(0, text.length)],
  };
}

export function* readLegacyNotes(db: Database.Database): Generator<NoteStoreRow> {
  const cols = tableColumns(db, 'ZNOTE');
  if (cols.size === 0) throw unsupportedSchema(db, 'notes.sqlite', 'ZNOTE table');
  const bodies = hasTable(db, 'ZNOTEBODY') && cols.has('ZBODY');
  const stores = hasTable(db, 'ZSTORE') && cols.has('ZSTORE');
  const accounts = stores && hasTable(db, 'ZACCOUNT') && tableColumns(db, 'ZSTORE').has('ZACCOUNT');
  const sql = `SELECT n.Z_PK AS id, ${['ZGUID', 'ZTITLE', 'ZSUMMARY', 'ZCREATIONDATE', 'ZMODIFICATIONDATE', 'ZDELETEDFLAG'].map((c) => column(cols, 'n', c)).join(', ')},
      ${bodies ? 'b.ZCONTENT' : 'NULL'} AS content, ${stores ? 's.ZNAME' : 'NULL'} AS folder, ${accounts ? 'a.ZNAME' : 'NULL'} AS account
    FROM ZNOTE n ${bodies ? 'LEFT JOIN ZNOTEBODY b ON b.Z_PK = n.ZBODY' : ''} ${stores ? 'LEFT JOIN ZSTORE s ON s.Z_PK = n.ZSTORE' : ''}
    ${accounts ? 'LEFT JOIN ZACCOUNT a ON a.Z_PK = s.ZACCOUNT' : ''}
    ORDER BY n.ZMODIFICATIONDATE, n.Z_PK`;
  for (const r of db.prepare(sql).iterate() as IterableIterator<Record<string, unknown>>) {
    const folder = typeof r.folder === 'string' ? r.folder : null;
    yield {
      record: {
        origin: Number(r.ZDELETEDFLAG) === 1 ? 'recently-deleted' : 'live',
        ...(Number(r.ZDELETEDFLAG) === 1 ? { markedForDeletion: true as const } : {}),
        id: Number(r.id),
        identifier: typeof r.ZGUID === 'string' ? r.ZGUID : null,
        store: 'notes.sqlite',
        account: typeof r.account === 'string' ? r.account : null,
        folder,
        title: typeof r.ZTITLE === 'string' ? r.ZTITLE : null,
        snippet: typeof r.ZSUMMARY === 'string' ? r.ZSUMMARY : null,
        text: null,
        created: fromAppleSeconds(r.ZCREATIONDATE)?.toISOString() ?? null,
        modified: fromAppleSeconds(r.ZMODIFICATIONDATE)?.toISOString() ?? null,
        pinned: false,
        locked: false,
        attachments: [],
        file: null,
        markdownFile: null,
      },
      body: typeof r.content === 'string' ? plainBody(legacyHtmlToText(r.content)) : null,
      folderPath: folder === null ? [] : [folder],
      accountIdentifier: null,
    };
  }
}
