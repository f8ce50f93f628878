import type { OptionSpec } from './options.js';

/**
 * PM2 options Steward accepts for compatibility and does not act on (PM2 Plus, APM, PM2's agent,
 * git metadata, Windows): accepted in files and as flags, never an error; `--verbose` notes them.
 * `execute_command` is here because it is a PM2-only spelling, but it is acted on (fork mode).
 */
export const PM2_ONLY_OPTIONS: readonly OptionSpec[] = [
  {
    key: 'vizion',
    cli: [{ flags: '--no-vizion' }],
    kind: 'boolean',
    status: 'ignored',
    doc: 'PM2 git metadata switch',
  },
  {
    key: 'pmx',
    cli: [{ flags: '--no-pmx' }],
    kind: 'any',
    status: 'ignored',
    doc: 'PM2 in-app agent switch',
  },
  {
    key: 'automation',
    cli: [{ flags: '--no-automation' }],
    kind: 'boolean',
    status: 'ignored',
    doc: 'PM2 agent switch',
  },
  { key: 'trace', cli: [{ flags: '--trace' }], kind: 'boolean', status: 'ignored', doc: 'PM2 Plus tracing' },
  {
    key: 'disable_trace',
    cli: [{ flags: '--disable-trace' }],
    kind: 'boolean',
    status: 'ignored',
    doc: 'PM2 Plus tracing',
  },
  { key: 'v8', cli: [{ flags: '--v8' }], kind: 'boolean', status: 'ignored', doc: 'PM2 Plus' },
  {
    key: 'event_loop_inspector',
    cli: [{ flags: '--event-loop-inspector' }],
    kind: 'boolean',
    status: 'ignored',
    doc: 'PM2 Plus',
  },
  {
    key: 'deep_monitoring',
    cli: [{ flags: '--deep-monitoring' }],
    kind: 'boolean',
    status: 'ignored',
    doc: 'PM2 Plus',
  },
  { key: 'io', kind: 'object', status: 'ignored', doc: 'PM2 Plus agent configuration' },
  {
    key: 'source_map_support',
    cli: [{ flags: '--source-map-support' }],
    kind: 'boolean',
    status: 'ignored',
    doc: 'Use NODE_OPTIONS=--enable-source-maps instead',
  },
  {
    key: 'disable_source_map_support',
    cli: [{ flags: '--disable-source-map-support' }],
    kind: 'boolean',
    status: 'ignored',
    doc: 'See source_map_support',
  },
  { key: 'windowsHide', kind: 'boolean', status: 'ignored', doc: 'Windows only' },
  {
    key: 'kill_retry_time',
    kind: 'int',
    status: 'ignored',
    doc: 'Steward waits on exit events, not a poll interval',
  },
  {
    key: 'execute_command',
    cli: [{ flags: '-x, --execute-command', help: 'run in fork mode even with -i' }],
    kind: 'boolean',
    status: 'active',
    doc: 'Fork mode, even for a Node app with instances',
    pm2: 'PM2 spelling of exec_mode: "fork"',
  },
  { key: 'write', cli: [{ flags: '-w, --write' }], kind: 'boolean', status: 'ignored', doc: 'PM2 CLI -w' },
  { key: 'post_update', kind: 'strings', status: 'ignored', doc: 'PM2 Plus pull/update hooks' },
  { key: 'name_prefix', kind: 'string', status: 'ignored', doc: 'PM2 modules' },
  { key: 'install_url', kind: 'string', status: 'ignored', doc: 'PM2 modules' },
  { key: 'username', kind: 'string', status: 'ignored', doc: 'Set by Steward' },
  { key: 'km_link', kind: 'boolean', status: 'ignored', doc: 'PM2 Plus' },
];
