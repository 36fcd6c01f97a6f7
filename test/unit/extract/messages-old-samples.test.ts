import { expect, it } from 'vitest';
import type { MessageRecord } from '../../../src/extract/index.js';
import { externalSample, extractSamples } from '../../helpers/old-sample-backup.js';
import { parseCsv } from '../../helpers/csv.js';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';

const sms = externalSample('eichbaumj-ios5/sms.db');

it.skipIf(sms === undefined)(
  'a real iOS 5 madrid sms.db gives its 4 SMS with Unix-second dates (not 2043), and the deleted one the carver finds',
  async () => {
    const run = await extractSamples(
      [{ domain: 'HomeDomain', relativePath: 'Library/SMS/sms.db', path: sms! }],
      ['messages'],
    );
    try {
      expect(run.report.types.find((t) => t.type === 'messages')).toMatchObject({ status: 'ok', records: 5 });
      const rows = parseCsv(await readFile(join(run.out, 'messages/messages.csv'), 'utf8'));
      const [header, ...data] = rows;
      const col = (name: string) => header!.indexOf(name);
      const pick = (r: string[]) => [
        r[col('id')],
        r[col('date')],
        r[col('from_me')],
        r[col('service')],
        r[col('origin')],
      ];
      expect(data.map(pick)).toEqual([
        ['6', '2012-03-11T02:08:09.000Z', 'true', 'SMS', 'live'],
        ['7', '2012-03-11T02:08:44.000Z', 'true', 'SMS', 'live'],
        ['8', '2012-03-11T02:08:54.000Z', 'false', 'SMS', 'live'],
        ['9', '2012-04-26T23:56:13.000Z', 'true', 'SMS', 'live'],
        ['-1', '2012-04-26T23:57:08.000Z', 'true', 'SMS', 'recovered'],
      ]);
      expect(data[4]![col('text')]).toBe('This will be deleted prior to the logical dump. ');
      // Message 6 is an MMS: an empty text, its words and picture as msg_pieces parts (the picture's file is not in
      // this backup, which holds only sms.db).
      expect(data[0]![col('text')]).toBe('Check it ouy');
      const chats = await run.json<Array<{ folder: string; messageCount: number }>>('messages/conversations.json');
      expect(chats.map((c) => c.messageCount)).toEqual([3, 1, 1]);
      const first = await run.json<{ messages: MessageRecord[] }>(`${chats[0]!.folder}/conversation.json`);
      expect(first.messages.map((m) => m.handle)).toEqual([null, '(209) 598-1933', '+12095981933']);
      expect(first.messages[0]!.attachments.map((a) => [a.transferName, a.mimeType, a.file])).toEqual([
        ['IMG_3766.jpg', 'image/jpeg', null],
      ]);
      expect(run.report.types.find((t) => t.type === 'messages')!.warnings).toEqual([
        'attachment IMG_3766.jpg of message 6 is not in the backup',
      ]);
    } finally {
      await run.cleanup();
    }
  },
);
