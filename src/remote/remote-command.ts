import { shellQuote } from '../ssh/command.js';

/**
 * The command line ssh runs on the remote host to call its `steward`: in a login shell, so that a
 * `steward` installed with nvm (PATH set in ~/.profile or ~/.bash_profile) is found, as the deploy
 * hooks do. The binary is `bin` when the client names one, else `$STEWARD_BIN` of the remote
 * environment, else `steward` on the login PATH. bash when the host has it, else sh.
 */
export function remoteStewardCommand(
  argv: readonly string[],
  opts: { bin?: string | undefined; home?: string | undefined } = {},
): string {
  const bin = opts.bin ? shellQuote(opts.bin) : '"${STEWARD_BIN:-steward}"';
  const home = opts.home ? `STEWARD_HOME=${shellQuote(opts.home)} ` : '';
  // The command is for that host's own daemon: a context or STEWARD_HOST set there must not send
  // it on to a third host.
  const here = 'STEWARD_HOST= STEWARD_CONTEXT=default ';
  const inner = `${here}${home}exec ${bin} ${argv.map(shellQuote).join(' ')}`;
  const q = shellQuote(inner);
  return `if command -v bash >/dev/null 2>&1; then exec bash -lc ${q}; else exec sh -lc ${q}; fi`;
}

/** Exit status of a shell that could not find the command (POSIX). */
export const NOT_FOUND_EXIT = 127;
