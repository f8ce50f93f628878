import { statSync } from 'node:fs';
import { userInfo } from 'node:os';
import { isAbsolute, join, resolve } from 'node:path';
import { StewardError } from '../common/errors.js';
import type { AppConfig } from './app-config.js';
import { DEFAULTS } from './defaults.js';
import { inferInterpreter } from './interpreter.js';
import { appVersion, defaultName, readHead, which } from './resolve-script.js';
import { parseDuration, parseSize } from './units.js';

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
}

export interface CliContext {
  cwd: string;
  env: NodeJS.ProcessEnv;
}

function bad(flag: string, expected: string, got: string): StewardError {
  return new StewardError('E_BAD_OPTION', `${flag}: expected ${expected}, got ${JSON.stringify(got)}`, {
    hint: `fix the value of ${flag}`,
  });
}

function intFlag(flag: string, v: string | undefined, dflt: number, min = 0): number {
  if (v === undefined) return dflt;
  const n = Number(v);
  if (!Number.isInteger(n) || n < min) throw bad(flag, `a whole number ≥ ${min}`, v);
  return n;
}

function durationFlag(flag: string, v: string | undefined, dflt: number): number {
  if (v === undefined) return dflt;
  const n = parseDuration(v);
  if (n === undefined) throw bad(flag, 'a duration such as 1600, "500ms", "5s" or "2m"', v);
  return n;
}

/** Splits interpreter args like a shell would for simple cases: whitespace, with quotes respected. */
export function splitArgs(s: string): string[] {
  const out: string[] = [];
  const re = /"([^"]*)"|'([^']*)'|(\S+)/g;
  let m: RegExpExecArray | null;
  while ((m = re.exec(s)) !== null) out.push(m[1] ?? m[2] ?? m[3] ?? '');
  return out;
}

/** Instance count from `-i`: a number, `max`/0 (one per CPU), or negative (CPUs minus N); at least 1. */
export function resolveInstances(v: string | number | undefined, cpus: number): number {
  if (v === undefined) return 1;
  const s = String(v).trim();
  const n = s === 'max' ? 0 : Number(s);
  if (!Number.isInteger(n)) throw bad('--instances', 'a number, "max", 0 or -N', s);
  const count = n <= 0 ? cpus + n : n;
  return Math.max(1, count);
}

/** '' means the default path under STEWARD_HOME/logs; null disables the stream. */
function logPath(v: string | undefined, cwd: string): string | null {
  if (v === undefined) return '';
  if (v === '/dev/null' || v.toUpperCase() === 'NULL') return null;
  return resolve(cwd, v.replace(/^~(?=$|\/)/, process.env.HOME ?? '~'));
}

