import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { completionScript } from '../../../src/cli/commands/completion.js';
import { COMMAND_TABLE, commandNamed } from '../../../src/cli/command-table.js';
import { buildProgramFor } from '../../../src/cli/lazy-program.js';
import { packageVersion } from '../../../src/package-version.js';
import { buildProgram } from '../../../src/cli/program.js';

/** `name <ARG> …` as commander's command list shows a command. */
function usageOf(command: {
  name(): string;
  registeredArguments: ReadonlyArray<{ name(): string; required: boolean; variadic: boolean }>;
}): string {
  const args = command.registeredArguments.map((a) =>
    a.required ? `<${a.name()}${a.variadic ? '...' : ''}>` : `[${a.name()}${a.variadic ? '...' : ''}]`,
  );
  return [command.name(), ...args].join(' ');
}

describe('the lazy command table', () => {
  it('lists exactly the commands the modules register, with the same arguments', () => {
    const registered = buildProgram().commands.map(usageOf).sort();
    const listed = COMMAND_TABLE.map((e) => [e.name, e.args].filter(Boolean).join(' ')).sort();
    expect(listed).toEqual(registered);
  });

  it('loads, for a command, the module that registers it', async () => {
    for (const entry of COMMAND_TABLE) {
      const program = await buildProgramFor(['node', 'iosrescue', entry.name]);
      const command = program.commands.find((c) => c.name() === entry.name);
      expect(command, entry.name).toBeDefined();
      // A real command (options and an action), not a placeholder.
      expect(
        command!.options.length + command!.commands.length + command!.registeredArguments.length,
        entry.name,
      ).toBeGreaterThan(0);
    }
  });

  it('finds the command past global options and their values, and after help', () => {
    expect(commandNamed(['node', 'x', '--json', '--log-level', 'debug', 'scan', 'B'])?.name).toBe('scan');
    expect(commandNamed(['node', 'x', '--log-level=debug', 'carve', 'db'])?.name).toBe('carve');
    expect(commandNamed(['node', 'x', 'help', 'export-file'])?.name).toBe('export-file');
    expect(commandNamed(['node', 'x', '--help'])).toBeUndefined();
    expect(commandNamed(['node', 'x', 'no-such-command'])).toBeUndefined();
  });

  it('knows the package version', () => {
    expect(packageVersion()).toMatch(/^\d+\.\d+\.\d+/);
  });

  it.skipIf(spawnSync('sh', ['-c', 'command -v bash'], { stdio: 'ignore' }).status !== 0)(
    "completes command names and each command's options in a real bash",
    () => {
      const script = completionScript(buildProgram(), 'bash');
      const complete = (words: string[]): string[] => {
        const run = spawnSync(
          'bash',
          [
            '-c',
            `${script}\nCOMP_WORDS=(${words.map((w) => `'${w}'`).join(' ')}); COMP_CWORD=${words.length - 1}; _iosrescue; printf '%s\\n' "\${COMPREPLY[@]}"`,
          ],
          { encoding: 'utf8' },
        );
        expect(run.status, run.stderr).toBe(0);
        return run.stdout.split('\n').filter(Boolean).sort();
      };
      expect(complete(['iosrescue', 'ba'])).toEqual(['backup', 'backups']);
      expect(complete(['iosrescue', '--json', 'extract', 'B', '--ty'])).toEqual(['--types']);
      expect(complete(['iosrescue', '--log-level', 'debug', 'carve', '--'])).toContain('--table');
    },
  );
});
