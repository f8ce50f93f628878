import type * as Crypto from 'node:crypto';
import { isNodeInterpreter } from '../../config/interpreter.js';
import { OPTION_BY_KEY } from '../../config/options.js';
import { stewardVersion } from '../../common/version.js';
import type { ProcSummary } from '../../protocol/methods.js';
import type { Instance } from '../lifecycle/instance.js';
import type { Usage } from './sampler.js';
import { processEnv, SUPERVISOR_MARK } from '../process/spawn-spec.js';
import { lazyBuiltin } from '../../common/lazy-builtin.js';

// Loaded by the first `jlist`, not by every daemon (see lazy-builtin.ts).
const crypto = lazyBuiltin<typeof Crypto>('node:crypto');

/** `ls` row: a handful of fields, cheap to build for hundreds of apps. */
export function summary(inst: Instance, usage: Usage): ProcSummary {
  const c = inst.config;
  const running = inst.status === 'online' || inst.status === 'launching';
  return {
    pm_id: inst.pm_id,
    name: c.name,
    namespace: c.namespace,
    version: c.version,
    exec_mode: c.exec_mode,
    pid: inst.pid,
    pm_uptime: inst.counters.pm_uptime,
    restart_time: inst.restart_time,
    unstable_restarts: inst.counters.unstable_restarts,
    status: inst.status,
    cpu: running ? usage.cpu : 0,
    memory: running ? usage.memory : 0,
    username: c.username,
    watch: c.watch !== false,
    next_restart_at: inst.next_restart_at,
    pm_exec_path: c.pm_exec_path,
  };
}

/** Fields of `pm2_env` that change while the config stays the same (built on every call). */
export function dynamicEnv(inst: Instance): Record<string, unknown> {
  return {
    status: inst.status,
    restart_time: inst.restart_time,
    unstable_restarts: inst.counters.unstable_restarts,
    pm_uptime: inst.counters.pm_uptime,
    created_at: inst.counters.created_at,
    prev_restart_delay: inst.counters.prev_restart_delay,
    // PM2 has it only once the process has exited.
    exit_code: inst.exit_code ?? undefined,
    axm_monitor: inst.metrics,
    axm_actions: inst.actions,
    axm_options: inst.axmOptions,
    axm_dynamic: {},
    vizion_running: false,
  };
}

/**
 * Steward's own details, beside `pm2_env` (not in it): `jlist --steward` and `show` print them,
 * plain `jlist`/`prettylist` drop them, so that every PM2 value appears as often as in PM2.
 */
export function stewardExtras(inst: Instance, logDropped: number): Record<string, unknown> {
  const c = inst.config;
  return {
    next_restart_at: inst.next_restart_at,
    restart_limit: c.restart_limit,
    restart_limit_window: c.restart_limit_window,
    kill_signal: c.kill_signal,
    history: inst.history,
    env_name: c.env_name,
    log_dropped_bytes: logDropped,
    late_start: lateStart(inst),
  };
}

function lateStart(inst: Instance): Record<string, unknown> | null {
  const f = inst.lateStartFailure;
  return f ? { pid: f.pid, at: f.at, after_ms: f.after_ms, exit: f.exit, window_ms: f.window_ms } : null;
}

/** Variables Steward gives the child that PM2 keeps at the top level of `pm2_env`, not in `env`. */
const CHILD_ONLY_VARS = ['pm_id', 'name', 'namespace', SUPERVISOR_MARK];

