/**
 * The Netscape bookmark file format (what every browser's "Import bookmarks from HTML" reads and Safari, Firefox
 * and Chrome export): a `<DL>` per folder, `<DT><H3>` for a folder's name, `<DT><A HREF>` for a bookmark, dates
 * as Unix seconds. Pure: yields the text piece by piece.
 */

export interface NetscapeNode {
  kind: 'bookmark' | 'folder';
  title: string | null;
  url: string | null;
  /** ISO instant, written as LAST_MODIFIED. */
  modified: string | null;
  /** The folder browsers put on their toolbar (Safari's Favorites). */
  toolbar?: boolean;
  children: NetscapeNode[];
}

/** Text and attribute values: &, <, > and " escaped, so a title or URL cannot open markup. */
export function escapeHtml(value: string): string {
  return value.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

function dateAttribute(iso: string | null): string {
  if (iso === null) return '';
  const seconds = Math.floor(Date.parse(iso) / 1000);
  return Number.isFinite(seconds) ? ` LAST_MODIFIED="${seconds}"` : '';
}

function* folderLines(nodes: NetscapeNode[], depth: number): Generator<string> {
  const pad = '    '.repeat(depth);
  yield `${pad}<DL><p>\n`;
  for (const node of nodes) {
    if (node.kind === 'folder') {
      yield `${pad}    <DT><H3${dateAttribute(node.modified)}${node.toolbar ? ' PERSONAL_TOOLBAR_FOLDER="true"' : ''}>${escapeHtml(node.title ?? '')}</H3>\n`;
      yield* folderLines(node.children, depth + 1);
    } else if (node.url !== null) {
      yield `${pad}    <DT><A HREF="${escapeHtml(node.url)}"${dateAttribute(node.modified)}>${escapeHtml(node.title ?? node.url)}</A>\n`;
    }
  }
  yield `${pad}</DL><p>\n`;
}

export function* netscapeBookmarkFile(nodes: NetscapeNode[]): Generator<string> {
  yield '<!DOCTYPE NETSCAPE-Bookmark-file-1>\n<!-- This is an automatically generated file.\n     It will be read and overwritten.\n     DO NOT EDIT! -->\n';
  yield '<META HTTP-EQUIV="Content-Type" CONTENT="text/html; charset=UTF-8">\n<TITLE>Bookmarks</TITLE>\n<H1>Bookmarks</H1>\n';
  yield* folderLines(nodes, 0);
}
