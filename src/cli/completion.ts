import type { CommandDef, OptionDef } from './registry.js';

/**
 * Shell completion scripts (bash, zsh), generated from the command registry: commands, aliases,
 * options per command, and what each positional argument is (app names, files, a fixed list).
 * App names come from `steward completion --apps`, which never starts a daemon.
 */
export const SHELLS = ['bash', 'zsh'] as const;
export type Shell = (typeof SHELLS)[number];

export const GLOBAL_OPTIONS: OptionDef[] = [
  { flags: '-s, --silent', description: 'print only data and errors' },
  { flags: '--no-color', description: 'no colours' },
  { flags: '-v, --version', description: 'print the version' },
  { flags: '-h, --help', description: 'show help' },
  { flags: '--context <names>', description: 'run on a named host (docs/remote.md)' },
];

/** What a positional argument completes to. */
type ArgKind = 'apps' | 'targets' | 'files' | 'none' | { words: string[] };

/** Argument names of the registry (`<targets...>`, `[file]`…) and what they complete to. */
const ARG_KINDS: Record<string, ArgKind> = {
  targets: 'targets',
  target: 'targets',
  name: 'apps',
  scripts: 'files',
  file: 'files',
  path: 'files',
  platform: { words: ['systemd', 'openrc', 'launchd'] },
  shell: { words: [...SHELLS] },
  // `steward context <action>`
  action: { words: ['add', 'ls', 'use', 'rm'] },
};

interface CmdInfo {
  names: string[];
  summary: string;
  options: Array<{ names: string[]; takesValue: boolean; description: string }>;
  args: ArgKind[];
  /** The last argument repeats (`<targets...>`). */
  variadic: boolean;
}

