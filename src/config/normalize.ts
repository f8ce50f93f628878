import { existsSync, statSync } from 'node:fs';
import { userInfo } from 'node:os';
import { basename, isAbsolute, join, resolve } from 'node:path';
import { parse as parseDotenv } from 'dotenv';
import { readFileSync } from 'node:fs';
import { StewardError, type ErrorCode } from '../common/errors.js';
import type { AppConfig } from './app-config.js';
import { DEFAULTS } from './defaults.js';
import type { RawApp } from './ecosystem-schema.js';
import { inferInterpreter, isNodeInterpreter } from './interpreter.js';
import { appVersion, defaultName, readHead, which } from './resolve-script.js';
import { lookupGroup, lookupUser } from './users.js';
import { ISO_FORMAT, isValidDateFormat } from '../common/timefmt.js';
import { isValidInterval } from './interval.js';
import { Cron } from 'croner';
import { parseDuration } from './units.js';

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
  const label = ctx.label ?? ((k: string) => k);
  const at = (k: string) => `${ctx.where ? `${ctx.where}: ` : ''}${label(k)}`;
  const fail = (code: ErrorCode, msg: string, hint: string) => new StewardError(code, msg, { hint });
  const str = (k: string) => (typeof raw[k] === 'string' ? raw[k] : undefined);
  const num = (k: string, d: number) => (typeof raw[k] === 'number' ? raw[k] : d);
  const bool = (k: string, d: boolean) => (typeof raw[k] === 'boolean' ? raw[k] : d);
  const list = (k: string) => (Array.isArray(raw[k]) ? (raw[k] as string[]) : []);

  let cwd = str('cwd') ? resolve(ctx.cwd, expandHome(str('cwd') as string, ctx.env)) : ctx.cwd;
  try {
    if (!statSync(cwd).isDirectory()) throw new Error('not a directory');
  } catch {
    throw fail(ctx.badCode, `${at('cwd')}: ${cwd} is not a directory`, 'give an existing directory');
  }

  const script = (str('script') ?? '').trim();
  let args = list('args');
  let interpreter = str('exec_interpreter');
  let pmExecPath: string;
  let head = readHead(isAbsolute(script) ? script : join(cwd, script));
  if (head === undefined && ctx.fileDir && !str('cwd') && !isAbsolute(script)) {
    // PM2 resolves from where the CLI runs; when that fails, the config file's directory is the
    // only sensible base, so Steward uses it (and runs the app there) instead of failing.
    const alt = readHead(join(ctx.fileDir, script));
    if (alt !== undefined) {
      head = alt;
      cwd = ctx.fileDir;
    }
  }
  if (head !== undefined) {
    pmExecPath = isAbsolute(script) ? script : join(cwd, script);
    interpreter ??= inferInterpreter(pmExecPath, head);
  } else if (/\s/.test(script)) {
    // A command line: run it through bash, as PM2 does.
    pmExecPath = which('bash', ctx.env.PATH) ?? '/bin/bash';
    interpreter = 'none';
    args = ['-c', script, ...args];
  } else {
    const onPath = which(script, ctx.env.PATH);
    if (!onPath) {
      throw fail(
        'E_SCRIPT_NOT_FOUND',
        `${ctx.where ? `${ctx.where}: ` : ''}script not found: ${script} (not a file in ${cwd}, not a command on PATH)`,
        'check the path, or set cwd to the directory it is in',
      );
    }
    pmExecPath = onPath;
    interpreter ??= 'none';
  }

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
      Object.assign(appEnv, parseDotenv(readFileSync(p, 'utf8')));
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
    (raw.instances !== undefined && isNodeInterpreter(interpreter) ? 'cluster_mode' : 'fork_mode');
  const listen = list('listen').map((a) => {
    const parsed = parseListen(a);
    if (!parsed) {
      throw fail(
        ctx.badCode,
        `${at('listen')}: expected a port or host:port, got ${JSON.stringify(a)}`,
        'e.g. 8000, "127.0.0.1:8000" or "[::]:8000"',
      );
    }
    return parsed;
  });
  const readyPattern = str('ready_pattern') ?? null;
  if (readyPattern !== null) {
    try {
      new RegExp(readyPattern);
    } catch (e) {
      throw fail(
        ctx.badCode,
        `${at('ready_pattern')}: not a regular expression (${(e as Error).message})`,
        'fix the pattern',
      );
    }
  }
  const readyProbe = str('ready_probe') ?? null;
  if (readyProbe !== null && !/^(tcp:\/\/[^/]+:\d+|https?:\/\/\S+)$/.test(readyProbe)) {
    throw fail(
      ctx.badCode,
      `${at('ready_probe')}: expected tcp://host:port or http://host:port/path, got ${JSON.stringify(readyProbe)}`,
      'e.g. "http://127.0.0.1:8000/health"',
    );
  }
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
    const u = lookupUser(raw.uid as string | number);
    if (!u)
      throw fail(
        ctx.badCode,
        `${at('uid')}: no such user ${JSON.stringify(raw.uid)}`,
        'give a user name or id from /etc/passwd',
      );
    uid = u.id;
    gid = u.gid;
    appEnv.HOME ??= u.home;
    appEnv.USER ??= u.name;
    appEnv.LOGNAME ??= u.name;
  }
  if (raw.gid !== undefined) {
    const g = lookupGroup(raw.gid as string | number);
    if (g === undefined)
      throw fail(
        ctx.badCode,
        `${at('gid')}: no such group ${JSON.stringify(raw.gid)}`,
        'give a group name or id from /etc/group',
      );
    gid = g;
  }

  const logDateFormat = str('log_date_format') ?? (raw.time === true ? ISO_FORMAT : null);
  if (logDateFormat !== null && !isValidDateFormat(logDateFormat)) {
    throw fail(
      ctx.badCode,
      `${at('log_date_format')}: "${logDateFormat}" has no date or time token`,
      'use a dayjs format such as "YYYY-MM-DD HH:mm:ss Z"',
    );
  }
  const interval = str('log_rotate_interval') ?? null;
  if (interval !== null && !isValidInterval(interval)) {
    throw fail(
      ctx.badCode,
      `${at('log_rotate_interval')}: expected "daily", "hourly" or a cron expression, got ${JSON.stringify(interval)}`,
      'e.g. "daily" or "0 */6 * * *"',
    );
  }
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
    log_type: str('log_type') === 'json' ? 'json' : 'raw',
    pid_file: str('pid_file') ? resolve(cwd, expandHome(str('pid_file') as string, ctx.env)) : null,
    env: appEnv,
    shell_env: shellEnv,
    env_name: envName ?? null,
    filter_env: (raw.filter_env as boolean | string[] | undefined) ?? false,
    instance_var: str('instance_var') ?? ctx.env.PM2_PROCESS_INSTANCE_VAR ?? DEFAULTS.instance_var,
    increment_var: str('increment_var') ?? null,
    watch: watchPaths(raw.watch as boolean | string[] | undefined, cwd, at('watch'), ctx.badCode),
    ignore_watch: list('ignore_watch'),
    watch_delay: num('watch_delay', 0),
    max_memory_restart: typeof raw.max_memory_restart === 'number' ? raw.max_memory_restart : null,
    cron_restart: cronPattern(str('cron_restart') ?? null, at('cron_restart'), ctx.badCode),
    wait_ready: bool('wait_ready', false),
    listen_timeout: num('listen_timeout', DEFAULTS.listen_timeout),
    agent: bool('agent', true),
    memory_check_interval: Math.max(100, num('memory_check_interval', 1000)),
    health: healthCheck(raw.health_check, at('health_check'), ctx.badCode),
    listen,
    ready_pattern: readyPattern,
    ready_probe: readyProbe,
    uid,
    gid,
    version: head !== undefined ? appVersion(pmExecPath) : 'N/A',
    username: uid !== null ? (lookupUser(uid)?.name ?? String(uid)) : userInfo().username,
    extra: pickExtra(raw),
  };
  if (config.log_type === 'raw' && str('log_type') && str('log_type') !== 'raw') {
    throw fail(
      ctx.badCode,
      `${at('log_type')}: expected "json" or "raw", got ${JSON.stringify(str('log_type'))}`,
      'use log_type: "json"',
    );
  }
  return { config, warnings };
}

