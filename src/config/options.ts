/**
 * Every ecosystem option Steward knows, under PM2's names: its aliases, what it accepts, what it
 * does, and whether Steward acts on it. One table drives validation (src/config/ecosystem-schema.ts),
 * the JSON Schema for editors (schema/ecosystem.schema.json) and the reference in docs/ecosystem.md.
 */
export type OptionKind =
  | 'string'
  | 'int'
  | 'duration'
  | 'size'
  | 'boolean'
  | 'args'
  | 'strings'
  | 'env'
  | 'instances'
  | 'exec_mode'
  | 'exit_codes'
  | 'watch'
  | 'filter_env'
  | 'log_file'
  | 'cron'
  | 'user'
  | 'signal'
  | 'object'
  | 'any';

/**
 * `active`: Steward acts on it. `planned`: accepted, validated and kept (shown in `jlist`), acted on
 * by a later release. `ignored`: accepted quietly for compatibility, no effect (PM2 Plus, APM…).
 */
export type OptionStatus = 'active' | 'planned' | 'ignored';

export interface OptionSpec {
  key: string;
  aliases?: readonly string[];
  kind: OptionKind;
  status: OptionStatus;
  doc: string;
  default?: string;
  example?: string;
  /** How Steward differs from PM2 here. */
  pm2?: string;
}

