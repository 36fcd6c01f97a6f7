import { BackupReader, type OpenBackupOptions } from '../backup/index.js';
import {
  runExtraction,
  type DataType,
  type DateRange,
  type ExtractionReport,
  type OutputMode,
  type SkippedFile,
  type TypeResult,
} from '../extract/index.js';

export interface ExtractBackupOptions extends OpenBackupOptions {
  backup: string;
  out: string;
  types?: DataType[];
  range?: DateRange;
  outputMode?: OutputMode;
  signal?: AbortSignal;
  onType?: (event: { type: DataType; phase: 'start' | 'done'; result?: TypeResult }) => void;
  /** Each backup file not read (link, FIFO, device, oversized or missing data), as it happens. */
  onSkip?: (file: SkippedFile) => void;
}

/** Opens a backup (asking for the password only when it is encrypted) and saves the chosen data types under `out`. */
export async function extractBackup(options: ExtractBackupOptions): Promise<ExtractionReport> {
  const reader = await BackupReader.open(options.backup, options);
  try {
    return await runExtraction(reader, {
      out: options.out,
      types: options.types,
      range: options.range,
      tempDir: options.tempDir,
      outputMode: options.outputMode,
      signal: options.signal,
      onType: options.onType,
      onSkip: options.onSkip,
    });
  } finally {
    await reader.close();
  }
}
