import type { Command } from 'commander';
import { browserOpener, openInBrowser, requestConsoleLogin } from '../../operations/console-login.js';
import { runCommand } from '../run-command.js';
import { requireDaemon } from './daemon-route.js';

interface ConsoleFlags {
  open: boolean;
}

export function registerConsoleCommand(program: Command): void {
  program
    .command('console')
    .description("print a one-time login link to the daemon's browser console (and open it where a desktop is)")
    .option('--no-open', 'only print the link, never start a browser')
    .addHelpText(
      'after',
      '\nNeeds a running daemon with a loopback TCP address: iosrescue daemon --listen 127.0.0.1:8080.\n' +
        'The link works once, within 2 minutes; the browser then keeps a session cookie until the daemon restarts.\n' +
        'With --json: {"url", "expiresAt"}.\n\nExamples:\n  iosrescue console\n  iosrescue console --no-open --json\n',
    )
    .action(async (flags: ConsoleFlags, command: Command) =>
      runCommand(command, async ({ globals, print }) => {
        const client = await requireDaemon();
        const link = await requestConsoleLogin(client);
        if (!link.url) {
          print(
            'The daemon listens on no TCP address, so no browser can reach it: restart it with --listen 127.0.0.1:PORT.',
            { url: null, path: link.path, expiresAt: link.expiresAt },
          );
          return;
        }
        const opener = flags.open && !globals.json ? browserOpener() : undefined;
        if (opener) openInBrowser(opener, link.url);
        print(`${opener ? 'Opening' : 'Open'} the console (the link works once, for 2 minutes):\n  ${link.url}`, {
          url: link.url,
          expiresAt: link.expiresAt,
        });
      }),
    );
}