/**
 * A listen address, normalised to `host:port` (`[v6]:port`). A bare port means 127.0.0.1: Steward
 * binds the socket, and what Steward binds stays local unless told otherwise.
 */
export function parseListen(a: string): string | undefined {
  const s = a.trim();
  let host = '127.0.0.1';
  let port: string;
  const v6 = /^\[([0-9a-fA-F:.]+)\]:(\d+)$/.exec(s);
  if (v6) {
    host = `[${v6[1] ?? ''}]`;
    port = v6[2] ?? '';
  } else if (/^\d+$/.test(s)) port = s;
  else {
    const m = /^([^:\s]*):(\d+)$/.exec(s);
    if (!m) return undefined;
    host = m[1] || '127.0.0.1';
    port = m[2] ?? '';
  }
  const n = Number(port);
  return Number.isInteger(n) && n > 0 && n < 65536 ? `${host}:${n}` : undefined;
}

/** Validates a cron expression with croner (5 or 6 fields) at start, not at the first tick. */
function cronPattern(v: string | null, where: string, code: ErrorCode): string | null {
  if (v === null) return null;
  try {
    new Cron(v, { paused: true }).stop();
    return v;
  } catch (e) {
    throw new StewardError(code, `${where}: invalid cron expression "${v}" (${(e as Error).message})`, {
      hint: 'use 5 fields (minute hour day month weekday) or 6 (with seconds first), e.g. "0 3 * * *"',
    });
  }
}

