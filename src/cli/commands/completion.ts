import { Argument, type Command } from 'commander';

/** Each command's words for completion: its options, and its subcommands' names (encryption's actions). */
function wordsOf(command: Command): string[] {
  const options = command.options.flatMap((o) => [o.long, o.short].filter((f): f is string => Boolean(f)));
  const choices = command.registeredArguments.flatMap((a) => a.argChoices ?? []);
  return [...choices, ...options, '--help'];
}

/**
 * A bash completion function built from the commands as registered (names, options, fixed choices), so it never
 * falls behind them. zsh runs the same function through bashcompinit.
 */
export function completionScript(program: Command, shell: 'bash' | 'zsh'): string {
  const commands = program.commands.map((c) => c.name()).filter((n) => n !== 'completion' && n !== 'help');
  const globals = wordsOf(program).join(' ');
  const cases = program.commands
    .filter((c) => commands.includes(c.name()))
    .map((c) => `    ${c.name()}) words="${wordsOf(c).join(' ')}" ;;`)
    .join('\n');
  const fn = `_iosrescue() {
  local cur="\${COMP_WORDS[COMP_CWORD]}" command="" i words
  for ((i = 1; i < COMP_CWORD; i++)); do
    case "\${COMP_WORDS[i]}" in
      --log-level) ((i++)) ;;
      -*) ;;
      *) command="\${COMP_WORDS[i]}"; break ;;
    esac
  done
  if [[ -z "$command" ]]; then
    COMPREPLY=($(compgen -W "${commands.join(' ')} completion help ${globals}" -- "$cur"))
    return
  fi
  case "$command" in
${cases}
    *) words="" ;;
  esac
  if [[ "$cur" == -* || -n "$words" ]]; then COMPREPLY=($(compgen -W "$words" -- "$cur")); fi
  [[ \${#COMPREPLY[@]} -eq 0 && "$cur" != -* ]] && COMPREPLY=($(compgen -f -- "$cur"))
}
complete -o filenames -F _iosrescue iosrescue
`;
  return shell === 'zsh' ? `autoload -U +X bashcompinit && bashcompinit\n${fn}` : fn;
}

export function registerCompletionCommand(program: Command, loadAll: () => Promise<Command>): void {
  program
    .command('completion')
    .description(
      'print a shell completion script: `source <(iosrescue completion bash)`, or for zsh `source <(iosrescue completion zsh)`; add it to ~/.bashrc or ~/.zshrc to keep it',
    )
    .addArgument(new Argument('<shell>', 'bash or zsh').choices(['bash', 'zsh']))
    .action(async (shell: 'bash' | 'zsh') => {
      process.stdout.write(completionScript(await loadAll(), shell));
    });
}