export const OPTIONS: readonly OptionSpec[] = [
  {
    key: 'name',
    kind: 'string',
    status: 'active',
    doc: 'Name in the process list; a target for commands',
    default: 'script file name without extension',
    example: '"api"',
  },
  {
    key: 'script',
    aliases: ['exec', 'cmd', 'command'],
    kind: 'string',
    status: 'active',
    doc: 'File to run, or a command on PATH; a string with spaces runs through bash -c. Required',
    example: '"./server.js"',
  },
  {
    key: 'namespace',
    kind: 'string',
    status: 'active',
    doc: 'Group name; a target for commands',
    default: '"default"',
    example: '"backend"',
  },
  {
    key: 'cwd',
    kind: 'string',
    status: 'active',
    doc: 'Working directory; relative paths in the app are resolved from it',
    default: 'the directory `steward` runs in',
    example: '"/srv/api"',
    pm2: 'When the script is not found from the CLI directory but is found next to the config file, Steward uses that (PM2 fails)',
  },
  {
    key: 'args',
    kind: 'args',
    status: 'active',
    doc: 'Arguments for the script: an array, or a string split like a shell would',
    example: '["--port", "3000"]',
  },
  {
    key: 'exec_interpreter',
    aliases: ['interpreter'],
    kind: 'string',
    status: 'active',
    doc: 'Interpreter: node, python3, bash…, a path, or "none" to run the script itself',
    default: 'from the extension (.js node, .py python3, .sh bash, .rb ruby, .php php, .pl perl, .ts node)',
    example: '"python3"',
    pm2: '.ts runs with Node (type stripping or tsx), not bun',
  },
  {
    key: 'node_args',
    aliases: ['interpreter_args', 'interpreterArgs', 'nodeArgs'],
    kind: 'args',
    status: 'active',
    doc: 'Arguments for the interpreter',
    example: '"--max-old-space-size=512"',
  },
  {
    key: 'exec_mode',
    aliases: ['mode'],
    kind: 'exec_mode',
    status: 'active',
    doc: 'fork or cluster (fork_mode/cluster_mode accepted)',
    default: 'fork',
    example: '"cluster"',
  },
  {
    key: 'instances',
    kind: 'instances',
    status: 'active',
    doc: 'Number of processes: N, "max" or 0 (one per CPU), -N (CPUs minus N)',
    default: '1',
    example: '"max"',
  },
  {
    key: 'env',
    kind: 'env',
    status: 'active',
    doc: 'Environment variables (values are turned into strings)',
    example: '{ "NODE_ENV": "development" }',
  },
  {
    key: 'env_file',
    kind: 'string',
    status: 'active',
    doc: 'A dotenv file loaded under `env` (relative to cwd)',
    example: '".env"',
    pm2: 'Steward only',
  },
  {
    key: 'filter_env',
    kind: 'filter_env',
    status: 'active',
    doc: 'true: do not inherit the shell environment; strings: drop shell variables whose names contain them',
    default: 'false',
    example: '["AWS_"]',
  },
  {
    key: 'append_env_to_name',
    kind: 'boolean',
    status: 'active',
    doc: 'Append -<env> to the name when --env is used',
    default: 'false',
  },
  {
    key: 'instance_var',
    kind: 'string',
    status: 'active',
    doc: 'Name of the variable holding the instance number',
    default: '"NODE_APP_INSTANCE"',
  },
  {
    key: 'increment_var',
    kind: 'string',
    status: 'active',
    doc: 'A variable increased by the instance number (PORT 3000, 3001…)',
    example: '"PORT"',
  },
  { key: 'port', kind: 'int', status: 'active', doc: 'Shortcut for env.PORT', example: '3000' },
  {
    key: 'autorestart',
    kind: 'boolean',
    status: 'active',
    doc: 'Restart the app when it exits',
    default: 'true',
  },
  {
    key: 'autostart',
    kind: 'boolean',
    status: 'active',
    doc: 'Start the app with the file; false registers it stopped',
    default: 'true',
  },
  {
    key: 'stop_exit_codes',
    kind: 'exit_codes',
    status: 'active',
    doc: 'Exit codes that mean "stopped on purpose" (no restart)',
    example: '[0]',
  },
  {
    key: 'restart_delay',
    kind: 'duration',
    status: 'active',
    doc: 'Delay before an automatic restart',
    default: '0',
    example: '"2s"',
  },
  {
    key: 'exp_backoff_restart_delay',
    kind: 'duration',
    status: 'active',
    doc: 'Exponential back-off: first delay, ×1.5 per crash, up to 15 s; reset after 30 s up',
    example: '100',
  },
  {
    key: 'min_uptime',
    kind: 'duration',
    status: 'active',
    doc: 'An exit sooner than this after start is unstable',
    default: '1000 (ms)',
    example: '"5s"',
  },
  {
    key: 'max_restarts',
    kind: 'int',
    status: 'active',
    doc: 'Unstable restarts in a row before the app is errored',
    default: '16',
  },
  {
    key: 'restart_limit',
    kind: 'int',
    status: 'active',
    doc: 'Crash-loop guard: at most this many automatic restarts within restart_limit_window (0 = off)',
    default: '50',
    pm2: 'Steward only',
  },
  {
    key: 'restart_limit_window',
    kind: 'duration',
    status: 'active',
    doc: 'Sliding window of restart_limit',
    default: '"10m"',
    pm2: 'Steward only',
  },
  {
    key: 'kill_timeout',
    kind: 'duration',
    status: 'active',
    doc: 'Grace period between the stop signal and SIGKILL',
    default: '1600 (ms)',
    example: '"10s"',
  },
  {
    key: 'kill_signal',
    kind: 'signal',
    status: 'active',
    doc: 'Signal sent to stop the app',
    default: '"SIGINT"',
    example: '"SIGTERM"',
    pm2: 'PM2 reads it only from PM2_KILL_SIGNAL',
  },
  {
    key: 'shutdown_with_message',
    kind: 'boolean',
    status: 'active',
    doc: 'Stop with the IPC message "shutdown" instead of a signal',
    default: 'false',
  },
  {
    key: 'treekill',
    kind: 'boolean',
    status: 'active',
    doc: 'Signal the whole process group, not only the main process',
    default: 'true',
  },
  {
    key: 'force',
    kind: 'boolean',
    status: 'active',
    doc: 'Start another copy even when the same script runs',
    default: 'false',
  },
  {
    key: 'uid',
    aliases: ['user'],
    kind: 'user',
    status: 'active',
    doc: 'Run as this user (name or id); the daemon must run as root',
    example: '"www-data"',
  },
  {
    key: 'gid',
    kind: 'user',
    status: 'active',
    doc: 'Run with this group (name or id); the daemon must run as root',
    example: '"www-data"',
  },
  {
    key: 'out_file',
    aliases: ['out', 'output', 'out_log'],
    kind: 'string',
    status: 'active',
    doc: 'stdout log file; "/dev/null" or "NULL" disables it',
    default: '"$STEWARD_HOME/logs/<name>-out.log"',
  },
  {
    key: 'error_file',
    aliases: ['error', 'err', 'err_file', 'err_log'],
    kind: 'string',
    status: 'active',
    doc: 'stderr log file; "/dev/null" or "NULL" disables it',
    default: '"$STEWARD_HOME/logs/<name>-error.log"',
  },
  {
    key: 'log_file',
    aliases: ['log'],
    kind: 'log_file',
    status: 'active',
    doc: 'Combined stdout+stderr log file; true for the default path',
    default: 'none',
  },
  {
    key: 'merge_logs',
    aliases: ['combine_logs'],
    kind: 'boolean',
    status: 'active',
    doc: 'One log file for all instances instead of <name>-<id>',
    default: 'true in fork mode, false in cluster mode',
  },
  {
    key: 'pid_file',
    aliases: ['pid'],
    kind: 'string',
    status: 'active',
    doc: 'Pid file; -<id> is inserted before .pid',
    default: '"$STEWARD_HOME/pids/<name>-<id>.pid"',
  },
  {
    key: 'log_date_format',
    kind: 'string',
    status: 'active',
    doc: 'Timestamp format prefixed to log lines',
    example: '"YYYY-MM-DD HH:mm:ss Z"',
  },
  {
    key: 'time',
    kind: 'boolean',
    status: 'active',
    doc: 'Prefix log lines with a timestamp',
    default: 'false',
  },
  {
    key: 'log_type',
    kind: 'string',
    status: 'active',
    doc: '"json" writes one JSON object per line',
    example: '"json"',
  },
  { key: 'disable_logs', kind: 'boolean', status: 'active', doc: 'Keep no log files', default: 'false' },
  {
    key: 'listen',
    kind: 'strings',
    status: 'active',
    doc: 'Addresses the daemon binds once and hands to every instance as fd 3, 4… with LISTEN_FDS/LISTEN_PID/LISTEN_FDNAMES (systemd socket activation): shared port and zero-downtime reload for any language. A bare port binds 127.0.0.1',
    example: '["0.0.0.0:8000"]',
    pm2: 'Steward only (PM2 cluster mode is Node-only)',
  },
  {
    key: 'agent',
    kind: 'boolean',
    status: 'active',
    doc: "Preload Steward's agent into Node apps (readiness, cluster sockets, graceful drain)",
    default: 'true',
    pm2: 'PM2 injects its own agent (pmx); Steward ignores pmx',
  },
  {
    key: 'ready_pattern',
    kind: 'string',
    status: 'active',
    doc: 'The app is ready when a line of its output matches this regular expression',
    example: '"listening on"',
    pm2: 'Steward only',
  },
  {
    key: 'ready_probe',
    kind: 'string',
    status: 'active',
    doc: 'The app is ready when this probe succeeds: tcp://host:port, or http://host:port/path (2xx/3xx)',
    example: '"http://127.0.0.1:8000/health"',
    pm2: 'Steward only',
  },
  {
    key: 'log_max_size',
    kind: 'size',
    status: 'active',
    doc: 'Rotate a log file when it reaches this size (0 = never)',
    default: 'global setting, 100M',
    example: '"10M"',
    pm2: 'Steward only (PM2 needs the pm2-logrotate module)',
  },
  {
    key: 'log_retain',
    kind: 'int',
    status: 'active',
    doc: 'Rotated files kept per log file',
    default: 'global setting, 5',
    pm2: 'Steward only',
  },
  {
    key: 'log_compress',
    kind: 'boolean',
    status: 'active',
    doc: 'gzip rotated files',
    default: 'global setting, false',
    pm2: 'Steward only',
  },
  {
    key: 'log_rotate_interval',
    kind: 'string',
    status: 'active',
    doc: 'Also rotate on a schedule: "daily", "hourly" or a cron expression',
    default: 'global setting, none',
    example: '"daily"',
    pm2: 'Steward only',
  },
  {
    key: 'max_memory_restart',
    kind: 'size',
    status: 'active',
    doc: 'Restart when memory goes above this size',
    example: '"300M"',
  },
  {
    key: 'cron_restart',
    aliases: ['cron'],
    kind: 'cron',
    status: 'active',
    doc: 'Restart on a cron schedule (5 or 6 fields); 0 disables',
    example: '"0 3 * * *"',
  },
  {
    key: 'watch',
    kind: 'watch',
    status: 'active',
    doc: 'Restart on file changes: true (cwd) or paths',
    default: 'false',
  },
  {
    key: 'ignore_watch',
    kind: 'strings',
    status: 'active',
    doc: 'Paths or patterns not to watch',
    example: '["tmp"]',
  },
  {
    key: 'watch_delay',
    kind: 'duration',
    status: 'active',
    doc: 'Debounce before a watch restart',
    default: '0',
  },
  {
    key: 'watch_options',
    kind: 'object',
    status: 'ignored',
    doc: 'chokidar options in PM2; Steward picks its own (one inotify watch per directory, no polling)',
  },
  {
    key: 'memory_check_interval',
    kind: 'duration',
    status: 'active',
    doc: 'How often max_memory_restart is checked (on the whole process tree)',
    default: '1000 (ms)',
    pm2: 'PM2 checks every 30 s, main process only',
  },
  {
    key: 'health_check',
    kind: 'object',
    status: 'active',
    doc: 'Liveness probe: { url | tcp | command, expect_status, interval, timeout, failure_threshold, initial_delay }; failing it restarts the app',
    example: '{ "url": "http://127.0.0.1:3000/health", "interval": "10s" }',
    pm2: 'Steward only (PM2 issue 2197)',
  },
  {
    key: 'wait_ready',
    kind: 'boolean',
    status: 'active',
    doc: 'Wait for process.send("ready") before the app counts as online',
    default: 'false',
  },
  {
    key: 'listen_timeout',
    kind: 'duration',
    status: 'active',
    doc: 'How long to wait for ready/listening',
    default: '3000 (ms)',
  },
  { key: 'vizion', kind: 'boolean', status: 'ignored', doc: 'PM2 git metadata switch' },
  { key: 'pmx', kind: 'any', status: 'ignored', doc: 'PM2 in-app agent switch' },
  { key: 'automation', kind: 'boolean', status: 'ignored', doc: 'PM2 agent switch' },
  { key: 'trace', kind: 'boolean', status: 'ignored', doc: 'PM2 Plus tracing' },
  { key: 'disable_trace', kind: 'boolean', status: 'ignored', doc: 'PM2 Plus tracing' },
  { key: 'v8', kind: 'boolean', status: 'ignored', doc: 'PM2 Plus' },
  { key: 'event_loop_inspector', kind: 'boolean', status: 'ignored', doc: 'PM2 Plus' },
  { key: 'deep_monitoring', kind: 'boolean', status: 'ignored', doc: 'PM2 Plus' },
  { key: 'io', kind: 'object', status: 'ignored', doc: 'PM2 Plus agent configuration' },
  {
    key: 'source_map_support',
    kind: 'boolean',
    status: 'ignored',
    doc: 'Use NODE_OPTIONS=--enable-source-maps instead',
  },
  { key: 'disable_source_map_support', kind: 'boolean', status: 'ignored', doc: 'See source_map_support' },
  { key: 'windowsHide', kind: 'boolean', status: 'ignored', doc: 'Windows only' },
  {
    key: 'kill_retry_time',
    kind: 'int',
    status: 'ignored',
    doc: 'Steward waits on exit events, not a poll interval',
  },
  { key: 'execute_command', kind: 'boolean', status: 'ignored', doc: 'PM2 internal' },
  { key: 'write', kind: 'boolean', status: 'ignored', doc: 'PM2 CLI -w' },
  { key: 'post_update', kind: 'strings', status: 'ignored', doc: 'PM2 Plus pull/update hooks' },
  { key: 'name_prefix', kind: 'string', status: 'ignored', doc: 'PM2 modules' },
  { key: 'install_url', kind: 'string', status: 'ignored', doc: 'PM2 modules' },
  { key: 'username', kind: 'string', status: 'ignored', doc: 'Set by Steward' },
  { key: 'km_link', kind: 'boolean', status: 'ignored', doc: 'PM2 Plus' },
];

