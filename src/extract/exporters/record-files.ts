import type { OutputFolder } from '../output-folder.js';
import { csvRow } from './csv.js';
import { TextSink } from './text-sink.js';

/**
 * A JSON array file and a CSV file written one record at a time with backpressure (the records never sit in memory
 * together): `<name>.json` holds the records as they are, `<name>.csv` one row each under `header`.
 */
export class RecordFiles {
  private count = 0;

  private constructor(
    private readonly json: TextSink,
    private readonly csv: TextSink,
  ) {}

  /** `base` is relative to the output folder, without extension: `audio/voice-memos` → voice-memos.json and .csv. */
  static async open(out: OutputFolder, base: string, header: readonly string[]): Promise<RecordFiles> {
    const files = new RecordFiles(
      new TextSink(await out.absolute(`${base}.json`)),
      new TextSink(await out.absolute(`${base}.csv`)),
    );
    await files.json.write('[');
    await files.csv.write(csvRow(header));
    return files;
  }

  async write(record: object, row: Parameters<typeof csvRow>[0]): Promise<void> {
    await this.json.write(`${this.count === 0 ? '' : ','}\n  ${JSON.stringify(record)}`);
    await this.csv.write(csvRow(row));
    this.count++;
  }

  /** Ends both files; the number of records written. */
  async close(): Promise<number> {
    await this.json.write(this.count === 0 ? ']\n' : '\n]\n');
    await this.json.close();
    await this.csv.close();
    return this.count;
  }
}
