/**
 * What sqlite_master says about each table, reduced to what carving needs: column names, type affinities
 * (SQLite "Datatypes" §3.1: INT → INTEGER; CHAR, CLOB, TEXT → TEXT; BLOB or none → BLOB; REAL, FLOA, DOUB → REAL;
 * anything else NUMERIC), NOT NULL, and which column (if any) is the rowid alias — an INTEGER PRIMARY KEY, stored
 * as NULL in the record because its value is the rowid (SQLite "rowidtable").
 */

export type Affinity = 'INTEGER' | 'REAL' | 'NUMERIC' | 'TEXT' | 'BLOB';

export interface TableInfo {
  name: string;
  rootPage: number;
  columns: string[];
  affinities: Affinity[];
  notNull: boolean[];
  /** Index of the INTEGER PRIMARY KEY column, -1 when the table has none. */
  rowidAlias: number;
  /**
   * The table is no longer in the schema: its definition came from a deleted sqlite_master row (DROP TABLE
   * deletes the row and frees the table's pages, whose cells stay intact on the freelist).
   */
  dropped?: true;
}

export interface ParsedCreateTable {
  columns: string[];
  declaredTypes: string[];
  notNull: boolean[];
  rowidAlias: number;
  withoutRowid: boolean;
}

const CONSTRAINT_WORDS = new Set([
  'CONSTRAINT',
  'PRIMARY',
  'NOT',
  'NULL',
  'UNIQUE',
  'CHECK',
  'DEFAULT',
  'COLLATE',
  'REFERENCES',
  'GENERATED',
  'AS',
]);
const TABLE_CONSTRAINTS = new Set(['CONSTRAINT', 'PRIMARY', 'UNIQUE', 'CHECK', 'FOREIGN']);

interface Token {
  text: string;
  quoted: boolean;
}

/** Splits SQL into words, quoted identifiers/strings ('…', "…", […], `…`), and single punctuation characters. */
function tokenize(sql: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < sql.length) {
    const c = sql[i]!;
    if (/\s/.test(c)) {
      i += 1;
    } else if (c === '-' && sql[i + 1] === '-') {
      while (i < sql.length && sql[i] !== '\n') i += 1;
    } else if (c === '/' && sql[i + 1] === '*') {
      const close = sql.indexOf('*/', i + 2);
      i = close < 0 ? sql.length : close + 2;
    } else if (c === "'" || c === '"' || c === '`' || c === '[') {
      const closer = c === '[' ? ']' : c;
      let text = '';
      let j = i + 1;
      while (j < sql.length) {
        if (sql[j] === closer) {
          if (closer !== ']' && sql[j + 1] === closer) {
            text += closer;
            j += 2;
            continue;
          }
          break;
        }
        text += sql[j];
        j += 1;
      }
      tokens.push({ text, quoted: true });
      i = j + 1;
    } else if (/[A-Za-z0-9_$\u0080-\uffff]/.test(c)) {
      let j = i;
      while (j < sql.length && /[A-Za-z0-9_$\u0080-\uffff]/.test(sql[j]!)) j += 1;
      tokens.push({ text: sql.slice(i, j), quoted: false });
      i = j;
    } else {
      tokens.push({ text: c, quoted: false });
      i += 1;
    }
  }
  return tokens;
}

const word = (token: Token | undefined): string => (token && !token.quoted ? token.text.toUpperCase() : '');

/**
 * The name `CREATE [TEMP] TABLE [IF NOT EXISTS] [schema.]name …` creates, null when the SQL is no CREATE TABLE.
 * A carved sqlite_master row is believed only when its sql names the table its name column names.
 */
export function createTableName(sql: string): string | null {
  const tokens = tokenize(sql);
  let i = 0;
  if (word(tokens[i++]) !== 'CREATE') return null;
  if (word(tokens[i]) === 'TEMP' || word(tokens[i]) === 'TEMPORARY') i += 1;
  if (word(tokens[i++]) !== 'TABLE') return null;
  if (word(tokens[i]) === 'IF' && word(tokens[i + 1]) === 'NOT' && word(tokens[i + 2]) === 'EXISTS') i += 3;
  let name = tokens[i];
  if (tokens[i + 1]?.text === '.' && !tokens[i + 1]!.quoted) name = tokens[i + 2];
  return name && (name.quoted || /^[A-Za-z_$\u0080-\uffff]/.test(name.text)) ? name.text : null;
}

