import { ExtractError } from '../errors.js';
import { inflateNoteData, noteBodyFromMessage, type NoteBody } from './note-body.js';
import { ProtoMessage } from '../protobuf.js';

/**
 * A Notes table (attachment UTI `com.apple.notes.table`): its content is not in the note's body but in the
 * attachment row's ZMERGEABLEDATA1 (ZMERGEABLEDATA on older stores), a gzip'd CRDT document. Layout, as
 * apple_cloud_notes_parser documents it: MergableDataProto.object = 2 → .data = 3 → entries = 3 (repeated),
 * key_items = 4, type_items = 5, uuid_items = 6. An entry is a custom_map = 13 {type 1 (index into type_items),
 * map_entry 3 {key 1 (index into key_items), value 2 ObjectID}}, a dictionary = 6 {element 1 {key 1, value 2}},
 * a note = 10 (a cell's text, the body's Note shape) or an ordered_set = 16 {ordering 1 {array 1 {attachment 2
 * {index 1, uuid 2}}, contents 2 (dictionary)}}. ObjectID: unsigned_integer_value 2, string_value 4,
 * object_index 6. The ICTable entry's map names `crRows` and `crColumns` (ordered sets giving the row and column
 * order by UUID) and `cellColumns` (column → row → cell); `crTableColumnDirection` says whether columns read
 * right to left.
 */
export interface NoteTable {
  /** Cells row by row, in reading order (right-to-left tables already reversed, as the parser does). */
  rows: NoteBody[][];
  rightToLeft: boolean;
}

const EMPTY: NoteBody = { text: '', runs: [] };

/** An ObjectID's object_index (6), or undefined. */
function objectIndex(id: ProtoMessage | undefined): number | undefined {
  return id?.int(6);
}

export function decodeNoteTable(data: Buffer): NoteTable {
  const root = new ProtoMessage(inflateNoteData(data)).message(2)?.message(3);
  if (root === undefined) throw new ExtractError('EXTRACT_PROTOBUF_MALFORMED', 'table data has no MergableDataObject');
  const objects = root.messages(3);
  const keys = root.allBytes(4).map((b) => b.toString('utf8'));
  const types = root.allBytes(5).map((b) => b.toString('utf8'));
  const uuids = root.allBytes(6).map((b) => b.toString('hex'));

  /** The UUID index an entry stands for: the first map entry's unsigned_integer_value. */
  const target = (index: number | undefined): number | undefined => {
    const entry = index === undefined ? undefined : objects[index];
    const value = entry?.message(13)?.messages(3)[0]?.message(2)?.bigint(2);
    return value === undefined ? undefined : Number(value);
  };

  /** Positions (row or column order) by UUID index, from an ordered set. */
  const order = (entry: ProtoMessage | undefined): Map<number, number> => {
    const positions = new Map<number, number>();
    const ordering = entry?.message(16)?.message(1);
    if (ordering === undefined) return positions;
    for (const attachment of ordering.message(1)?.messages(2) ?? []) {
      const uuid = uuids.indexOf(attachment.bytes(2)?.toString('hex') ?? '');
      if (uuid >= 0 && !positions.has(uuid)) positions.set(uuid, positions.size);
    }
    // The contents map later UUIDs (edits) onto the one whose position they take.
    for (const element of ordering.message(2)?.messages(1) ?? []) {
      const key = target(objectIndex(element.message(1)));
      const value = target(objectIndex(element.message(2)));
      if (key !== undefined && value !== undefined && positions.has(key)) positions.set(value, positions.get(key)!);
    }
    return positions;
  };

  let rightToLeft = false;
  const directionKey = keys.indexOf('crTableColumnDirection');
  for (const entry of objects) {
    for (const mapEntry of entry.message(13)?.messages(3) ?? []) {
      const direction = mapEntry.message(2)?.string(4);
      if (direction !== undefined && (mapEntry.int(1) === directionKey || mapEntry.int(1) === directionKey + 1))
        rightToLeft = direction === 'CRTableColumnDirectionRightToLeft';
    }
  }

  const table = objects.find((entry) => {
    const map = entry.message(13);
    return map !== undefined && types[map.int(1) ?? -1] === 'com.apple.notes.ICTable';
  });
  if (table === undefined)
    throw new ExtractError('EXTRACT_PROTOBUF_MALFORMED', 'table data has no com.apple.notes.ICTable object');
  const parts = new Map<string, ProtoMessage | undefined>();
  for (const mapEntry of table.message(13)!.messages(3)) {
    const index = objectIndex(mapEntry.message(2));
    parts.set(keys[mapEntry.int(1) ?? -1] ?? '', index === undefined ? undefined : objects[index]);
  }
  const rowOrder = order(parts.get('crRows'));
  const columnOrder = order(parts.get('crColumns'));
  const rowCount = new Set(rowOrder.values()).size;
  const columnCount = new Set(columnOrder.values()).size;
  const rows: NoteBody[][] = Array.from({ length: rowCount }, () => Array.from({ length: columnCount }, () => EMPTY));
  for (const column of parts.get('cellColumns')?.message(6)?.messages(1) ?? []) {
    const x = columnOrder.get(target(objectIndex(column.message(1))) ?? -1);
    const cells = objects[objectIndex(column.message(2)) ?? -1];
    if (x === undefined || cells === undefined) continue;
    for (const cell of cells.message(6)?.messages(1) ?? []) {
      const y = rowOrder.get(target(objectIndex(cell.message(1))) ?? -1);
      const note = objects[objectIndex(cell.message(2)) ?? -1]?.message(10);
      if (y !== undefined && note !== undefined) rows[y]![x] = noteBodyFromMessage(note);
    }
  }
  if (rightToLeft) for (const row of rows) row.reverse();
  return { rows, rightToLeft };
}

/** A table as plain text: cells separated by tabs, rows by line breaks. */
export function noteTableText(table: NoteTable): string {
  return table.rows.map((row) => row.map((cell) => cell.text.replace(/\s*\n\s*/g, ' ').trim()).join('\t')).join('\n');
}
