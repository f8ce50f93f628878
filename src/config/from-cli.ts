import { StewardError } from '../common/errors.js';
import type { AppConfig } from './app-config.js';
import { checkApp, splitArgs, type RawApp } from './ecosystem-schema.js';
import { normalizeApp, resolveInstances } from './normalize.js';

export { splitArgs, resolveInstances };

/** The `start` flags, as the CLI parser hands them over (strings, unparsed). */
export interface StartFlags {
  name?: string;
  namespace?: string;
  cwd?: string;
  interpreter?: string;
  interpreterArgs?: string;
  nodeArgs?: string;
  instances?: string;
  autorestart?: boolean;
  autostart?: boolean;
  treekill?: boolean;
  maxRestarts?: string;
  minUptime?: string;
  restartDelay?: string;
  expBackoffRestartDelay?: string;
  killTimeout?: string;
  killSignal?: string;
  stopExitCodes?: string[];
  shutdownWithMessage?: boolean;
  output?: string;
  error?: string;
  log?: string | boolean;
  mergeLogs?: boolean;
  time?: boolean;
  logDateFormat?: string;
  logType?: string;
  maxMemoryRestart?: string;
  restartLimit?: string;
  restartLimitWindow?: string;
  filterEnv?: string[] | boolean;
  envFile?: string;
  watch?: boolean | string[];
  ignoreWatch?: string[];
  watchDelay?: string;
  cronRestart?: string;
  memoryCheckInterval?: string;
  listen?: string[];
  waitReady?: boolean;
  listenTimeout?: string;
  readyPattern?: string;
  readyProbe?: string;
  agent?: boolean;
  disableLogs?: boolean;
  logMaxSize?: string;
  logRetain?: string;
  logCompress?: boolean;
  logRotateInterval?: string;
  env?: string;
}

export interface CliContext {
  cwd: string;
  env: NodeJS.ProcessEnv;
}

/** Flag (camelCase, as commander names it) → PM2 option key. */
const FLAG_KEYS: Record<string, string> = {
  name: 'name',
  namespace: 'namespace',
  cwd: 'cwd',
  interpreter: 'exec_interpreter',
  instances: 'instances',
  autorestart: 'autorestart',
  autostart: 'autostart',
  treekill: 'treekill',
  maxRestarts: 'max_restarts',
  minUptime: 'min_uptime',
  restartDelay: 'restart_delay',
  expBackoffRestartDelay: 'exp_backoff_restart_delay',
  killTimeout: 'kill_timeout',
  killSignal: 'kill_signal',
  shutdownWithMessage: 'shutdown_with_message',
  output: 'out_file',
  error: 'error_file',
  log: 'log_file',
  mergeLogs: 'merge_logs',
  time: 'time',
  logDateFormat: 'log_date_format',
  logType: 'log_type',
  maxMemoryRestart: 'max_memory_restart',
  restartLimit: 'restart_limit',
  restartLimitWindow: 'restart_limit_window',
  filterEnv: 'filter_env',
  envFile: 'env_file',
  watch: 'watch',
  ignoreWatch: 'ignore_watch',
  cronRestart: 'cron_restart',
  memoryCheckInterval: 'memory_check_interval',
  listen: 'listen',
  waitReady: 'wait_ready',
  listenTimeout: 'listen_timeout',
  readyPattern: 'ready_pattern',
  readyProbe: 'ready_probe',
  agent: 'agent',
  disableLogs: 'disable_logs',
  logMaxSize: 'log_max_size',
  logRetain: 'log_retain',
  logCompress: 'log_compress',
  logRotateInterval: 'log_rotate_interval',
};

const KEY_FLAGS: Record<string, string> = {
  ...Object.fromEntries(
    Object.entries(FLAG_KEYS).map(([flag, key]) => [
      key,
      `--${flag.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`,
    ]),
  ),
  node_args: '--node-args',
  stop_exit_codes: '--stop-exit-codes',
  args: 'arguments after --',
};

/** The CLI flags as a raw PM2 app, so that flags and files go through one validation. */
export function flagsToRaw(script: string, args: string[], flags: StartFlags): RawApp {
  const raw: RawApp = { script, args };
  const f = flags as Record<string, unknown>;
  for (const [flag, key] of Object.entries(FLAG_KEYS)) if (f[flag] !== undefined) raw[key] = f[flag];
  const interp = [flags.nodeArgs, flags.interpreterArgs].filter((s): s is string => s !== undefined);
  if (interp.length > 0) raw.node_args = interp.join(' ');
  // PM2: on the command line --watch-delay is in seconds unless it says "ms" (in a file it is ms).
  if (flags.watchDelay !== undefined)
    raw.watch_delay = /^\d+(\.\d+)?$/.test(flags.watchDelay) ? `${flags.watchDelay}s` : flags.watchDelay;
  if (flags.stopExitCodes)
    raw.stop_exit_codes = flags.stopExitCodes.flatMap((s) => s.split(',')).filter((s) => s !== '');
  if (flags.filterEnv !== undefined && Array.isArray(flags.filterEnv) && flags.filterEnv.length === 0)
    raw.filter_env = true;
  return raw;
}

/**
 * Builds the AppConfig for `steward start <script> [flags] [-- args]`. Checks the script exists
 * (as a file relative to --cwd, or a command on PATH) and that --cwd is a directory.
 */
export function appFromCli(
  script: string,
  args: string[],
  flags: StartFlags,
  ctx: CliContext,
  cpus: number,
): AppConfig {
  const label = (k: string) => KEY_FLAGS[k] ?? k;
  const checked = checkApp(flagsToRaw(script, args, flags), '');
  if (checked.errors.length > 0) {
    // checkApp says "<key>: expected …"; name the flag the user typed instead.
    const first = (checked.errors[0] ?? '').replace(/^: /, '');
    const key = first.split(':')[0] ?? '';
    throw new StewardError('E_BAD_OPTION', `${label(key)}${first.slice(key.length)}`, {
      hint: `fix the value of ${label(key)}`,
    });
  }
  return normalizeApp(checked.app, {
    cwd: ctx.cwd,
    env: ctx.env,
    cpus,
    where: '',
    label,
    badCode: 'E_BAD_OPTION',
  }).config;
}
