import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { BackupReader, writeSyntheticBackup } from '../../../src/backup/index.js';
import { generateDeviceContent } from '../../../src/emulator/content/index.js';
import { NOTE_STORE } from '../../../src/extract/notes/note-store-db.js';
import { runExtraction, type NoteRecord } from '../../../src/extract/index.js';
import { withTempDir } from '../../helpers/backup-fixtures.js';
import { runCliInProcess } from '../../helpers/cli.js';

const TYPES = 'contacts,messages,calls,notes';

/**
 * `scan` separates what the databases hold (records, Recently Deleted) from the ids missing from their tables, an
 * estimate of deletions that must never read as a number of things the user can get back (issue 13: "~7,737 deleted
 * for good" on a call history where the carver then recovered none).
 */
describe('scan wording', () => {
  it('prints known counts in the table and missing row ids apart, as an estimate, in text and --json', async () => {
    await withTempDir('iosrescue-scan-wording-', async (dir) => {
      const content = generateDeviceContent({
        seed: 'scan-wording',
        contacts: 10,
        messages: 20,
        photos: 0,
        calls: 30,
        notes: 8,
        deletedFraction: 0.2,
      });
      const backup = join(dir, 'backup');
      await writeSyntheticBackup(backup, { items: content.items });
      const truth = content.truth;

      const json = await runCliInProcess(['scan', backup, '--types', TYPES, '--json']);
      expect(json.status).toBe(0);
      const result = JSON.parse(json.stdout) as { manifest: string; types: Array<Record<string, unknown>> };
      expect(result.manifest).toBe('db');
      for (const type of result.types) {
        expect(Object.keys(type).sort()).toEqual(
          [
            'bytes',
            'firstDate',
            'lastDate',
            'present',
            'recentlyDeleted',
            'records',
            'rowIdsMissing',
            'type',
            'warnings',
          ].sort(),
        );
      }
      const byType = new Map(result.types.map((t) => [t.type, t]));
      expect(byType.get('calls')).toMatchObject({
        present: true,
        records: truth.calls.length,
        rowIdsMissing: truth.deletedCalls.length,
      });
      expect(byType.get('contacts')).toMatchObject({ rowIdsMissing: truth.deletedContacts.length });
      expect(truth.deletedCalls.length).toBeGreaterThan(0);

      const text = await runCliInProcess(['scan', backup, '--types', TYPES]);
      expect(text.status).toBe(0);
      const out = text.stdout;
      const header = out.split('\n').find((l) => l.startsWith('type'))!;
      expect(header).toMatch(/^type\s+records recently deleted {2}first\s+last\s+size$/);
      // The table holds facts only: no column of deletions "for good", no "~" promise.
      expect(out).not.toMatch(/purged|for good|~\d/);
      expect(out).toContain('Estimates, not counts of what can be recovered');
      for (const t of result.types.filter((t) => Number(t.rowIdsMissing ?? 0) > 0)) {
        expect(out).toMatch(
          new RegExp(
            `^  ${t.type as string}\\s+row ids missing: ${t.rowIdsMissing}; these may or may not be recoverable$`,
            'm',
          ),
        );
      }
      expect(out).toContain(
        "What the carver actually recovers from free space, the -wal and the journal is counted by 'iosrescue extract'.",
      );
      const callsRow = out.split('\n').find((l) => l.startsWith('calls '))!;
      expect(callsRow.trim().split(/\s+/).slice(0, 3)).toEqual(['calls', String(truth.calls.length), '-']);
    });
  });
});

describe('deleted notes are called what they are', () => {
  it('a note marked for deletion outside Recently Deleted is labelled "Marked for deletion", not "Recently deleted"', async () => {
    await withTempDir('iosrescue-marked-notes-', async (dir) => {
      const content = generateDeviceContent({ seed: 'marked-notes', contacts: 2, messages: 2, photos: 0, notes: 8 });
      // One ordinary live note (in no trash folder) is marked for deletion, as a phone does before its account syncs.
      const target = content.truth.notes.find((n) => !n.recentlyDeleted && !n.markedForDeletion && !n.locked)!;
      const item = content.items.find(
        (i) => i.domain === NOTE_STORE.domain && i.relativePath === NOTE_STORE.relativePath,
      )!;
      const scratch = join(dir, 'NoteStore.sqlite');
      await writeFile(scratch, item.data as Buffer);
      const db = new Database(scratch);
      db.prepare('UPDATE ZICCLOUDSYNCINGOBJECT SET ZMARKEDFORDELETION = 1 WHERE Z_PK = ?').run(target.pk);
      db.close();
      item.data = await readFile(scratch);
      const backup = join(dir, 'backup');
      await writeSyntheticBackup(backup, { items: content.items });

      const reader = await BackupReader.open(backup);
      const out = join(dir, 'out');
      try {
        await runExtraction(reader, { out, types: ['notes'], tempDir: dir });
      } finally {
        await reader.close();
      }
      const notes = JSON.parse(await readFile(join(out, 'notes/notes.json'), 'utf8')) as NoteRecord[];
      const marked = notes.find((n) => n.id === target.pk)!;
      expect(marked).toMatchObject({ origin: 'recently-deleted', markedForDeletion: true });
      // Notes in a Recently Deleted folder stay "Recently deleted", also the one that is marked as well.
      for (const truth of content.truth.notes.filter((n) => n.recentlyDeleted)) {
        const note = notes.find((n) => n.id === truth.pk)!;
        expect(note.origin).toBe('recently-deleted');
        expect(note.markedForDeletion).toBeUndefined();
      }
      const html = await readFile(join(out, 'report.html'), 'utf8');
      const card = html.split(/(?=<div class="item card note)/).find((c) => c.includes(`>${marked.title}<`))!;
      expect(card).toContain('<span class="mark recently-deleted">Marked for deletion</span>');
      expect(card).not.toContain('>Recently deleted<');
    });
  });
});
