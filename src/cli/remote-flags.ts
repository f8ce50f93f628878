import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { resolveHome } from '../common/paths.js';

/**
 * `--host ssh://…` and `--context name[,name]`: where a command runs (docs/remote.md). Taken out of
 * the command line before the parser sees it, so that every command accepts them in any position.
 * `serve` and `web` have a `--host <address>` of their own: after them, `--host` stays theirs.
 */
export interface RemoteFlags {
  host?: string;
  context?: string;
}

const OWN_HOST = new Set(['serve', 'expose', 'web']);

/** Removes the remote flags from `argv` (in place) and returns them. */
export function takeRemoteFlags(argv: string[]): RemoteFlags {
  const flags: RemoteFlags = {};
  let command: string | undefined;
  for (let i = 0; i < argv.length;) {
    const a = argv[i] as string;
    const m = /^--(host|context)(?:=(.*))?$/.exec(a);
    if (m && !(m[1] === 'host' && command !== undefined && OWN_HOST.has(command))) {
      // A missing value is kept as '' so that it is a usage error later, never a silent local run.
      const value = m[2] ?? argv[i + 1] ?? '';
      argv.splice(i, m[2] === undefined ? 2 : 1);
      flags[m[1] as 'host' | 'context'] = value;
      continue;
    }
    if (command === undefined && !a.startsWith('-')) command = a;
    i += 1;
  }
  return flags;
}

/** Could this command go to another host? Cheap: no file is parsed unless contexts exist. */
export function remoteWanted(flags: RemoteFlags, env: NodeJS.ProcessEnv): boolean {
  return (
    flags.host !== undefined ||
    flags.context !== undefined ||
    !!env.STEWARD_HOST ||
    !!env.STEWARD_CONTEXT ||
    existsSync(join(resolveHome(env), 'contexts.json'))
  );
}
