/**
 * Public types of the programmatic API (`import { connect } from 'steward'`). Option names are PM2's,
 * so an app object written for PM2 fits; values may be loose (`"5s"`, `"300M"`, `"max"`) and are
 * checked and normalised exactly as an ecosystem file is.
 */

/** PM2's process status strings. */
export type ProcessStatus =
  'launching' | 'online' | 'stopping' | 'stopped' | 'errored' | 'waiting restart' | 'one-launch-status';

/** An app, as in an ecosystem file (PM2 option names; docs/ecosystem.md lists every option). */
export interface AppOptions {
  /** File to run, or a command on PATH (`"python3 -m http.server"` runs through bash -c). */
  script: string;
  name?: string;
  namespace?: string;
  cwd?: string;
  args?: string | string[];
  interpreter?: string;
  exec_interpreter?: string;
  interpreter_args?: string | string[];
  node_args?: string | string[];
  exec_mode?: 'fork' | 'cluster' | 'fork_mode' | 'cluster_mode';
  /** N, `"max"` (one per CPU) or -N (CPUs minus N). */
  instances?: number | string;
  env?: Record<string, string | number | boolean>;
  env_file?: string;
  filter_env?: boolean | string | string[];
  instance_var?: string;
  increment_var?: string;
  port?: number;
  autorestart?: boolean;
  autostart?: boolean;
  stop_exit_codes?: number | number[];
  /** Durations: ms, or a string with a unit (`"500ms"`, `"5s"`, `"2m"`). */
  restart_delay?: number | string;
  exp_backoff_restart_delay?: number | string;
  min_uptime?: number | string;
  max_restarts?: number;
  restart_limit?: number;
  restart_limit_window?: number | string;
  kill_timeout?: number | string;
  kill_signal?: string;
  shutdown_with_message?: boolean;
  treekill?: boolean;
  uid?: string | number;
  gid?: string | number;
  out_file?: string;
  error_file?: string;
  log_file?: string | boolean;
  merge_logs?: boolean;
  pid_file?: string;
  log_date_format?: string;
  time?: boolean;
  log_type?: 'json' | 'raw';
  disable_logs?: boolean;
  /** Sizes: bytes, or a string with a unit (`"10M"`). */
  log_max_size?: number | string;
  log_retain?: number;
  log_compress?: boolean;
  log_rotate_interval?: string;
  max_memory_restart?: number | string;
  cron_restart?: string;
  watch?: boolean | string | string[];
  ignore_watch?: string | string[];
  watch_delay?: number | string;
  wait_ready?: boolean;
  listen_timeout?: number | string;
  /** `env_<name>` sections, applied with `{ env: '<name>' }` when starting an ecosystem file. */
  [section: `env_${string}`]: Record<string, string | number | boolean> | string | undefined;
}

/** A target: an app name, an id, a namespace, `all`, or a `/regex/` on the name. */
export type Target = string | number;

/** One row of `steward ls`. */
export interface ProcessInfo {
  pm_id: number;
  name: string;
  namespace: string;
  /** The app's version (nearest package.json) or `N/A`. */
  version: string;
  exec_mode: 'fork_mode' | 'cluster_mode';
  /** 0 when not running. */
  pid: number;
  /** When the process was last spawned (ms since the epoch). */
  pm_uptime: number;
  restart_time: number;
  unstable_restarts: number;
  status: ProcessStatus;
  /** Percent of one CPU, and resident memory in bytes. */
  cpu: number;
  memory: number;
  username: string;
  watch: boolean;
  /** When a pending automatic restart happens (ms since the epoch), or null. */
  next_restart_at: number | null;
  pm_exec_path: string;
}

