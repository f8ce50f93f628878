import { basename, resolve } from 'node:path';
import type * as Dotenv from 'dotenv';
import { StewardError, type ErrorCode } from '../common/errors.js';
import { lazyPackage } from '../common/lazy-builtin.js';
import type { AppConfig } from './app-config.js';
import { DEFAULTS } from './defaults.js';
import { OPTION_BY_KEY } from './options.js';
import type { RawApp } from './ecosystem-schema.js';
import { isNodeInterpreter } from './interpreter.js';
import { resolveScript } from './normalize-script.js';
import { appNotify } from './normalize-notify.js';
import { defaultName } from './resolve-script.js';
import type { UserEntry } from './users.js';
import {
  cronPattern,
  dateFormat,
  healthCheck,
  logType,
  parseListen,
  readinessOptions,
  rotateInterval,
  watchPaths,
} from './normalize-checks.js';

/** Only apps with an `env_file` need it (see lazyPackage). */
const dotenv = lazyPackage<typeof Dotenv>('dotenv');

export { parseListen };

/** Absent unless given, so configs (and dumps) of apps without it are unchanged. */
function notifyField(n: AppConfig['notify']): { notify?: NonNullable<AppConfig['notify']> } {
  return n ? { notify: n } : {};
}

/**
 * The file system and user look-ups normalisation needs, passed in (src/config/normalize-io.ts has
 * the real ones) so that this module does no I/O of its own and tests can give a fake machine.
 */
export interface NormalizeIo {
  isDirectory(path: string): boolean;
  /** The first bytes of a regular file, or undefined when it is not one. */
  readHead(path: string): Buffer | undefined;
  /** A command found on PATH. */
  which(cmd: string, pathVar: string | undefined): string | undefined;
  /** The version of the nearest package.json, or `N/A`. */
  appVersion(scriptPath: string): string;
  /** A text file's content; throws when it cannot be read. */
  readText(path: string): string;
  exists(path: string): boolean;
  lookupUser(who: string | number): UserEntry | undefined;
  lookupGroup(who: string | number): number | undefined;
  /** The user `steward` runs as. */
  currentUser(): string;
}

export interface NormalizeContext {
  /** Where `steward` runs: the base of relative paths, as in PM2. */
  cwd: string;
  /** Directory of the config file: a fallback when the script is not found from `cwd`. */
  fileDir?: string;
  /** The shell environment of the CLI. */
  env: NodeJS.ProcessEnv;
  /** `--env <name>`: applies `env_<name>`. */
  envName?: string;
  /** `deploy.<name>.env` of the file (lowest priority), as in PM2. */
  deployEnv?: Record<string, string>;
  cpus: number;
  /** Prefix of every message (`ecosystem.config.js: apps[1] (api)`), or '' for CLI flags. */
  where: string;
  /** Name of an option in messages: the key, or the CLI flag that set it. */
  label?: (key: string) => string;
  /** Error code for bad values: E_CONFIG for files, E_BAD_OPTION for flags. */
  badCode: ErrorCode;
  io: NormalizeIo;
}

export interface Normalized {
  config: AppConfig;
  warnings: string[];
}

function stringEnv(env: NodeJS.ProcessEnv): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(env)) if (typeof v === 'string') out[k] = v;
  return out;
}

/** Instance count from `instances`/`-i`: N, `max`/0 (one per CPU), -N (CPUs minus N); at least 1. */
export function resolveInstances(v: string | number | undefined, cpus: number): number {
  if (v === undefined) return 1;
  const s = String(v).trim();
  const n = s.toLowerCase() === 'max' ? 0 : Number(s);
  if (!Number.isInteger(n)) {
    throw new StewardError(
      'E_BAD_OPTION',
      `--instances: expected a number, "max", 0 or -N, got ${JSON.stringify(s)}`,
      {
        hint: 'fix the value of --instances',
      },
    );
  }
  return Math.max(1, n <= 0 ? cpus + n : n);
}

const expandHome = (p: string, env: NodeJS.ProcessEnv) => p.replace(/^~(?=$|\/)/, env.HOME ?? '~');

/**
 * Turns one checked raw app (PM2 option names, values already converted by checkApp) into the
 * AppConfig the daemon runs: paths resolved, interpreter inferred, environment composed.
 */
