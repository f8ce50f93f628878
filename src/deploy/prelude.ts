import { shellQuote } from '../ssh/command.js';

/**
 * What every remote step starts with: the deploy directory in `$P`, the section's `env` exported,
 * `steward` (and `pm2`, so a hook copied from PM2's docs works) resolved on the login shell's PATH
 * or through `STEWARD_BIN`, and small helpers for the steps. The script reaches bash on its stdin
 * (never on a command line, so `env` values are not in any `ps` listing) and is never printed.
 *
 * The remote side talks back with marker lines on stdout, `::steward:: <kind> <fields…>` (tab
 * separated), which the runner takes out of the output; everything else is the host's output.
 */
export const MARKER = '::steward::';

/** The deploy directory as a shell word: `~/app` becomes `"$HOME"/app`. */
export function pathWord(path: string): string {
  return path.startsWith('~/') ? `"$HOME"/${shellQuote(path.slice(2))}` : shellQuote(path);
}

export interface PreludeInput {
  path: string;
  env: Record<string, string>;
}

export function prelude(input: PreludeInput): string {
  const exports = Object.entries(input.env).map(([k, v]) => `export ${k}=${shellQuote(v)}`);
  return [
    'set -o pipefail',
    `P=${pathWord(input.path)}`,
    ...exports,
    'export SHARED="$P/shared"',
    // nvm's installer adds itself to ~/.bashrc, below the line that ends non-interactive shells
    // (Debian's and Ubuntu's default): a login shell then has no node or steward. Load it here.
    'if ! command -v node >/dev/null 2>&1 || { [ -z "${STEWARD_BIN:-}" ] && ! command -v steward >/dev/null 2>&1; }; then',
    '  NVM_SH="${NVM_DIR:-$HOME/.nvm}/nvm.sh"; if [ -s "$NVM_SH" ]; then . "$NVM_SH" >/dev/null 2>&1; fi',
    'fi',
    // STEWARD_BIN names the remote steward when it is not on the login PATH.
    'if [ -n "${STEWARD_BIN:-}" ]; then steward() { "$STEWARD_BIN" "$@"; }; fi',
    // Hooks copied from PM2's docs say `pm2 …`: in a Steward deploy that means the remote steward.
    'pm2() { steward "$@"; }',
    // Checked before anything changes on the host, by the steps that will need it.
    'need_steward() {',
    '  if [ -n "${STEWARD_BIN:-}" ]; then [ -x "$STEWARD_BIN" ] || fail nosteward "$STEWARD_BIN"',
    '  else command -v steward >/dev/null 2>&1 || fail nosteward; fi',
    '}',
    `mark() { local IFS=$'\\t'; printf '${MARKER} %s\\n' "$*"; }`,
    // A step that fails says why in one marker line, undoes what it must (ON_FAIL) and stops.
    'ON_FAIL=:',
    'fail() { mark fail "$@"; eval "$ON_FAIL"; exit 1; }',
    // PM2's hook semantics: a shell command run in a directory; its failure stops the deploy.
    'run_hook() {',
    '  printf -- "--> %s: %s\\n" "$1" "$3"',
    '  ( cd "$2" && eval "$3" )',
    '  local rc=$?',
    '  [ "$rc" -eq 0 ] || fail hook "$1" "$rc"',
    '}',
    '',
  ].join('\n');
}
