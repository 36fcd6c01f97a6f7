import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import {
  DATA_TYPES,
  EXTRACTOR_LIST,
  EXTRACTORS,
  parseDataTypes,
  type ExtractorDescriptor,
} from '../../../src/extract/index.js';
import { SECTIONS } from '../../../src/extract/report/index.js';

/**
 * The registry is the one list of data types; the READMEs are written by hand, so these tests read them and fail
 * when they disagree with it (the message shows the line to write).
 */
const root = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
const read = (path: string): string => readFileSync(join(root, path), 'utf8');

/** A row of the "Data types" table of src/extract/README.md, as the descriptor says it. */
function tableRow(d: ExtractorDescriptor): string {
  const code = (s: string): string => `\`${s}\``;
  const sources = d.sources.map((s) => `${code(`${s.domain} ${s.path}`)} (${s.ios})`).join('; ');
  return `| ${code(d.type)} | ${d.label} | ${sources} | ${d.outputs.map(code).join(', ')} | ${d.records.map(code).join(', ')} |`;
}

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? sourceFiles(join(dir, e.name)) : e.name.endsWith('.ts') ? [join(dir, e.name)] : [],
  );
}

describe('extractor registry', () => {
  it('lists each type once, in pipeline order, and feeds DATA_TYPES, EXTRACTORS and --types', () => {
    expect(new Set(DATA_TYPES).size).toBe(DATA_TYPES.length);
    expect(DATA_TYPES).toEqual(EXTRACTOR_LIST.map((e) => e.type));
    for (const e of EXTRACTOR_LIST) expect(EXTRACTORS[e.type]).toBe(e);
    expect(parseDataTypes(undefined)).toEqual([...DATA_TYPES]);
  });

  it('gives the report the sections the descriptors name, and no other', () => {
    expect(Object.keys(SECTIONS)).toEqual(EXTRACTOR_LIST.filter((e) => e.section !== undefined).map((e) => e.type));
  });

  it('names record interfaces that exist', () => {
    const declared = sourceFiles(join(root, 'src/extract'))
      .map((f) => readFileSync(f, 'utf8'))
      .join('\n');
    for (const e of EXTRACTOR_LIST) {
      expect(e.records.length).toBeGreaterThan(0);
      for (const name of e.records)
        expect(declared, `${e.type}: ${name}`).toMatch(new RegExp(`export interface ${name}\\b`));
    }
  });

  it('has, per type, the files "Adding a data type" names: extractor, emulator content generator, unit test', () => {
    for (const type of DATA_TYPES) {
      for (const path of [
        `src/extract/extractors/${type}.ts`,
        `src/emulator/content/${type}.ts`,
        `test/unit/extract/${type}.test.ts`,
      ]) {
        expect(existsSync(join(root, path)), path).toBe(true);
      }
    }
  });

  it("matches README.md's --types list for extract", () => {
    const line = read('README.md')
      .split('\n')
      .find((l) => l.startsWith('iosrescue extract '));
    expect(line, 'README.md has no "iosrescue extract" line').toBeDefined();
    expect(/--types ([a-z,]+)\]/.exec(line!)?.[1]).toBe(DATA_TYPES.join(','));
  });

  it("matches src/extract/README.md's table of data types, row by row", () => {
    const text = read('src/extract/README.md');
    const start = text.indexOf('\n## Data types\n');
    expect(start, 'src/extract/README.md has no "## Data types" section').toBeGreaterThan(-1);
    const section = text.slice(start + 1).split(/\n## /)[0]!;
    const rows = section.split('\n').filter((l) => l.startsWith('| `'));
    expect(rows).toEqual(EXTRACTOR_LIST.map(tableRow));
  });
});