/** Parses `CREATE TABLE name (…)`; null for anything else (virtual tables, `CREATE TABLE … AS SELECT`). */
export function parseCreateTable(sql: string): ParsedCreateTable | null {
  const tokens = tokenize(sql);
  if (word(tokens[0]) !== 'CREATE') return null;
  const open = tokens.findIndex((t) => !t.quoted && t.text === '(');
  if (open < 0 || tokens.slice(0, open).some((t) => word(t) === 'VIRTUAL')) return null;
  const definitions: Token[][] = [[]];
  let depth = 1;
  let close = -1;
  for (let i = open + 1; i < tokens.length; i += 1) {
    const t = tokens[i]!;
    if (!t.quoted && t.text === '(') depth += 1;
    if (!t.quoted && t.text === ')') depth -= 1;
    if (depth === 0) {
      close = i;
      break;
    }
    if (depth === 1 && !t.quoted && t.text === ',') definitions.push([]);
    else definitions[definitions.length - 1]!.push(t);
  }
  if (close < 0) return null;
  const tail = tokens.slice(close + 1).map(word);
  const withoutRowid = tail.includes('WITHOUT') && tail.includes('ROWID');
  const result: ParsedCreateTable = { columns: [], declaredTypes: [], notNull: [], rowidAlias: -1, withoutRowid };
  let tablePrimaryKey: string[] | null = null;
  for (const def of definitions) {
    if (def.length === 0) continue;
    if (TABLE_CONSTRAINTS.has(word(def[0]))) {
      const pk = def.findIndex((t) => word(t) === 'PRIMARY');
      if (pk >= 0) tablePrimaryKey = columnList(def, pk);
      continue;
    }
    let i = 1;
    const typeWords: string[] = [];
    while (i < def.length && !CONSTRAINT_WORDS.has(word(def[i]))) {
      const t = def[i]!;
      if (!t.quoted && t.text === '(') {
        let d = 0;
        for (; i < def.length; i += 1) {
          if (!def[i]!.quoted && def[i]!.text === '(') d += 1;
          if (!def[i]!.quoted && def[i]!.text === ')') d -= 1;
          if (d === 0) break;
        }
        i += 1;
        continue;
      }
      typeWords.push(t.text);
      i += 1;
    }
    const rest = def.slice(i).map(word);
    const declared = typeWords.join(' ');
    result.columns.push(def[0]!.text);
    result.declaredTypes.push(declared);
    result.notNull.push(rest.some((w, k) => w === 'NOT' && rest[k + 1] === 'NULL'));
    const pkAt = rest.indexOf('PRIMARY');
    if (pkAt >= 0 && rest[pkAt + 1] === 'KEY' && rest[pkAt + 2] !== 'DESC' && declared.toUpperCase() === 'INTEGER') {
      result.rowidAlias = result.columns.length - 1;
    }
  }
  if (tablePrimaryKey && tablePrimaryKey.length === 1) {
    const index = result.columns.findIndex((c) => c.toLowerCase() === tablePrimaryKey![0]!.toLowerCase());
    if (index >= 0 && result.declaredTypes[index]!.toUpperCase() === 'INTEGER') result.rowidAlias = index;
  }
  if (withoutRowid) result.rowidAlias = -1;
  return result.columns.length > 0 ? result : null;
}

function columnList(def: Token[], from: number): string[] {
  const open = def.findIndex((t, i) => i > from && !t.quoted && t.text === '(');
  if (open < 0) return [];
  const names: string[] = [];
  for (let i = open + 1; i < def.length && !(def[i]!.text === ')' && !def[i]!.quoted); i += 1) {
    if (def[i]!.quoted || /^[A-Za-z_]/.test(def[i]!.text)) {
      if (!['ASC', 'DESC', 'COLLATE'].includes(word(def[i]))) names.push(def[i]!.text);
    }
  }
  return names;
}

export function affinityOf(declaredType: string): Affinity {
  const t = declaredType.toUpperCase();
  if (t.includes('INT')) return 'INTEGER';
  if (t.includes('CHAR') || t.includes('CLOB') || t.includes('TEXT')) return 'TEXT';
  if (t.includes('BLOB') || t.trim() === '') return 'BLOB';
  if (t.includes('REAL') || t.includes('FLOA') || t.includes('DOUB')) return 'REAL';
  return 'NUMERIC';
}

/** Builds the carver's view of a table from its sqlite_master row; null for tables it cannot carve. */
export function tableInfoFrom(name: string, rootPage: number, sql: string): TableInfo | null {
  const parsed = parseCreateTable(sql);
  // WITHOUT ROWID tables live in index b-trees, which the carver does not read.
  if (!parsed || parsed.withoutRowid) return null;
  return {
    name,
    rootPage,
    columns: parsed.columns,
    affinities: parsed.declaredTypes.map(affinityOf),
    notNull: parsed.notNull,
    rowidAlias: parsed.rowidAlias,
  };
}

/**
 * Whether a stored serial type can appear in a column. TEXT affinity turns numbers into text, INTEGER and REAL
 * affinity turn numeric-looking text into numbers, so a mismatch means "not a row of this table" — except NUMERIC
 * and BLOB columns, which keep whatever they were given.
 */
export function typeFits(type: number, table: TableInfo, column: number): boolean {
  if (column === table.rowidAlias) return type === 0;
  if (type === 0) return !table.notNull[column];
  switch (table.affinities[column]) {
    case 'INTEGER':
    case 'REAL':
      return type <= 9;
    case 'TEXT':
      return type >= 12;
    default:
      return true;
  }
}

/** Tables a record's serial types fit, column for column. */
export function matchingTables(types: readonly number[], tables: readonly TableInfo[], fromColumn = 0): TableInfo[] {
  const matches: TableInfo[] = [];
  for (const table of tables) {
    if (table.columns.length !== types.length) continue;
    let fits = true;
    for (let i = fromColumn; i < types.length && fits; i += 1) fits = typeFits(types[i]!, table, i);
    if (fits) matches.push(table);
  }
  return matches;
}