export const OPTION_BY_KEY: ReadonlyMap<string, OptionSpec> = new Map(OPTIONS.map((o) => [o.key, o]));

/** alias (and canonical name) → canonical name. */
export const CANONICAL: ReadonlyMap<string, string> = new Map(
  OPTIONS.flatMap((o) => [[o.key, o.key] as const, ...(o.aliases ?? []).map((a) => [a, o.key] as const)]),
);

/** Resolves a key: an option, an alias, a camelCase spelling (PM2 accepts those), or `env_<name>`. */
export function canonicalKey(key: string): string | undefined {
  const direct = CANONICAL.get(key);
  if (direct) return direct;
  const snake = key.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);
  return CANONICAL.get(snake);
}

/** Edit distance, for "did you mean" suggestions. */
export function editDistance(a: string, b: string): number {
  const prev = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i += 1) {
    let diag = prev[0] ?? 0;
    prev[0] = i;
    for (let j = 1; j <= b.length; j += 1) {
      const tmp = prev[j] ?? 0;
      prev[j] = Math.min((prev[j] ?? 0) + 1, (prev[j - 1] ?? 0) + 1, diag + (a[i - 1] === b[j - 1] ? 0 : 1));
      diag = tmp;
    }
  }
  return prev[b.length] ?? 0;
}

export function closestOption(key: string): string | undefined {
  let best: string | undefined;
  let bestD = Infinity;
  for (const name of CANONICAL.keys()) {
    const d = editDistance(key.toLowerCase(), name.toLowerCase());
    if (d < bestD) {
      bestD = d;
      best = CANONICAL.get(name);
    }
  }
  return bestD <= Math.max(2, Math.floor(key.length / 3)) ? best : undefined;
}
