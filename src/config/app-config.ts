import { z } from 'zod';

/**
 * The normalised, fully resolved configuration of one app, as the daemon receives it. Loose input
 * (CLI flags, ecosystem files) is turned into this shape at the edge by `src/config/`; the daemon
 * re-validates it on the wire with the same schema. Keys keep PM2's option names so that `jlist`
 * can expose them unchanged. Durations are in ms, sizes in bytes.
 */
export const AppConfigSchema = z.object({
  name: z.string().min(1),
  namespace: z.string().min(1),
  /** The script as the user gave it. */
  script: z.string().min(1),
  /** Absolute path of the script, or the command as found on PATH. */
  pm_exec_path: z.string().min(1),
  pm_cwd: z.string().min(1),
  args: z.array(z.string()),
  /** `node`, `none` (run the script itself), or an interpreter command or path. */
  exec_interpreter: z.string().min(1),
  /** Interpreter arguments (PM2's `node_args` / `interpreter_args`). */
  node_args: z.array(z.string()),
  exec_mode: z.enum(['fork_mode', 'cluster_mode']),
  instances: z.number().int().min(1),
  autorestart: z.boolean(),
  autostart: z.boolean(),
  stop_exit_codes: z.array(z.number().int()),
  restart_delay: z.number().int().min(0),
  /** 0 disables exponential back-off. */
  exp_backoff_restart_delay: z.number().int().min(0),
  min_uptime: z.number().int().min(0),
  max_restarts: z.number().int().min(0),
  /** Crash-loop guard beyond PM2: at most `restart_limit` automatic restarts within the window. 0 = off. */
  restart_limit: z.number().int().min(0),
  restart_limit_window: z.number().int().min(1),
  kill_timeout: z.number().int().min(0),
  kill_signal: z.string().regex(/^SIG[A-Z0-9]+$/),
  shutdown_with_message: z.boolean(),
  treekill: z.boolean(),
  /** Absolute log paths; null disables the stream (`/dev/null`, `NULL`). */
  out_file: z.string().nullable(),
  error_file: z.string().nullable(),
  log_file: z.string().nullable(),
  merge_logs: z.boolean(),
  log_date_format: z.string().nullable(),
  log_type: z.enum(['raw', 'json']),
  pid_file: z.string().nullable(),
  /** Environment from the app's config (`env`, then `env_<name>`), applied over `shell_env`. */
  env: z.record(z.string(), z.string()),
  /** The starting shell's environment, frozen at start (refreshed by `--update-env`). */
  shell_env: z.record(z.string(), z.string()),
  /** Names of `env_<name>` sections that were applied (for display). */
  env_name: z.string().nullable(),
  filter_env: z.union([z.boolean(), z.array(z.string())]),
  instance_var: z.string().min(1),
  increment_var: z.string().nullable(),
  watch: z.union([z.boolean(), z.array(z.string())]),
  ignore_watch: z.array(z.string()),
  watch_delay: z.number().int().min(0),
  max_memory_restart: z.number().int().min(0).nullable(),
  cron_restart: z.string().nullable(),
  wait_ready: z.boolean(),
  listen_timeout: z.number().int().min(0),
  /** The app's version from the nearest package.json, or `N/A`. */
  version: z.string(),
  username: z.string(),
  /** Options Steward carries but does not act on yet (kept for `jlist` and the dump). */
  extra: z.record(z.string(), z.unknown()),
});

export type AppConfig = z.infer<typeof AppConfigSchema>;

export { DEFAULTS } from './defaults.js';