function stringEnv(env: NodeJS.ProcessEnv): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(env)) if (typeof v === 'string') out[k] = v;
  return out;
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
  const cwd = flags.cwd ? resolve(ctx.cwd, flags.cwd) : ctx.cwd;
  try {
    if (!statSync(cwd).isDirectory()) throw new Error('not a directory');
  } catch {
    throw new StewardError('E_BAD_OPTION', `--cwd: ${cwd} is not a directory`, {
      hint: 'give an existing directory',
    });
  }
  const shellEnv = stringEnv(ctx.env);
  let pmExecPath: string;
  let interpreter = flags.interpreter;
  const asFile = isAbsolute(script) ? script : join(cwd, script);
  const head = readHead(asFile);
  if (head !== undefined) {
    pmExecPath = asFile;
    interpreter ??= inferInterpreter(asFile, head);
  } else if (/\s/.test(script.trim())) {
    // A command line: run it through bash, as PM2 does.
    pmExecPath = which('bash', ctx.env.PATH) ?? '/bin/bash';
    interpreter = 'none';
    args = ['-c', script, ...args];
  } else {
    const onPath = which(script, ctx.env.PATH);
    if (!onPath) {
      throw new StewardError(
        'E_SCRIPT_NOT_FOUND',
        `script not found: ${script} (not a file in ${cwd}, not a command on PATH)`,
        {
          hint: 'check the path, or use --cwd to say where it is',
        },
      );
    }
    pmExecPath = onPath;
    interpreter ??= 'none';
  }
  const name = flags.name ?? defaultName(script);
  const instances = resolveInstances(flags.instances, cpus);
  const outFile = logPath(flags.output, cwd);
  const errFile = logPath(flags.error, cwd);
  const logFile =
    flags.log === undefined || flags.log === false ? null : flags.log === true ? '' : logPath(flags.log, cwd);
  const stopCodes = (flags.stopExitCodes ?? []).flatMap((s) => s.split(',')).filter((s) => s !== '');
  const stop_exit_codes = stopCodes.map((c) => {
    const n = Number(c);
    if (!Number.isInteger(n)) throw bad('--stop-exit-codes', 'exit codes (whole numbers)', c);
    return n;
  });
  let maxMem: number | null = null;
  if (flags.maxMemoryRestart !== undefined) {
    const n = parseSize(flags.maxMemoryRestart);
    if (n === undefined)
      throw bad('--max-memory-restart', 'a size such as 300M or 1G', flags.maxMemoryRestart);
    maxMem = n;
  }
  const killSignal = (flags.killSignal ?? DEFAULTS.kill_signal).toUpperCase();
  if (!/^SIG[A-Z0-9]+$/.test(killSignal))
    throw bad('--kill-signal', 'a signal name such as SIGINT or SIGTERM', killSignal);
  const logType = flags.logType ?? 'raw';
  if (logType !== 'raw' && logType !== 'json') throw bad('--log-type', '"json" or "raw"', logType);
  const interpreterArgs = [flags.nodeArgs, flags.interpreterArgs]
    .filter((s): s is string => s !== undefined)
    .flatMap(splitArgs);
  return {
    name,
    namespace: flags.namespace ?? DEFAULTS.namespace,
    script,
    pm_exec_path: pmExecPath,
    pm_cwd: cwd,
    args,
    exec_interpreter: interpreter,
    node_args: interpreterArgs,
    exec_mode: 'fork_mode',
    instances,
    autorestart: flags.autorestart ?? true,
    autostart: flags.autostart ?? true,
    stop_exit_codes,
    restart_delay: durationFlag('--restart-delay', flags.restartDelay, 0),
    exp_backoff_restart_delay: durationFlag('--exp-backoff-restart-delay', flags.expBackoffRestartDelay, 0),
    min_uptime: durationFlag('--min-uptime', flags.minUptime, DEFAULTS.min_uptime),
    max_restarts: intFlag('--max-restarts', flags.maxRestarts, DEFAULTS.max_restarts),
    restart_limit: intFlag('--restart-limit', flags.restartLimit, DEFAULTS.restart_limit),
    restart_limit_window: durationFlag(
      '--restart-limit-window',
      flags.restartLimitWindow,
      DEFAULTS.restart_limit_window,
    ),
    kill_timeout: durationFlag('--kill-timeout', flags.killTimeout, DEFAULTS.kill_timeout),
    kill_signal: killSignal,
    shutdown_with_message: flags.shutdownWithMessage ?? false,
    treekill: flags.treekill ?? true,
    out_file: outFile,
    error_file: errFile,
    log_file: logFile,
    // PM2: one file per app unless several instances run in cluster mode.
    merge_logs: flags.mergeLogs ?? true,
    log_date_format: flags.logDateFormat ?? (flags.time ? 'YYYY-MM-DDTHH:mm:ss' : null),
    log_type: logType,
    pid_file: null,
    env: {},
    shell_env: shellEnv,
    env_name: null,
    filter_env: flags.filterEnv === undefined ? false : flags.filterEnv,
    instance_var: ctx.env.PM2_PROCESS_INSTANCE_VAR ?? DEFAULTS.instance_var,
    increment_var: null,
    watch: false,
    ignore_watch: [],
    watch_delay: 0,
    max_memory_restart: maxMem,
    cron_restart: null,
    wait_ready: false,
    listen_timeout: DEFAULTS.listen_timeout,
    version: head !== undefined ? appVersion(pmExecPath) : 'N/A',
    username: userInfo().username,
    extra: {},
  };
}