function optionInfo(o: OptionDef) {
  const names = o.flags
    .split(/[ ,|]+/)
    .filter((w) => w.startsWith('-'))
    .map((w) => w.replace(/[<[].*$/, ''));
  return { names, takesValue: /[<[]/.test(o.flags), description: o.description };
}

function commandInfo(c: CommandDef): CmdInfo {
  const specs = c.args ? c.args.split(' ') : [];
  return {
    names: [c.name, ...(c.aliases ?? [])],
    summary: c.summary,
    options: [...(c.options ?? []).filter((o) => !o.hidden), ...GLOBAL_OPTIONS].map(optionInfo),
    args: specs.map((s) => ARG_KINDS[s.replace(/[<>[\].]/g, '')] ?? 'none'),
    variadic: specs.some((s) => s.includes('...')),
  };
}

const kindWord = (k: ArgKind) => (typeof k === 'string' ? k : `words:${k.words.join(',')}`);

export function completionScript(shell: Shell, commands: CommandDef[]): string {
  const infos = commands.map(commandInfo);
  return shell === 'bash' ? bashScript(infos) : zshScript(infos);
}

/** Single-quoted for bash and zsh. */
const q = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;

function bashScript(infos: CmdInfo[]): string {
  const cases = infos.map((c) => {
    const opts = c.options.flatMap((o) => o.names).join(' ');
    const vals = c.options
      .filter((o) => o.takesValue)
      .flatMap((o) => o.names)
      .join(' ');
    return [
      `    ${c.names.join('|')})`,
      `      opts=${q(opts)}; vals=${q(` ${vals} `)}; kinds=(${c.args.map((k) => q(kindWord(k))).join(' ')}); variadic=${c.variadic ? 1 : 0} ;;`,
    ].join('\n');
  });
  const commands = infos.flatMap((c) => c.names).join(' ');
  const globals = GLOBAL_OPTIONS.map(optionInfo)
    .flatMap((o) => o.names)
    .join(' ');
  return `# bash completion for steward, generated from its command registry.
# Use it now:      source <(steward completion bash)
# Install it:      steward completion bash > ~/.local/share/bash-completion/completions/steward
_steward_apps() {
  command "\${COMP_WORDS[0]}" completion --apps 2>/dev/null
}

_steward_complete() {
  local cur="\${COMP_WORDS[COMP_CWORD]}" prev="" cmd="" i=1 opts vals kinds variadic
  (( COMP_CWORD > 0 )) && prev="\${COMP_WORDS[COMP_CWORD-1]}"
  COMPREPLY=()
  while (( i < COMP_CWORD )); do
    case "\${COMP_WORDS[i]}" in
      -*) ;;
      *) cmd="\${COMP_WORDS[i]}"; break ;;
    esac
    (( i++ ))
  done
  if [[ -z $cmd ]]; then
    if [[ $cur == -* ]]; then
      COMPREPLY=( $(compgen -W ${q(globals)} -- "$cur") )
    else
      COMPREPLY=( $(compgen -W ${q(commands)} -- "$cur") )
    fi
    return 0
  fi
  case "$cmd" in
${cases.join('\n')}
    *) return 0 ;;
  esac
  # the value of an option: leave it to the default (file names)
  [[ $prev == -* && $vals == *" $prev "* ]] && return 0
  if [[ $cur == -* ]]; then
    COMPREPLY=( $(compgen -W "$opts" -- "$cur") )
    return 0
  fi
  # which positional argument is being completed
  local n=0 j skip=0 w
  for (( j = i + 1; j < COMP_CWORD; j++ )); do
    w="\${COMP_WORDS[j]}"
    if (( skip )); then skip=0; continue; fi
    case "$w" in
      --) return 0 ;;
      -*) [[ $vals == *" $w "* ]] && skip=1 ;;
      *) (( n++ )) ;;
    esac
  done
  local kind="none"
  if (( n < \${#kinds[@]} )); then
    kind="\${kinds[n]}"
  elif (( variadic && \${#kinds[@]} > 0 )); then
    kind="\${kinds[\${#kinds[@]}-1]}"
  fi
  case "$kind" in
    apps) COMPREPLY=( $(compgen -W "$(_steward_apps)" -- "$cur") ) ;;
    targets) COMPREPLY=( $(compgen -W "$(_steward_apps) all" -- "$cur") ) ;;
    words:*) local list="\${kind#words:}"; COMPREPLY=( $(compgen -W "\${list//,/ }" -- "$cur") ) ;;
  esac
  return 0
}

complete -o default -F _steward_complete steward
`;
}

/** zsh's _describe wants `word:description` with colons in the word escaped. */
const zdesc = (word: string, desc: string) => q(`${word.replace(/:/g, '\\:')}:${desc}`);

function zshScript(infos: CmdInfo[]): string {
  const cmdList = infos.flatMap((c) => c.names.map((n) => zdesc(n, c.summary))).join('\n    ');
  const globalList = GLOBAL_OPTIONS.map(optionInfo)
    .flatMap((o) => o.names.map((n) => zdesc(n, o.description)))
    .join('\n    ');
  const cases = infos.map((c) => {
    const opts = c.options.flatMap((o) => o.names.map((n) => zdesc(n, o.description))).join(' ');
    const vals = c.options
      .filter((o) => o.takesValue)
      .flatMap((o) => o.names)
      .join(' ');
    return [
      `    ${c.names.map((n) => q(n)).join('|')})`,
      `      opts=(${opts})`,
      `      vals=${q(` ${vals} `)}; kinds=(${c.args.map((k) => q(kindWord(k))).join(' ')}); variadic=${c.variadic ? 1 : 0} ;;`,
    ].join('\n');
  });
  return `#compdef steward
# zsh completion for steward, generated from its command registry.
# Use it now:      source <(steward completion zsh)      (after compinit)
# Install it:      steward completion zsh > "\${fpath[1]}/_steward"
_steward() {
  local -a commands globals opts kinds apps
  local cmd="" vals="" kind="none" variadic=0
  local -i i=2 n=0 j skip=0
  commands=(
    ${cmdList}
  )
  globals=(
    ${globalList}
  )
  while (( i < CURRENT )); do
    [[ \${words[i]} != -* ]] && { cmd=\${words[i]}; break; }
    (( i++ ))
  done
  if [[ -z $cmd ]]; then
    if [[ \${words[CURRENT]} == -* ]]; then _describe -t options 'option' globals
    else _describe -t commands 'steward command' commands; fi
    return
  fi
  case $cmd in
${cases.join('\n')}
    *) return 1 ;;
  esac
  if [[ \${words[CURRENT-1]} == -* && $vals == *" \${words[CURRENT-1]} "* ]]; then
    _files
    return
  fi
  if [[ \${words[CURRENT]} == -* ]]; then
    _describe -t options 'option' opts
    return
  fi
  for (( j = i + 1; j < CURRENT; j++ )); do
    if (( skip )); then skip=0; continue; fi
    case \${words[j]} in
      --) _files; return ;;
      -*) [[ $vals == *" \${words[j]} "* ]] && skip=1 ;;
      *) (( n++ )) ;;
    esac
  done
  if (( n < \${#kinds} )); then kind=\${kinds[n+1]}
  elif (( variadic && \${#kinds} > 0 )); then kind=\${kinds[-1]}; fi
  case $kind in
    apps|targets)
      apps=(\${(f)"$(command \${words[1]} completion --apps 2>/dev/null)"})
      [[ $kind == targets ]] && apps+=(all)
      compadd -a apps ;;
    files) _files ;;
    words:*) local -a list; list=(\${(s:,:)kind#words:}); compadd -a list ;;
  esac
}

if [[ \${funcstack[1]} == _steward ]]; then
  _steward "$@"
else
  compdef _steward steward
fi
`;
}
