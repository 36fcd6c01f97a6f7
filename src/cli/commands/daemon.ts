import type { Command } from 'commander';
import { serveDaemon } from '../../daemon/index.js';
import { IosRescueError } from '../../errors.js';
import { createLogger, type LogLevel } from '../../logging.js';
import { exitCodeFor } from '../exit-codes.js';
import type { GlobalOptions } from '../run-command.js';

interface DaemonFlags {
  stateDir?: string;
  config?: string;
  listen?: string;
}

export function registerDaemonCommand(program: Command): void {
  program
    .command('daemon')
    .description(
      'run the daemon for lab workstations: watches usbmuxd, backs phones up by policy, keeps durable jobs, and serves a local HTTP API (unix socket <state-dir>/daemon.sock, mode 0600)',
    )
    .option(
      '--state-dir <DIR>',
      'where the job database, socket and token live (default ~/.local/state/iosrescue; /var/lib/iosrescue as root; or IOSRESCUE_STATE_DIR)',
    )
    .option(
      '--config <FILE>',
      'JSON policy file (default <state-dir>/config.json when it exists; see src/daemon/README.md)',
    )
    .option(
      '--listen <127.0.0.1:PORT>',
      'also serve the API on loopback TCP; every request then needs "Authorization: Bearer $(cat <state-dir>/token)"',
    )
    .addHelpText(
      'after',
      '\nWhile it runs, `iosrescue backup`, `extract` and `encryption` become jobs of this daemon (--no-daemon runs\n' +
        'them directly); `iosrescue jobs`, `iosrescue job show|cancel ID` and `iosrescue devices` show its state.\n' +
        'SIGTERM or Ctrl-C drains (running backups end cleanly, the previous backup stays intact, jobs are retried\n' +
        'at the next start); SIGHUP reloads the config. It honours USBMUXD_SOCKET_ADDRESS. API: GET /openapi.json.\n' +
        '\nExamples:\n  iosrescue daemon\n  iosrescue daemon --state-dir /srv/iosrescue --config lab.json --listen 127.0.0.1:8765\n' +
        '  curl --unix-socket ~/.local/state/iosrescue/daemon.sock http://x/v1/devices\n',
    )
    .action(async (flags: DaemonFlags, command: Command) => {
      // Not runCommand: its Ctrl-C handling exits after a short grace, and a daemon's drain may take longer.
      const globals = command.optsWithGlobals() as GlobalOptions;
      const logger = createLogger({ level: globals.logLevel ?? ((globals.debug ? 'debug' : 'info') as LogLevel) });
      try {
        const served = await serveDaemon({
          stateDir: flags.stateDir,
          configPath: flags.config,
          listen: flags.listen,
          usbmuxdAddress: process.env.USBMUXD_SOCKET_ADDRESS || undefined,
          logger,
          handleSignals: true,
        });
        const ready = {
          event: 'ready',
          pid: process.pid,
          version: served.handle.engine.version,
          stateDir: served.handle.stateDir,
          socketPath: served.api.socketPath,
          ...(served.api.tcp && { tcp: served.api.tcp }),
        };
        if (globals.json) process.stdout.write(`${JSON.stringify(ready)}\n`);
        else {
          const tcp = served.api.tcp
            ? ` and http://${served.api.tcp.host}:${served.api.tcp.port} (token in ${served.handle.stateDir}/token)`
            : '';
          process.stdout.write(`iosrescue daemon ${ready.version}: API on ${ready.socketPath}${tcp}\n`);
        }
        await served.closed;
        process.exitCode = 0;
      } catch (error) {
        const code = error instanceof IosRescueError ? error.code : 'UNEXPECTED';
        const message = error instanceof Error ? error.message : String(error);
        if (globals.json) process.stdout.write(`${JSON.stringify({ error: { code, message } })}\n`);
        process.stderr.write(`iosrescue: ${message}${code === 'UNEXPECTED' ? '' : ` [${code}]`}\n`);
        if (globals.debug && error instanceof Error && error.stack) process.stderr.write(`${error.stack}\n`);
        process.exitCode = exitCodeFor(error);
      }
    });
}
