import type { Command } from 'commander';
import { registerCompletionCommand } from './completion.js';
import { registerBackupCommand } from './backup.js';
import { registerBackupsCommand } from './backups.js';
import { registerCarveCommand } from './carve.js';
import { registerDecryptCommand } from './decrypt.js';
import { registerDemoCommand } from './demo.js';
import { registerDevicesCommand } from './devices.js';
import { registerEmulatorCommand } from './emulator.js';
import { registerEncryptionCommand } from './encryption.js';
import { registerExportFileCommand } from './export-file.js';
import { registerFilesCommand } from './files.js';
import { registerInfoCommand } from './info.js';
import { registerMediaCommand } from './media.js';
import { registerPairCommands } from './pair.js';
import { registerScanCommand } from './scan.js';
import { registerExtractCommand } from './extract.js';
import { registerDaemonCommand } from './daemon.js';
import { registerJobsCommand } from './jobs.js';
import { registerConsoleCommand } from './console.js';
import { registerJobCommand } from './job.js';

/** Every command registers itself here, one line each. */
export function registerCommands(program: Command): void {
  registerDevicesCommand(program);
  registerInfoCommand(program);
  registerPairCommands(program);
  registerBackupCommand(program);
  registerEncryptionCommand(program);
  registerBackupsCommand(program);
  registerFilesCommand(program);
  registerExportFileCommand(program);
  registerDecryptCommand(program);
  registerEmulatorCommand(program);
  registerScanCommand(program);
  registerExtractCommand(program);
  registerCarveCommand(program);
  registerMediaCommand(program);
  registerDaemonCommand(program);
  registerJobsCommand(program);
  registerConsoleCommand(program);
  registerJobCommand(program);
  registerDemoCommand(program);
  registerCompletionCommand(program, async () => program);
}
