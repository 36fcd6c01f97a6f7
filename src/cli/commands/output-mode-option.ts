import { Option } from 'commander';
import { OUTPUT_MODES, type OutputMode } from '../../operations/index.js';

/** `--output-mode`, shared by the commands that write a backup's contents out (extract, decrypt, export-file). */
export function outputModeOption(): Option {
  return new Option(
    '--output-mode <MODE>',
    'private: only you can read what is written (folders 0700, files 0600, whatever the umask); shared: the usual modes your umask gives',
  )
    .choices(OUTPUT_MODES)
    .default('private');
}

export interface OutputModeFlags {
  outputMode: OutputMode;
}
