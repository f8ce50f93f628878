import type { OptionSpec } from './options.js';

/** Restart policy, stopping and the user an app runs as (part of OPTIONS, in this order). */
export const RESTART_OPTIONS: readonly OptionSpec[] = [
  {
    key: 'autorestart',
    cli: [{ flags: '--no-autorestart', help: 'never restart the app when it exits' }],
    kind: 'boolean',
    status: 'active',
    doc: 'Restart the app when it exits',
    default: 'true',
  },
  {
    key: 'autostart',
    cli: [{ flags: '--no-autostart', help: 'register the app without starting it' }],
    kind: 'boolean',
    status: 'active',
    doc: 'Start the app with the file; false registers it stopped',
    default: 'true',
  },
  {
    key: 'stop_exit_codes',
    cli: [
      {
        flags: '--stop-exit-codes <codes...>',
        help: 'exit codes that mean "stopped on purpose": no restart',
      },
    ],
    kind: 'exit_codes',
    status: 'active',
    doc: 'Exit codes that mean "stopped on purpose" (no restart)',
    example: '[0]',
  },
  {
    key: 'restart_delay',
    cli: [{ flags: '--restart-delay <time>', help: 'delay before an automatic restart (e.g. 500ms, 2s)' }],
    kind: 'duration',
    status: 'active',
    doc: 'Delay before an automatic restart',
    default: '0',
    example: '"2s"',
  },
  {
    key: 'exp_backoff_restart_delay',
    cli: [
      {
        flags: '--exp-backoff-restart-delay <time>',
        help: 'exponential back-off: first delay, ×1.5 per crash, capped at 15s',
      },
    ],
    kind: 'duration',
    status: 'active',
    doc: 'Exponential back-off: first delay, ×1.5 per crash, up to 15 s; reset after 30 s up',
    example: '100',
  },
  {
    key: 'min_uptime',
    cli: [
      { flags: '--min-uptime <time>', help: 'uptime below which an exit counts as unstable (default 1s)' },
    ],
    kind: 'duration',
    status: 'active',
    doc: 'An exit sooner than this after start is unstable',
    default: '1000 (ms)',
    example: '"5s"',
  },
  {
    key: 'max_restarts',
    cli: [
      {
        flags: '--max-restarts <n>',
        help: 'unstable restarts (exits within min uptime) before errored (default 16)',
      },
    ],
    kind: 'int',
    status: 'active',
    doc: 'Unstable restarts in a row before the app is errored',
    default: '16',
  },
  {
    key: 'restart_limit',
    cli: [
      {
        flags: '--restart-limit <n>',
        help: 'at most N automatic restarts within --restart-limit-window, then errored (default 50; 0 = off)',
      },
    ],
    kind: 'int',
    status: 'active',
    doc: 'Crash-loop guard: at most this many automatic restarts within restart_limit_window (0 = off)',
    default: '50',
    pm2: 'Steward only',
  },
  {
    key: 'restart_limit_window',
    cli: [
      { flags: '--restart-limit-window <time>', help: 'sliding window of --restart-limit (default 10m)' },
    ],
    kind: 'duration',
    status: 'active',
    doc: 'Sliding window of restart_limit',
    default: '"10m"',
    pm2: 'Steward only',
  },
  {
    key: 'kill_timeout',
    cli: [
      {
        flags: '-k, --kill-timeout <time>',
        help: 'grace period between the stop signal and SIGKILL (default 1600ms)',
      },
    ],
    kind: 'duration',
    status: 'active',
    doc: 'Grace period between the stop signal and SIGKILL',
    default: '1600 (ms)',
    example: '"10s"',
  },
  {
    key: 'kill_signal',
    cli: [{ flags: '--kill-signal <signal>', help: 'stop signal (default SIGINT)' }],
    kind: 'signal',
    status: 'active',
    doc: 'Signal sent to stop the app',
    default: '"SIGINT"',
    example: '"SIGTERM"',
    pm2: 'PM2 reads it only from PM2_KILL_SIGNAL',
  },
  {
    key: 'shutdown_with_message',
    cli: [
      { flags: '--shutdown-with-message', help: 'stop with the IPC message "shutdown" instead of a signal' },
    ],
    kind: 'boolean',
    status: 'active',
    doc: 'Stop with the IPC message "shutdown" instead of a signal',
    default: 'false',
  },
  {
    key: 'treekill',
    cli: [{ flags: '--no-treekill', help: 'signal only the main process, not its process group' }],
    kind: 'boolean',
    status: 'active',
    doc: 'Signal the whole process group, not only the main process',
    default: 'true',
  },
  {
    key: 'force',
    cli: [{ flags: '-f, --force', help: 'start another copy of an already running script' }],
    kind: 'boolean',
    status: 'active',
    doc: 'Start another copy even when the same script runs',
    default: 'false',
  },
  {
    key: 'uid',
    cli: [
      { flags: '-u, --user <name>', help: 'run as this user (the daemon must run as root)' },
      { flags: '--uid <uid>', help: 'run with this user id or name (alias of --user)' },
    ],
    aliases: ['user'],
    kind: 'user',
    status: 'active',
    doc: 'Run as this user (name or id); the daemon must run as root',
    example: '"www-data"',
  },
  {
    key: 'gid',
    cli: [{ flags: '--gid <gid>', help: 'run with this group id or name' }],
    kind: 'user',
    status: 'active',
    doc: 'Run with this group (name or id); the daemon must run as root',
    example: '"www-data"',
  },
];