/** One entry of `steward jlist`, in PM2's shape. */
export interface ProcessDescription {
  /** 0 when not running. */
  pid: number;
  name: string;
  pm_id: number;
  monit: { memory: number; cpu: number };
  pm2_env: {
    name: string;
    namespace: string;
    pm_id: number;
    status: ProcessStatus;
    restart_time: number;
    unstable_restarts: number;
    pm_uptime: number;
    exec_mode: 'fork_mode' | 'cluster_mode';
    instances: number;
    pm_exec_path: string;
    pm_cwd: string;
    exec_interpreter: string;
    /** Only when the script was given arguments, as in PM2. */
    args?: string[];
    pm_out_log_path: string;
    pm_err_log_path: string;
    env: Record<string, string>;
    [key: string]: unknown;
  };
  /** Steward's own details (restart history, next retry, crash-loop window…), beside PM2's shape. */
  steward?: StewardDetails;
}

export interface StewardDetails {
  next_restart_at: number | null;
  restart_limit: number;
  restart_limit_window: number;
  kill_signal: string;
  /** Structured events, latest last: what happened, why, and to which process. */
  history: Array<{
    at: number;
    event: string;
    reason?: string;
    pid?: number;
    exit_code?: number;
    signal?: string;
    /** Put online after listen_timeout without its readiness signal. */
    not_ready?: boolean;
  }>;
  env_name: string | null;
  log_dropped_bytes: number;
  /**
   * The process exited within its start window after `start` had reported it up (a late start
   * failure, docs/restart-policy.md); null when not, or once the app was started again.
   */
  late_start: { pid: number; at: number; after_ms: number; exit: string; window_ms: number } | null;
}

/** A line (or chunk) of an app's output, as `steward logs` streams it. */
export interface LogLine {
  pm_id: number;
  name: string;
  namespace: string;
  type: 'out' | 'err';
  data: string;
  /** ms since the epoch. */
  at: number;
}

/** A lifecycle event of one process: `start`, `online`, `exit`, `restart`, `stop`, `errored`, `delete`… */
export interface ProcessEvent {
  pm_id: number;
  name: string;
  event: string;
  status: ProcessStatus | 'deleted';
  reason?: string;
  at: number;
}

export interface ConnectOptions {
  /** STEWARD_HOME of the daemon (default: env STEWARD_HOME, else ~/.steward). */
  home?: string;
  /** Start the daemon when none runs (default true). */
  autostart?: boolean;
  /**
   * A daemon on another host, through the system ssh and `steward dial-stdio` there (docs/remote.md):
   * `ssh://user@host[:port]` or `user@host`. The remote daemon is started when none runs.
   */
  host?: string;
  /** How to reach `host` (default: the user's own ssh set-up, `steward` on the remote login PATH). */
  ssh?: RemoteSshOptions;
}

export interface RemoteSshOptions {
  /** An ssh_config file (ssh -F). */
  config?: string;
  /** A private key file (ssh -i). */
  identity?: string;
  /** ssh -o options, e.g. `['Port=2222']`. */
  options?: string[];
  /** The remote steward executable (default: STEWARD_BIN there, else `steward` on its login PATH). */
  bin?: string;
  /** STEWARD_HOME on the remote host (default: the remote user's ~/.steward). */
  home?: string;
  /** Seconds before giving up on an unreachable host (default 10). */
  connectTimeout?: number;
}

export interface StartOptions {
  /** Start another copy of a script that already runs (`-f`). */
  force?: boolean;
  /** Watch new processes this long (ms) and fail when one exits in that time (default 0: don't wait). */
  settleMs?: number;
  /** Base of relative paths (default: process.cwd()). */
  cwd?: string;
  /** With an ecosystem file: apply `env_<name>`. */
  env?: string;
  /** With an ecosystem file: only these apps. */
  only?: string[];
}

export interface StartResult {
  /** The processes started (one per instance). */
  processes: ProcessInfo[];
  /** Unknown options that were ignored, and the like. */
  warnings: string[];
}

export interface RestartOptions {
  /** Refresh the environment from this process's (PM2's --update-env). */
  updateEnv?: boolean;
}

export interface LogsOptions {
  /** Only these apps (names or ids); default: every app. */
  targets?: Target[];
}
