import { StewardError } from '../common/errors.js';
import type { CliContext } from '../cli/context.js';
import type { RemoteFlags } from '../cli/remote-flags.js';
import { resolveEndpoints } from './endpoint.js';

/**
 * Never sent anywhere: they are about this machine (contexts, the bridge itself, shell completion),
 * or reach their hosts themselves (`deploy` runs from the laptop and names its hosts in the file).
 */
const LOCAL_ONLY = new Set(['context', 'dial-stdio', 'completion', 'deploy']);

/**
 * Commands that only talk to the daemon: they run here and speak JSON-RPC through
 * `ssh host steward dial-stdio` (followers such as `logs` and `monit` end cleanly with the client).
 * Every other command reads this machine's files or environment, so it runs with the remote host's
 * own steward instead (exec.ts).
 */
const RPC_COMMANDS = new Set([
  'list',
  'jlist',
  'prettylist',
  'describe',
  'pid',
  'id',
  'env',
  'monit',
  'logs',
  'trigger',
  'sendSignal',
  'send',
  'flush',
  'reloadLogs',
  'set',
  'get',
  'unset',
  'save',
  'resurrect',
  'cleardump',
  'ping',
  'kill',
  'scale',
  'reset',
]);
/** RPC commands too, unless given an ecosystem file or --update-env (the shell's environment). */
const TARGET_COMMANDS = new Set(['stop', 'restart', 'reload', 'gracefulReload', 'delete']);

async function runsHere(command: string, args: unknown[], opts: Record<string, unknown>): Promise<boolean> {
  if (RPC_COMMANDS.has(command)) return true;
  if (!TARGET_COMMANDS.has(command)) return false;
  const { isConfigFile } = await import('../config/ecosystem-load.js');
  const targets = (Array.isArray(args[0]) ? args[0] : []) as string[];
  return opts.updateEnv !== true && !targets.some((t) => t === '-' || isConfigFile(t));
}

/**
 * Sends a command where the flags, the environment or the current context say. Returns true when it
 * was run here (remotely, or on several hosts); false when the handler should run, with
 * `ctx.endpoint` set for a remote daemon (or left unset for the local one).
 */
export async function routeRemote(
  ctx: CliContext,
  command: string,
  flags: RemoteFlags,
  line: { argv: string[]; scriptArgs: string[]; args: unknown[]; opts: Record<string, unknown> },
): Promise<boolean> {
  if (LOCAL_ONLY.has(command)) {
    if (flags.host !== undefined || flags.context !== undefined)
      throw new StewardError('E_USAGE', `${command} runs on this machine only`, {
        hint: 'drop --host/--context',
      });
    return false;
  }
  const eps = resolveEndpoints(flags, process.env);
  if (!eps) return false;
  if (eps.length > 1) {
    if (command !== 'list')
      throw new StewardError('E_USAGE', `several contexts work with \`ls\` only, not ${command}`, {
        hint: 'name one context, or run the command once per context',
      });
    const { multiList } = await import('./multi-list.js');
    await multiList(ctx, eps, line.opts);
    return true;
  }
  const ep = eps[0]!;
  const host = ep.host!;
  if (await runsHere(command, line.args, line.opts)) {
    ctx.endpoint = { ...ep, host };
    return false;
  }
  const { execRemote } = await import('./exec.js');
  const argv = line.scriptArgs.length > 0 ? [...line.argv, '--', ...line.scriptArgs] : line.argv;
  process.exitCode = await execRemote({ ...ep, host }, argv);
  return true;
}
