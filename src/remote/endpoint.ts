import { StewardError } from '../common/errors.js';
import { resolveHome } from '../common/paths.js';
import { parseSshTarget } from '../ssh/target.js';
import type { RemoteFlags } from '../cli/remote-flags.js';
import { getContext, LOCAL_CONTEXT, readContexts } from './contexts.js';
import type { RemoteOptions } from './types.js';

/** Where one command runs: a remote host (with how to reach it), or, in a list, the local daemon. */
export interface Endpoint extends RemoteOptions {
  /** The context name, or the host as given. */
  name: string;
  /** undefined: the local daemon (the `default` context). */
  host?: string | undefined;
}

/** ssh settings from the environment, for `--host` and STEWARD_HOST (contexts carry their own). */
function fromEnv(env: NodeJS.ProcessEnv): RemoteOptions {
  const o: RemoteOptions = {};
  if (env.STEWARD_SSH_CONFIG) o.sshConfig = env.STEWARD_SSH_CONFIG;
  if (env.STEWARD_SSH_KEY) o.identity = env.STEWARD_SSH_KEY;
  if (env.STEWARD_BIN) o.bin = env.STEWARD_BIN;
  return o;
}

function byHost(host: string, env: NodeJS.ProcessEnv): Endpoint {
  parseSshTarget(host); // a bad URL is a usage error now, not an ssh error later
  return { ...fromEnv(env), name: host, host };
}

function byContexts(names: string, env: NodeJS.ProcessEnv, home: string): Endpoint[] {
  const list = names
    .split(',')
    .map((n) => n.trim())
    .filter((n) => n !== '');
  if (list.length === 0)
    throw new StewardError('E_USAGE', '--context needs a name', {
      hint: 'e.g. --context prod, or --context web1,web2',
    });
  const file = readContexts(home);
  const env0 = fromEnv(env);
  return list.map((name) => {
    if (name === LOCAL_CONTEXT) return { name };
    const c = getContext(file, name);
    // STEWARD_BIN set here overrides no context's own bin, but fills in one that has none.
    return { ...(env0.bin ? { bin: env0.bin } : {}), ...c, name };
  });
}

/**
 * The endpoints a command goes to, by precedence: --host, --context, STEWARD_HOST, STEWARD_CONTEXT,
 * then the context chosen with `context use`. undefined: the local daemon, as without any of them.
 */
export function resolveEndpoints(flags: RemoteFlags, env: NodeJS.ProcessEnv): Endpoint[] | undefined {
  const home = resolveHome(env);
  let eps: Endpoint[];
  if (flags.host !== undefined) eps = [byHost(flags.host, env)];
  else if (flags.context !== undefined) eps = byContexts(flags.context, env, home);
  else if (env.STEWARD_HOST) eps = [byHost(env.STEWARD_HOST, env)];
  else if (env.STEWARD_CONTEXT) eps = byContexts(env.STEWARD_CONTEXT, env, home);
  else {
    const current = readContexts(home).current;
    if (current === undefined) return undefined;
    eps = byContexts(current, env, home);
  }
  if (eps.length === 1 && eps[0]?.host === undefined) return undefined;
  return eps;
}
