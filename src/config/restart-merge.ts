/**
 * What the app options given to `restart`/`reload` do (PM2 merges them into the app's config).
 * Every option with a flag is in exactly one of these tables (a unit test checks it). Kept free of
 * imports: the daemon's param schema reads PATCH_FIELDS, the CLI's flag table reads the others.
 */

/** Options merged into the config before the restart, and the AppConfig fields they set. */
export const MERGED: ReadonlyMap<string, readonly string[]> = new Map<string, readonly string[]>([
  ['node_args', ['node_args']],
  ['filter_env', ['filter_env']],
  ['autorestart', ['autorestart']],
  ['stop_exit_codes', ['stop_exit_codes']],
  ['restart_delay', ['restart_delay']],
  ['exp_backoff_restart_delay', ['exp_backoff_restart_delay']],
  ['min_uptime', ['min_uptime']],
  ['max_restarts', ['max_restarts']],
  ['restart_limit', ['restart_limit']],
  ['restart_limit_window', ['restart_limit_window']],
  ['kill_timeout', ['kill_timeout']],
  ['kill_signal', ['kill_signal']],
  ['shutdown_with_message', ['shutdown_with_message']],
  ['treekill', ['treekill']],
  ['log_date_format', ['log_date_format']],
  ['time', ['log_date_format']],
  ['log_type', ['log_type']],
  ['disable_logs', ['disable_logs']],
  ['log_max_size', ['log_max_size']],
  ['log_retain', ['log_retain']],
  ['log_compress', ['log_compress']],
  ['log_rotate_interval', ['log_rotate_interval']],
  ['agent', ['agent']],
  ['ready_pattern', ['ready_pattern']],
  ['ready_probe', ['ready_probe']],
  ['max_memory_restart', ['max_memory_restart']],
  ['cron_restart', ['cron_restart']],
  ['ignore_watch', ['ignore_watch']],
  ['watch_delay', ['watch_delay']],
  ['memory_check_interval', ['memory_check_interval']],
  ['wait_ready', ['wait_ready']],
  ['listen_timeout', ['listen_timeout']],
]);

/** The AppConfig fields a restart/reload patch may set (the daemon refuses any other). */
export const PATCH_FIELDS: readonly string[] = [...new Set([...MERGED.values()].flat())];

const FIXED_AT_START = 'it is fixed when the app is started';

/**
 * Options a restart cannot change, refused with an error (exit 2, nothing is sent): they say what
 * the app is, what runs, where it runs and logs, or as whom. `name` and `namespace` given with
 * the app's own value (`restart api --name api`, common in PM2 scripts) are accepted.
 */
export const KEPT: ReadonlyMap<string, string> = new Map([
  ['name', 'an app is renamed by deleting it and starting it under the new name'],
  ['namespace', FIXED_AT_START],
  ['cwd', `${FIXED_AT_START} (the script is found from it)`],
  ['exec_interpreter', `${FIXED_AT_START} with its script`],
  ['uid', `${FIXED_AT_START} (with its HOME and USER)`],
  ['gid', FIXED_AT_START],
  ['listen', 'the daemon binds its sockets when the app is started'],
  ['env_file', 'restart keeps the environment; --update-env or an ecosystem file changes it'],
  ['out_file', `${FIXED_AT_START}, with its log files`],
  ['error_file', `${FIXED_AT_START}, with its log files`],
  ['log_file', `${FIXED_AT_START}, with its log files`],
  ['merge_logs', `${FIXED_AT_START}, with its log files`],
  ['pid_file', FIXED_AT_START],
]);

/** Options accepted on restart/reload without effect, as in PM2 (`--verbose` notes them). */
export const NOT_ON_RESTART: ReadonlyMap<string, string> = new Map([
  ['instances', 'a restart does not change the number of processes (as in PM2); use `steward scale`'],
  ['execute_command', 'a restart does not change the exec mode (as in PM2)'],
  ['autostart', 'it applies when an app is registered'],
  ['force', 'Steward has no reload lock to override'],
  ['watch', 'on reload it has no effect; `restart --watch` toggles watching'],
]);
