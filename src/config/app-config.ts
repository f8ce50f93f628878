import * as v from 'valibot';

/**
 * The normalised, fully resolved configuration of one app, as the daemon receives it. Loose input
 * (CLI flags, ecosystem files) is turned into this shape at the edge by `src/config/`; the daemon
 * re-validates it on the wire with the same schema. Keys keep PM2's option names so that `jlist`
 * can expose them unchanged. Durations are in ms, sizes in bytes.
 *
 * Fields added after format 1 shipped are optional with a default, so older dumps, journals and
 * clients stay readable.
 *
 * Schemas use valibot rather than zod: the daemon must stay small, and zod 4 adds ~14 MB of RSS to
 * a Node process where valibot adds ~3 MB (measured; see docs/architecture.md).
 */
const str = v.pipe(v.string(), v.minLength(1));
const int = (min: number) => v.pipe(v.number(), v.integer(), v.minValue(min));
const strings = v.array(v.string());
const env = v.record(v.string(), v.string());

export const AppConfigSchema = v.object({
  name: str,
  namespace: str,
  /** The script as the user gave it. */
  script: str,
  /** Absolute path of the script, or the command as found on PATH. */
  pm_exec_path: str,
  pm_cwd: str,
  args: strings,
  /** `node`, `none` (run the script itself), or an interpreter command or path. */
  exec_interpreter: str,
  /** Interpreter arguments (PM2's `node_args` / `interpreter_args`). */
  node_args: strings,
  exec_mode: v.picklist(['fork_mode', 'cluster_mode']),
  instances: int(1),
  autorestart: v.boolean(),
  autostart: v.boolean(),
  stop_exit_codes: v.array(v.pipe(v.number(), v.integer())),
  restart_delay: int(0),
  /** 0 disables exponential back-off. */
  exp_backoff_restart_delay: int(0),
  min_uptime: int(0),
  max_restarts: int(0),
  /** Crash-loop guard beyond PM2: at most `restart_limit` automatic restarts within the window. 0 = off. */
  restart_limit: int(0),
  restart_limit_window: int(1),
  kill_timeout: int(0),
  kill_signal: v.pipe(v.string(), v.regex(/^SIG[A-Z0-9]+$/)),
  shutdown_with_message: v.boolean(),
  treekill: v.boolean(),
  /** Absolute log paths; '' means the default under STEWARD_HOME/logs; null disables the stream. */
  out_file: v.nullable(v.string()),
  error_file: v.nullable(v.string()),
  log_file: v.nullable(v.string()),
  merge_logs: v.boolean(),
  /** Rotation; null takes the global setting (`steward set`). */
  log_max_size: v.optional(v.nullable(int(0)), null),
  log_retain: v.optional(v.nullable(int(0)), null),
  log_compress: v.optional(v.nullable(v.boolean()), null),
  log_rotate_interval: v.optional(v.nullable(v.string()), null),
  disable_logs: v.optional(v.boolean(), false),
  log_date_format: v.nullable(v.string()),
  log_type: v.picklist(['raw', 'json']),
  pid_file: v.nullable(v.string()),
  /** Environment from the app's config (`env`, then `env_<name>`), applied over `shell_env`. */
  env,
  /** The starting shell's environment, frozen at start (refreshed by `--update-env`). */
  shell_env: env,
  /** Name of the `env_<name>` section that was applied. */
  env_name: v.nullable(v.string()),
  filter_env: v.union([v.boolean(), strings]),
  instance_var: str,
  increment_var: v.nullable(v.string()),
  watch: v.union([v.boolean(), strings]),
  ignore_watch: strings,
  watch_delay: int(0),
  max_memory_restart: v.nullable(int(0)),
  cron_restart: v.nullable(v.string()),
  wait_ready: v.boolean(),
  listen_timeout: int(0),
  /** Preload Steward's agent into Node apps (readiness, cluster sockets, drain, metrics). */
  agent: v.optional(v.boolean(), true),
  /** Addresses the daemon binds once and shares with every instance (fd 3…, LISTEN_FDS). */
  listen: v.optional(v.array(v.string()), []),
  /** Readiness beyond wait_ready: a log line pattern, or a tcp:// / http:// probe. */
  ready_pattern: v.optional(v.nullable(v.string()), null),
  ready_probe: v.optional(v.nullable(v.string()), null),
  /** How often max_memory_restart is checked, in ms. */
  memory_check_interval: v.optional(int(100), 1000),
  /** Liveness probe; failing it `failure_threshold` times in a row restarts the app. */
  health: v.optional(
    v.nullable(
      v.object({
        type: v.picklist(['http', 'tcp', 'command']),
        target: str,
        expect_status: v.array(int(100)),
        interval: int(1),
        timeout: int(1),
        failure_threshold: int(1),
        initial_delay: int(0),
      }),
    ),
    null,
  ),
  /** Notifications for this app (src/config/normalize-notify.ts); absent: the global settings apply. */
  notify: v.optional(
    v.object({
      enabled: v.boolean(),
      events: v.nullable(v.array(str)),
      channels: v.nullable(v.array(str)),
      cpu_above: v.nullable(v.pipe(v.number(), v.minValue(0))),
      memory_above: v.nullable(int(0)),
      above_for: int(0),
      log_pattern: v.nullable(str),
    }),
  ),
  /** Run as this user/group (numeric; the daemon must be root). */
  uid: v.optional(v.nullable(int(0)), null),
  gid: v.optional(v.nullable(int(0)), null),
  /** The app's version from the nearest package.json, or `N/A`. */
  version: v.string(),
  username: v.string(),
  /** Options Steward carries but does not act on yet (kept for `jlist` and the dump). */
  extra: v.record(v.string(), v.unknown()),
});

export type AppConfig = v.InferOutput<typeof AppConfigSchema>;

export { DEFAULTS } from './defaults.js';