export function normalizeApp(raw: RawApp, ctx: NormalizeContext): Normalized {
  const warnings: string[] = [];
  const io = ctx.io;
  const label = ctx.label ?? ((k: string) => k);
  const at = (k: string) => `${ctx.where ? `${ctx.where}: ` : ''}${label(k)}`;
  const fail = (code: ErrorCode, msg: string, hint: string) => new StewardError(code, msg, { hint });
  const str = (k: string) => (typeof raw[k] === 'string' ? raw[k] : undefined);
  const num = (k: string, d: number) => (typeof raw[k] === 'number' ? raw[k] : d);
  const bool = (k: string, d: boolean) => (typeof raw[k] === 'boolean' ? raw[k] : d);
  const list = (k: string) => (Array.isArray(raw[k]) ? (raw[k] as string[]) : []);

  let cwd = str('cwd') ? resolve(ctx.cwd, expandHome(str('cwd') as string, ctx.env)) : ctx.cwd;
  if (!io.isDirectory(cwd)) {
    throw fail(ctx.badCode, `${at('cwd')}: ${cwd} is not a directory`, 'give an existing directory');
  }

  const script = (str('script') ?? '').trim();
  const found = resolveScript(script, list('args'), str('exec_interpreter'), {
    cwd,
    fileDir: ctx.fileDir !== undefined && !str('cwd') ? ctx.fileDir : undefined,
    pathVar: ctx.env.PATH,
    where: ctx.where,
    io,
  });
  cwd = found.cwd;
  const { pmExecPath, interpreter, args, head } = found;

  // A file is named after its file name (spaces and all); a command after its first word.
  let name =
    str('name') ??
    (head !== undefined ? defaultName(basename(pmExecPath), false) : defaultName(script, true));
  const envName = ctx.envName;
  if (envName && bool('append_env_to_name', false)) name = `${name}-${envName}`;

  // Environment: deploy env < env_file < env < env_<name> < port.
  const appEnv: Record<string, string> = { ...(ctx.deployEnv ?? {}) };
  const envFile = str('env_file');
  if (envFile) {
    const p = resolve(cwd, expandHome(envFile, ctx.env));
    try {
      Object.assign(appEnv, dotenv().parse(io.readText(p)));
    } catch (e) {
      throw fail(
        ctx.badCode,
        `${at('env_file')}: cannot read ${p} (${(e as Error).message})`,
        'fix the path of the dotenv file',
      );
    }
  }
  Object.assign(appEnv, (raw.env as Record<string, string> | undefined) ?? {});
  if (envName) {
    const section = raw[`env_${envName}`] as Record<string, string> | undefined;
    if (section) Object.assign(appEnv, section);
    else
      warnings.push(
        `${ctx.where ? `${ctx.where}: ` : ''}environment "${envName}" is not defined (no env_${envName}); using env`,
      );
  }
  if (typeof raw.port === 'number') appEnv.PORT = String(raw.port);

  // PM2: a Node app given an instance count runs in cluster mode unless exec_mode says otherwise.
  const execMode =
    (str('exec_mode') as AppConfig['exec_mode'] | undefined) ??
    (raw.instances !== undefined && raw.execute_command !== true && isNodeInterpreter(interpreter)
      ? 'cluster_mode'
      : 'fork_mode');
  const { listen, readyPattern, readyProbe } = readinessOptions(
    list('listen'),
    str('ready_pattern') ?? null,
    str('ready_probe') ?? null,
    at,
    ctx.badCode,
  );
  const logPath = (k: string): string | null => {
    const v = str(k);
    if (v === undefined) return '';
    if (v === '/dev/null' || v.toUpperCase() === 'NULL') return null;
    return resolve(cwd, expandHome(v, ctx.env));
  };
  const logFileRaw = raw.log_file;
  const logFile =
    logFileRaw === undefined || logFileRaw === false ? null : logFileRaw === true ? '' : logPath('log_file');

  let uid: number | null = null;
  let gid: number | null = null;
  const shellEnv = stringEnv(ctx.env);
  if (raw.uid !== undefined) {
    const u = io.lookupUser(raw.uid as string | number);
    if (!u)
      throw fail(
        ctx.badCode,
        `${at('uid')}: no such user ${JSON.stringify(raw.uid)}`,
        'give a user name or id the system knows (`getent passwd <user>`)',
      );
    uid = u.id;
    gid = u.gid;
    appEnv.HOME ??= u.home;
    appEnv.USER ??= u.name;
    appEnv.LOGNAME ??= u.name;
  }
  if (raw.gid !== undefined) {
    const g = io.lookupGroup(raw.gid as string | number);
    if (g === undefined)
      throw fail(
        ctx.badCode,
        `${at('gid')}: no such group ${JSON.stringify(raw.gid)}`,
        'give a group name or id the system knows (`getent group <group>`)',
      );
    gid = g;
  }

  const logDateFormat = dateFormat(str('log_date_format'), raw.time === true, at, ctx.badCode);
  const interval = rotateInterval(str('log_rotate_interval'), at, ctx.badCode);
  const config: AppConfig = {
    name,
    namespace: str('namespace') ?? DEFAULTS.namespace,
    script,
    pm_exec_path: pmExecPath,
    pm_cwd: cwd,
    args,
    exec_interpreter: interpreter,
    node_args: list('node_args'),
    exec_mode: execMode,
    instances: resolveInstances(raw.instances as string | number | undefined, ctx.cpus),
    autorestart: bool('autorestart', true),
    autostart: bool('autostart', true),
    stop_exit_codes: (raw.stop_exit_codes as number[] | undefined) ?? [],
    restart_delay: num('restart_delay', 0),
    exp_backoff_restart_delay: num('exp_backoff_restart_delay', 0),
    min_uptime: num('min_uptime', DEFAULTS.min_uptime),
    max_restarts: num('max_restarts', DEFAULTS.max_restarts),
    restart_limit: num('restart_limit', DEFAULTS.restart_limit),
    restart_limit_window: Math.max(1, num('restart_limit_window', DEFAULTS.restart_limit_window)),
    kill_timeout: num('kill_timeout', DEFAULTS.kill_timeout),
    kill_signal: str('kill_signal') ?? DEFAULTS.kill_signal,
    shutdown_with_message: bool('shutdown_with_message', false),
    treekill: bool('treekill', true),
    out_file: logPath('out_file'),
    error_file: logPath('error_file'),
    log_file: logFile,
    // PM2: one file per app, unless several instances run in cluster mode.
    merge_logs: bool('merge_logs', execMode !== 'cluster_mode'),
    log_max_size: typeof raw.log_max_size === 'number' ? raw.log_max_size : null,
    log_retain: typeof raw.log_retain === 'number' ? raw.log_retain : null,
    log_compress: typeof raw.log_compress === 'boolean' ? raw.log_compress : null,
    log_rotate_interval: interval,
    disable_logs: bool('disable_logs', false),
    log_date_format: logDateFormat,
    log_type: logType(str('log_type'), at, ctx.badCode),
    pid_file: str('pid_file') ? resolve(cwd, expandHome(str('pid_file') as string, ctx.env)) : null,
    env: appEnv,
    shell_env: shellEnv,
    env_name: envName ?? null,
    filter_env: (raw.filter_env as boolean | string[] | undefined) ?? false,
    instance_var: str('instance_var') ?? ctx.env.PM2_PROCESS_INSTANCE_VAR ?? DEFAULTS.instance_var,
    increment_var: str('increment_var') ?? null,
    watch: watchPaths(raw.watch as boolean | string[] | undefined, cwd, at('watch'), ctx.badCode, (p) =>
      io.exists(p),
    ),
    ignore_watch: list('ignore_watch'),
    watch_delay: num('watch_delay', 0),
    max_memory_restart: typeof raw.max_memory_restart === 'number' ? raw.max_memory_restart : null,
    cron_restart: cronPattern(str('cron_restart') ?? null, at('cron_restart'), ctx.badCode),
    wait_ready: bool('wait_ready', false),
    listen_timeout: num('listen_timeout', DEFAULTS.listen_timeout),
    agent: bool('agent', true),
    memory_check_interval: Math.max(100, num('memory_check_interval', 1000)),
    health: healthCheck(raw.health_check, at('health_check'), ctx.badCode),
    ...notifyField(appNotify(raw.notify, at('notify'), ctx.badCode)),
    listen,
    ready_pattern: readyPattern,
    ready_probe: readyProbe,
    uid,
    gid,
    version: head !== undefined ? io.appVersion(pmExecPath) : 'N/A',
    username: uid !== null ? (io.lookupUser(uid)?.name ?? String(uid)) : io.currentUser(),
    extra: pickExtra(raw),
  };
  return { config, warnings };
}

/**
 * Options with no AppConfig field of their own are kept as they were given: `force`, and PM2's
 * switches Steward does not act on (shown in `jlist` as PM2 shows them).
 */
function pickExtra(raw: RawApp): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(raw)) {
    if (v !== undefined && (k === 'force' || OPTION_BY_KEY.get(k)?.status === 'ignored')) out[k] = v;
  }
  return out;
}
