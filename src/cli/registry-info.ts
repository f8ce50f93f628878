import { withPm2Globals } from './pm2-flags.js';
import type { CommandDef, OptionDef } from './registry.js';

const info = () => import('./commands/info.js');
const logsCmd = () => import('./commands/logs.js');
const monitoring = () => import('./commands/monitoring.js');

/** Why an app option means nothing to a command that only reads the list. */
const READ_ONLY = 'this command only reads the process list';

const STEWARD_DETAILS: OptionDef = {
  flags: '--steward',
  description:
    "add Steward's details to each entry, in `steward` beside `pm2_env` (restart history, next retry, crash-loop window, dropped log bytes)",
};

/** Commands that show the list, one app, logs, metrics and settings (part of COMMANDS). */
export const INFO_COMMANDS: CommandDef[] = [
  {
    name: 'list',
    aliases: ['ls', 'l', 'ps', 'status'],
    summary: 'list the managed processes',
    // Built when the command runs: ~100 PM2 flags per command cost every CLI start otherwise.
    get options() {
      return withPm2Globals(
        [
          {
            flags: '--sort <field[:asc|desc]>',
            description: 'sort by id, name, namespace, pid, cpu, memory, uptime, status, restarts',
          },
        ],
        READ_ONLY,
      );
    },
    run: async (ctx, _args, opts) => (await info()).list(ctx, opts),
  },
  {
    name: 'jlist',
    summary: "the process list as JSON, in PM2's shape",
    // Built when the command runs: ~100 PM2 flags per command cost every CLI start otherwise.
    get options() {
      return withPm2Globals([STEWARD_DETAILS], READ_ONLY);
    },
    run: async (ctx, _args, opts) => (await info()).jlist(ctx, opts),
  },
  {
    name: 'prettylist',
    summary: 'the process list, pretty-printed as PM2 prints it',
    // Built when the command runs: ~100 PM2 flags per command cost every CLI start otherwise.
    get options() {
      return withPm2Globals([STEWARD_DETAILS], READ_ONLY);
    },
    run: async (ctx, _args, opts) => (await info()).prettylist(ctx, opts),
  },
  {
    name: 'describe',
    aliases: ['show', 'desc', 'info'],
    args: '<target>',
    summary: 'everything about one app',
    // Built when the command runs: ~100 PM2 flags per command cost every CLI start otherwise.
    get options() {
      return withPm2Globals([], READ_ONLY);
    },
    run: async (ctx, args) => (await info()).describe(ctx, args[0] as string),
  },
  {
    name: 'pid',
    args: '[target]',
    summary: 'pids of an app (0 when not running), or of all',
    run: async (ctx, args) => (await info()).pid(ctx, args[0] as string | undefined),
  },
  {
    name: 'id',
    args: '<name>',
    summary: 'ids of the processes of an app',
    run: async (ctx, args) => (await info()).id(ctx, args[0] as string),
  },
  {
    name: 'env',
    args: '<target>',
    summary: 'the environment a process runs with',
    run: async (ctx, args) => (await info()).env(ctx, args[0] as string),
  },
  {
    name: 'monit',
    aliases: ['dashboard', 'dash'],
    summary:
      'a live terminal dashboard: the processes with cpu and memory sparklines, the details, metrics and output of the selected one; keys restart, stop, reload and filter',
    run: async (ctx, _args, opts) => (await import('./commands/monit.js')).monit(ctx, opts),
  },
  {
    name: 'logs',
    args: '[target]',
    summary: 'the last lines of the apps (merged in time order), then their live output',
    // Built when the command runs: ~100 PM2 flags per command cost every CLI start otherwise.
    get options() {
      return withPm2Globals([
        { flags: '--lines <n>', description: 'how many past lines (default 15; 0 = stream only)' },
        { flags: '--err', description: 'stderr only' },
        { flags: '--out', description: 'stdout only' },
        { flags: '--raw', description: 'lines only, without the id|name prefix' },
        { flags: '--json', description: 'one JSON object per line' },
        {
          flags: '--timestamp [format]',
          description: 'prefix the time each line was written (dayjs format)',
        },
        { flags: '--nostream', description: 'print the past lines and exit' },
        {
          flags: '--format',
          description: 'PM2 key=value stream format (accepted; Steward prints its own line format)',
          ignored: 'Steward prints id|name| lines, or --json',
          hidden: true,
        },
        {
          flags: '--highlight [value]',
          description: 'PM2 highlighting (accepted; pipe through grep --color instead)',
          ignored: 'pipe through grep --color instead',
          hidden: true,
        },
      ]);
    },
    run: async (ctx, args, opts) => (await logsCmd()).logs(ctx, args[0] as string | undefined, opts),
  },
  {
    name: 'trigger',
    args: '<target> <action> [param]',
    summary: 'run an action the app declared (with steward/agent, or @pm2/io unchanged) and print its reply',
    run: async (ctx, args) =>
      (await monitoring()).trigger(ctx, args[0] as string, args[1] as string, args[2] as string | undefined),
  },
  {
    name: 'sendSignal',
    args: '<signal> <target>',
    summary: 'send a signal to the running processes of an app',
    run: async (ctx, args) => (await monitoring()).sendSignal(ctx, args[0] as string, args[1] as string),
  },
  {
    name: 'send',
    args: '<target> <line...>',
    summary: "write a line to an app's standard input",
    run: async (ctx, args) => (await monitoring()).sendLine(ctx, args[0] as string, args[1] as string[]),
  },
  {
    name: 'flush',
    args: '[target]',
    summary: 'empty the log files of an app (of every app and the daemon with no target)',
    run: async (ctx, args) => (await logsCmd()).flush(ctx, args[0] as string | undefined),
  },
  {
    name: 'reloadLogs',
    summary: 'reopen every log file (after an external logrotate moved them)',
    run: async (ctx) => (await logsCmd()).reloadLogs(ctx),
  },
  {
    name: 'set',
    args: '[key] [value]',
    summary:
      'set a global setting (log_max_size, log_retain, log_compress, log_rotate_interval, notify.*; pm2-logrotate:* keys work too)',
    run: async (ctx, args) =>
      (await logsCmd()).set(ctx, args[0] as string | undefined, args[1] as string | undefined),
  },
  {
    name: 'get',
    args: '[key]',
    summary: 'show the global settings',
    run: async (ctx, args) => (await logsCmd()).get(ctx, args[0] as string | undefined),
  },
  {
    name: 'unset',
    args: '<key>',
    summary: 'reset a global setting to its default',
    run: async (ctx, args) => (await logsCmd()).unset(ctx, args[0] as string),
  },
];