/** `watch: true` watches cwd; paths must exist (a typo would otherwise watch nothing, silently). */
function watchPaths(
  v: boolean | string[] | undefined,
  cwd: string,
  where: string,
  code: ErrorCode,
): boolean | string[] {
  if (v === undefined || v === false) return false;
  if (v === true || v.length === 0) return [cwd];
  return v.map((p) => {
    const abs = resolve(cwd, p);
    if (!existsSync(abs)) {
      throw new StewardError(code, `${where}: ${abs} does not exist`, {
        hint: 'fix the path, or create it first',
      });
    }
    return abs;
  });
}

/** health_check: { url | tcp | command, expect_status, interval, timeout, failure_threshold, initial_delay }. */
function healthCheck(v: unknown, where: string, code: ErrorCode): AppConfig['health'] {
  if (v === undefined || v === null) return null;
  const o = v as Record<string, unknown>;
  const bad = (what: string, hint: string) =>
    new StewardError(code, `${where}${what.startsWith(':') ? '' : '.'}${what}`, { hint });
  const targets = (['url', 'tcp', 'command'] as const).filter((k) => o[k] !== undefined);
  if (targets.length !== 1)
    throw bad(
      `: give exactly one of url, tcp or command (got ${targets.length})`,
      'e.g. { "url": "http://127.0.0.1:3000/health" }',
    );
  const known = new Set([
    'url',
    'tcp',
    'command',
    'expect_status',
    'interval',
    'timeout',
    'failure_threshold',
    'initial_delay',
  ]);
  for (const k of Object.keys(o))
    if (!known.has(k)) throw bad(`${k}: unknown field`, `fields are ${[...known].join(', ')}`);
  const kind = targets[0] as 'url' | 'tcp' | 'command';
  const target = o[kind];
  if (typeof target !== 'string' || target.trim() === '')
    throw bad(`${kind}: expected a string`, 'give the probe target');
  if (kind === 'url' && !/^https?:\/\/[^\s/]+/.test(target)) {
    throw bad(
      `url: expected an http:// or https:// URL, got ${JSON.stringify(target)}`,
      'for a TCP check use { "tcp": "127.0.0.1:5432" }',
    );
  }
  if (kind === 'tcp' && !/^(\[[^\]]+\]|[^:\s]+)?:?\d+$/.test(target)) {
    throw bad(`tcp: expected host:port, got ${JSON.stringify(target)}`, 'e.g. "127.0.0.1:5432"');
  }
  const dur = (k: string, d: number, min: number) => {
    if (o[k] === undefined) return d;
    const n = typeof o[k] === 'number' || typeof o[k] === 'string' ? parseDuration(o[k]) : undefined;
    if (n === undefined || n < min)
      throw bad(`${k}: expected a duration ≥ ${min}ms, got ${JSON.stringify(o[k])}`, 'e.g. "10s" or 500');
    return n;
  };
  const threshold = o.failure_threshold === undefined ? 3 : Number(o.failure_threshold);
  if (!Number.isInteger(threshold) || threshold < 1) {
    throw bad(
      `failure_threshold: expected a whole number ≥ 1, got ${JSON.stringify(o.failure_threshold)}`,
      'e.g. 3',
    );
  }
  const statuses =
    o.expect_status === undefined ? [] : Array.isArray(o.expect_status) ? o.expect_status : [o.expect_status];
  if (!statuses.every((s) => Number.isInteger(s) && (s as number) >= 100 && (s as number) < 600)) {
    throw bad(
      `expect_status: expected HTTP status codes, got ${JSON.stringify(o.expect_status)}`,
      'e.g. 200 or [200, 204]',
    );
  }
  return {
    type: kind === 'url' ? 'http' : kind,
    target:
      kind === 'tcp' && /^\d+$/.test(target) ? `127.0.0.1:${target}` : target.replace(/^:/, '127.0.0.1:'),
    expect_status: statuses as number[],
    interval: dur('interval', 10_000, 1),
    timeout: dur('timeout', 1000, 1),
    failure_threshold: threshold,
    initial_delay: dur('initial_delay', 0, 0),
  };
}

/** Planned options with no AppConfig field of their own are kept as they were given. */
function pickExtra(raw: RawApp): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const k of ['watch_options', 'force']) if (raw[k] !== undefined) out[k] = raw[k];
  return out;
}