/** PM2's unique_id is a random UUID; Steward's is derived from the home and id, so it is stable. */
function uniqueId(home: string, pmId: number): string {
  const h = crypto().createHash('sha1').update(`${home}#${pmId}`).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-5${h.slice(13, 16)}-a${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

/** `watch` as PM2 shows it: true when the app's directory is watched, the paths otherwise. */
function watchValue(c: Instance['config']): boolean | string[] {
  if (Array.isArray(c.watch) && c.watch.length === 1 && c.watch[0] === c.pm_cwd) return true;
  return c.watch;
}

/** Fields of `pm2_env` that follow from the config alone (and the dynamic ones' names, reserved). */
export function staticEnv(inst: Instance, home: string, pidPath: string | null): Record<string, unknown> {
  const c = inst.config;
  const logs = inst.logPaths;
  const env: Record<string, string> = processEnv(c, inst.pm_id, inst.index, home);
  for (const k of [...CHILD_ONLY_VARS, c.instance_var]) delete env[k];
  env.unique_id = uniqueId(home, inst.pm_id);
  const pm2Env: Record<string, unknown> = {
    name: c.name,
    namespace: c.namespace,
    pm_id: inst.pm_id,
    exec_mode: c.exec_mode,
    instances: c.instances,
    pm_exec_path: c.pm_exec_path,
    pm_cwd: c.pm_cwd,
    exec_interpreter: c.exec_interpreter,
    node_args: c.node_args,
    // PM2: only when arguments were given.
    args: c.args.length > 0 ? c.args : undefined,
    pm_out_log_path: logs.out ?? '/dev/null',
    pm_err_log_path: logs.err ?? '/dev/null',
    pm_pid_path: pidPath ?? undefined,
    pm_log_path: logs.combined ?? undefined,
    merge_logs: c.merge_logs,
    log_date_format: c.log_date_format ?? undefined,
    log_type: c.log_type === 'json' ? 'json' : undefined,
    disable_logs: c.disable_logs || undefined,
    autorestart: c.autorestart,
    autostart: c.autostart,
    max_restarts: c.max_restarts,
    min_uptime: c.min_uptime,
    restart_delay: c.restart_delay,
    exp_backoff_restart_delay: c.exp_backoff_restart_delay || undefined,
    kill_timeout: c.kill_timeout,
    kill_retry_time: 100,
    listen_timeout: c.listen_timeout,
    wait_ready: c.wait_ready,
    stop_exit_codes: c.stop_exit_codes.length > 0 ? c.stop_exit_codes : undefined,
    max_memory_restart: c.max_memory_restart ?? undefined,
    cron_restart: c.cron_restart ?? undefined,
    watch: watchValue(c),
    ignore_watch: c.ignore_watch.length > 0 ? c.ignore_watch : undefined,
    watch_delay: c.watch_delay,
    treekill: c.treekill,
    shutdown_with_message: c.shutdown_with_message,
    instance_var: c.instance_var,
    increment_var: c.increment_var ?? undefined,
    filter_env: c.filter_env,
    // PM2's defaults for its own switches (Steward has no git parsing, PM2 Plus or pmx; its agent
    // answers @pm2/io), or the value the app's file gave.
    vizion: true,
    automation: true,
    pmx: c.agent,
    km_link: false,
    windowsHide: true,
    username: c.username,
    version: c.version,
    // Sent by the Node wrapper in PM2, so Node apps only.
    node_version: isNodeInterpreter(c.exec_interpreter) ? process.version.slice(1) : undefined,
    // PM2 records its own version on cluster workers; Steward's stands in for it.
    _pm2_version: c.exec_mode === 'cluster_mode' ? stewardVersion() : undefined,
    env,
    [c.instance_var]: inst.index,
  };
  for (const [k, v] of Object.entries(c.extra)) if (OPTION_BY_KEY.get(k)?.status === 'ignored') pm2Env[k] = v;
  // The dynamic fields' names are taken, so that an env variable of that name is not copied up.
  const taken = new Set([...Object.keys(pm2Env), ...DYNAMIC_KEYS]);
  for (const [k, v] of Object.entries(c.extra)) if (!taken.has(k)) pm2Env[k] = v;
  // As PM2 does, every variable again at the top level, where it does not clash with a field.
  for (const [k, v] of Object.entries(env)) if (!taken.has(k)) pm2Env[k] = v;
  for (const [k, v] of Object.entries(pm2Env)) if (v === undefined) delete pm2Env[k];
  return pm2Env;
}

/** The keys `dynamicEnv` returns (a unit test checks that the two agree). */
export const DYNAMIC_KEYS = [
  'status',
  'restart_time',
  'unstable_restarts',
  'pm_uptime',
  'created_at',
  'prev_restart_delay',
  'exit_code',
  'axm_monitor',
  'axm_actions',
  'axm_options',
  'axm_dynamic',
  'vizion_running',
];

/** The static part of an instance's `pm2_env` as JSON, kept until its config object changes. */
const staticCache = new WeakMap<Instance, { config: unknown; pidPath: string | null; json: string }>();

/**
 * PM2's `jlist` entry, as JSON text: top-level pid/name/pm_id/monit and a `pm2_env` with PM2's
 * field names, the app's environment under `env`, and (as PM2 does) every variable copied again at
 * the top level of `pm2_env` where it does not clash with a PM2 field; Steward-only details live
 * in `steward`, beside `pm2_env` (the CLI's `jlist` drops it unless `--steward`). The static part (config, environment: most of the bytes) is serialized once per
 * config and reused: `jlist` once a second on 50 apps cost the daemon ~14 ms of CPU per call when
 * every entry was rebuilt and serialized each time.
 */
export function pm2EntryJson(
  inst: Instance,
  usage: Usage,
  home: string,
  pidPath: string | null,
  logDropped = 0,
): string {
  let cached = staticCache.get(inst);
  if (!cached || cached.config !== inst.config || cached.pidPath !== pidPath) {
    // `{…}` without its braces, to be spliced after the dynamic fields.
    const json = JSON.stringify(staticEnv(inst, home, pidPath)).slice(1, -1);
    cached = { config: inst.config, pidPath, json };
    staticCache.set(inst, cached);
  }
  const running = inst.status === 'online' || inst.status === 'launching';
  const head = JSON.stringify({
    pid: running ? inst.pid : 0,
    name: inst.config.name,
    pm_id: inst.pm_id,
    monit: { memory: running ? usage.memory : 0, cpu: running ? usage.cpu : 0 },
  }).slice(0, -1);
  const dynamic = JSON.stringify(dynamicEnv(inst)).slice(0, -1);
  const extras = JSON.stringify(stewardExtras(inst, logDropped));
  return `${head},"pm2_env":${dynamic}${cached.json ? `,${cached.json}` : ''}},"steward":${extras}}`;
}
