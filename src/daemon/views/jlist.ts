import { isNodeInterpreter } from '../../config/interpreter.js';
import type { ProcSummary } from '../../protocol/methods.js';
import type { Instance } from '../lifecycle/instance.js';
import type { Usage } from './sampler.js';
import { processEnv } from '../process/spawn-spec.js';

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
export function dynamicEnv(inst: Instance, logDropped: number): Record<string, unknown> {
  const c = inst.config;
  return {
    status: inst.status,
    restart_time: inst.restart_time,
    unstable_restarts: inst.counters.unstable_restarts,
    pm_uptime: inst.counters.pm_uptime,
    created_at: inst.counters.created_at,
    prev_restart_delay: inst.counters.prev_restart_delay,
    exit_code: inst.exit_code,
    axm_monitor: inst.metrics,
    axm_actions: inst.actions,
    axm_options: inst.axmOptions,
    steward: {
      next_restart_at: inst.next_restart_at,
      restart_limit: c.restart_limit,
      restart_limit_window: c.restart_limit_window,
      kill_signal: c.kill_signal,
      history: inst.history,
      env_name: c.env_name,
      log_dropped_bytes: logDropped,
    },
  };
}

/** Fields of `pm2_env` that follow from the config alone (and the dynamic ones' names, reserved). */
export function staticEnv(inst: Instance, home: string, pidPath: string | null): Record<string, unknown> {
  const c = inst.config;
  const logs = inst.logPaths;
  const env = processEnv(c, inst.pm_id, inst.index, home);
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
    args: c.args,
    script: c.script,
    pm_out_log_path: logs.out ?? '/dev/null',
    pm_err_log_path: logs.err ?? '/dev/null',
    pm_pid_path: pidPath,
    merge_logs: c.merge_logs,
    log_date_format: c.log_date_format,
    log_type: c.log_type,
    autorestart: c.autorestart,
    autostart: c.autostart,
    max_restarts: c.max_restarts,
    min_uptime: c.min_uptime,
    restart_delay: c.restart_delay,
    exp_backoff_restart_delay: c.exp_backoff_restart_delay,
    kill_timeout: c.kill_timeout,
    kill_retry_time: 100,
    listen_timeout: c.listen_timeout,
    wait_ready: c.wait_ready,
    stop_exit_codes: c.stop_exit_codes,
    max_memory_restart: c.max_memory_restart,
    cron_restart: c.cron_restart,
    watch: c.watch,
    ignore_watch: c.ignore_watch,
    watch_delay: c.watch_delay,
    treekill: c.treekill,
    shutdown_with_message: c.shutdown_with_message,
    instance_var: c.instance_var,
    filter_env: c.filter_env,
    vizion: false,
    pmx: false,
    username: c.username,
    version: c.version,
    node_version: isNodeInterpreter(c.exec_interpreter) ? process.version.slice(1) : null,
    unique_id: `${home}#${inst.pm_id}`,
    env,
    [c.instance_var]: inst.index,
  };
  if (logs.combined) pm2Env.pm_log_path = logs.combined;
  // The dynamic fields' names are taken, so that an env variable of that name is not copied up.
  const dynamic = DYNAMIC_KEYS.filter((k) => !(k in pm2Env));
  for (const k of dynamic) pm2Env[k] = null;
  for (const [k, v] of Object.entries(c.extra)) if (!(k in pm2Env)) pm2Env[k] = v;
  for (const [k, v] of Object.entries(env)) if (!(k in pm2Env)) pm2Env[k] = v;
  for (const k of dynamic) delete pm2Env[k];
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
  'steward',
];

/** The static part of an instance's `pm2_env` as JSON, kept until its config object changes. */
const staticCache = new WeakMap<Instance, { config: unknown; pidPath: string | null; json: string }>();

/**
 * PM2's `jlist` entry, as JSON text: top-level pid/name/pm_id/monit and a `pm2_env` with PM2's
 * field names, the app's environment under `env`, and (as PM2 does) every variable copied again at
 * the top level of `pm2_env` where it does not clash with a PM2 field; Steward-only details live
 * under `steward`. The static part (config, environment: most of the bytes) is serialized once per
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
  const dynamic = JSON.stringify(dynamicEnv(inst, logDropped)).slice(0, -1);
  return `${head},"pm2_env":${dynamic}${cached.json ? `,${cached.json}` : ''}}}`;
}
