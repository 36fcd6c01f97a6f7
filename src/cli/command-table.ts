import type { Command } from 'commander';

/**
 * Every top-level command: its name, the arguments its usage line shows, a one-line summary for the command list,
 * and how to load the module that defines it. `iosrescue --help` and `--version` load none of them; running a
 * command loads only its own module (and what that imports), so start-up does not pay for every command's code.
 * test/unit/cli/command-table.test.ts checks this table against the commands the modules register.
 */
export interface CommandEntry {
  name: string;
  /** Arguments as the usage line shows them, e.g. `<BACKUP> <DOMAIN> <PATH>`. */
  args: string;
  summary: string;
  /** The module's register function; a module may register several commands (pair, validate, unpair). */
  load(): Promise<(program: Command) => void>;
}

export const COMMAND_TABLE: readonly CommandEntry[] = [
  {
    name: 'devices',
    args: '',
    summary: 'list the phones attached to usbmuxd; --watch follows plug and unplug',
    load: async () => (await import('./commands/devices.js')).registerDevicesCommand,
  },
  {
    name: 'info',
    args: '',
    summary: "show the phone's lockdown values (like ideviceinfo)",
    load: async () => (await import('./commands/info.js')).registerInfoCommand,
  },
  {
    name: 'pair',
    args: '',
    summary: 'pair with the phone (it asks "Trust This Computer?")',
    load: async () => (await import('./commands/pair.js')).registerPairCommands,
  },
  {
    name: 'validate',
    args: '',
    summary: "check that this computer's pairing with the phone works",
    load: async () => (await import('./commands/pair.js')).registerPairCommands,
  },
  {
    name: 'unpair',
    args: '',
    summary: 'make the phone forget this computer and delete the pair record',
    load: async () => (await import('./commands/pair.js')).registerPairCommands,
  },
  {
    name: 'backup',
    args: '',
    summary: 'pull a backup of the phone (incremental when possible; the previous one stays intact)',
    load: async () => (await import('./commands/backup.js')).registerBackupCommand,
  },
  {
    name: 'encryption',
    args: '<action>',
    summary: "show or change the phone's backup encryption",
    load: async () => (await import('./commands/encryption.js')).registerEncryptionCommand,
  },
  {
    name: 'backups',
    args: '',
    summary: 'list iTunes/Finder backups on this computer',
    load: async () => (await import('./commands/backups.js')).registerBackupsCommand,
  },
  {
    name: 'files',
    args: '<BACKUP>',
    summary: 'list the files in a backup (domain, path, kind, size)',
    load: async () => (await import('./commands/files.js')).registerFilesCommand,
  },
  {
    name: 'export-file',
    args: '<BACKUP> <DOMAIN> <PATH>',
    summary: 'copy one file out of a backup, decrypted',
    load: async () => (await import('./commands/export-file.js')).registerExportFileCommand,
  },
  {
    name: 'decrypt',
    args: '<BACKUP>',
    summary: 'write a decrypted, plain copy of a backup that any backup tool can read',
    load: async () => (await import('./commands/decrypt.js')).registerDecryptCommand,
  },
  {
    name: 'emulator',
    args: '',
    summary: 'run virtual iPhones behind a virtual usbmuxd (for tests and lab automation)',
    load: async () => (await import('./commands/emulator.js')).registerEmulatorCommand,
  },
  {
    name: 'media',
    args: '',
    summary: 'copy photos, videos, music, recordings and downloads straight from the phone (no backup): pull | ls',
    load: async () => (await import('./commands/media.js')).registerMediaCommand,
  },
  {
    name: 'scan',
    args: '<BACKUP>',
    summary: 'show what a backup holds per data type, deleted items included',
    load: async () => (await import('./commands/scan.js')).registerScanCommand,
  },
  {
    name: 'extract',
    args: '<BACKUP>',
    summary: 'save photos, contacts, messages, calls, notes… from a backup into a folder, with report.html',
    load: async () => (await import('./commands/extract.js')).registerExtractCommand,
  },
  {
    name: 'carve',
    args: '<DB>',
    summary: 'recover deleted records from an SQLite database',
    load: async () => (await import('./commands/carve.js')).registerCarveCommand,
  },
  {
    name: 'daemon',
    args: '',
    summary: 'run the lab daemon: back phones up as they are plugged in, durable jobs, a local HTTP API',
    load: async () => (await import('./commands/daemon.js')).registerDaemonCommand,
  },
  {
    name: 'jobs',
    args: '',
    summary: "list the daemon's jobs; --watch follows them",
    load: async () => (await import('./commands/jobs.js')).registerJobsCommand,
  },
  {
    name: 'console',
    args: '',
    summary: "print a one-time login link to the daemon's browser console",
    load: async () => (await import('./commands/console.js')).registerConsoleCommand,
  },
  {
    name: 'job',
    args: '',
    summary: "show or cancel one of the daemon's jobs",
    load: async () => (await import('./commands/job.js')).registerJobCommand,
  },
  {
    name: 'completion',
    args: '<shell>',
    summary: 'print a bash or zsh completion script',
    load: async () => {
      const [{ registerCompletionCommand }, { buildProgram }] = await Promise.all([
        import('./commands/completion.js'),
        import('./program.js'),
      ]);
      return (program: Command) => registerCompletionCommand(program, async () => buildProgram());
    },
  },
  {
    name: 'demo',
    args: '',
    summary: 'try everything on the built-in virtual iPhone: pair, back up, scan, extract, report',
    load: async () => (await import('./commands/demo.js')).registerDemoCommand,
  },
];

/**
 * The command named by an argument list (`node main.js [global options] <command> …`), or undefined for none.
 * `help <command>` names the command it asks about. Values of global options (`--log-level debug`) are skipped.
 */
export function commandNamed(argv: readonly string[]): CommandEntry | undefined {
  const args = argv.slice(2);
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    if (arg === '--') return undefined;
    if (arg === '--log-level') {
      i++;
      continue;
    }
    if (arg.startsWith('-')) continue;
    const name = arg === 'help' ? args.slice(i + 1).find((a) => !a.startsWith('-')) : arg;
    return COMMAND_TABLE.find((entry) => entry.name === name);
  }
  return undefined;
}

/** Gives each registered top-level command the one-line summary the command list shows (its own --help keeps the full
 * description). */
export function applySummaries(program: Command): void {
  for (const command of program.commands) {
    const entry = COMMAND_TABLE.find((e) => e.name === command.name());
    if (entry) command.summary(entry.summary);
  }
}
