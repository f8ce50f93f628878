import type { StartOptions } from './commands/lifecycle.js';
import type { CliContext } from './context.js';
import { ENV, ONLY, START_OPTIONS, UPDATE_ENV, withPm2Globals } from './pm2-flags.js';

/**
 * One registry of commands: it drives the parser, the help text and docs/cli.md. Handlers are
 * imported lazily so that `steward ls` loads only what listing needs.
 */
export interface OptionDef {
  flags: string;
  description: string;
  /** Default value shown in help. */
  default?: string | boolean;
  /** May be repeated, one value each time (collected into an array). */
  repeat?: boolean;
  /** Not in help or docs/cli.md (PM2 flags kept for scripts). */
  hidden?: boolean;
  /** Accepted without effect, for PM2 scripts: why (printed under --verbose). */
  ignored?: string;
}

export interface CommandDef {
  name: string;
  aliases?: string[];
  /** Commander argument syntax, e.g. `<targets...>`. */
  args?: string;
  summary: string;
  options?: OptionDef[];
  run(ctx: CliContext, args: unknown[], opts: Record<string, unknown>, scriptArgs: string[]): Promise<void>;
}

const lifecycle = () => import('./commands/lifecycle.js');
const info = () => import('./commands/info.js');
const daemon = () => import('./commands/daemon.js');
const config = () => import('./commands/config.js');
const logsCmd = () => import('./commands/logs.js');
const startupCmd = () => import('./commands/startup.js');
const serveCmd = () => import('./commands/serve.js');
const completionCmd = () => import('./commands/completion.js');
const monitoring = () => import('./commands/monitoring.js');
const pm2Only = () => import('./commands/pm2-only.js');

/** PM2 Plus commands: one line saying what replaces them, exit 0. */
const PLUS_COMMANDS: CommandDef[] = (
  [
    ['link', '[args...]'],
    ['unlink', undefined],
    ['plus', '[args...]', ['register']],
    ['login', undefined],
    ['logout', undefined],
    ['open', undefined],
    ['monitor', '[target]'],
    ['unmonitor', '[target]'],
  ] as Array<[string, string | undefined, string[]?]>
).map(([name, args, aliases]) => ({
  name,
  ...(args ? { args } : {}),
  ...(aliases ? { aliases } : {}),
  summary: 'PM2 Plus: says what replaces it in Steward (built-in metrics), exits 0',
  options: [
    { flags: '--info-node [url]', description: 'PM2 Plus on-premise URL (accepted)', hidden: true },
    { flags: '-d, --discrete', description: 'accepted', hidden: true },
    { flags: '-a, --install-all', description: 'accepted', hidden: true },
  ],
  run: async (ctx) => (await pm2Only()).plus(ctx, name),
}));

/** Why an app option means nothing to a command that only reads the list. */
const READ_ONLY = 'this command only reads the process list';

const STEWARD_DETAILS: OptionDef = {
  flags: '--steward',
  description:
    "add Steward's details to each entry, in `steward` beside `pm2_env` (restart history, next retry, crash-loop window, dropped log bytes)",
};

const STARTUP_OPTIONS: OptionDef[] = [
  { flags: '-u, --user <name>', description: 'the user the daemon runs as (default: you, or SUDO_USER)' },
  { flags: '--hp <home>', description: "that user's home directory (default: from /etc/passwd)" },
  {
    flags: '--service-name <name>',
    description: 'name of the service (default: steward-<user>; launchd: steward.<user>)',
  },
  { flags: '--wait-ip', description: 'start only once the network is online (systemd, openrc)' },
  { flags: '--print', description: 'print the service file and change nothing' },
];

export const COMMANDS: CommandDef[] = [
  {
    name: 'start',
    args: '[scripts...]',
    summary:
      'start a script, a command, an app by name, or the apps of an ecosystem file (default: ecosystem.config.js here); arguments after -- go to the script',
    options: START_OPTIONS,
    run: async (ctx, args, opts, scriptArgs) =>
      (await lifecycle()).start(ctx, args[0] as string[], scriptArgs, opts as StartOptions),
  },
  {
    name: 'stop',
    args: '<targets...>',
    summary: 'stop apps (name, id, namespace, /regex/, all, or an ecosystem file)',
    options: withPm2Globals([ONLY, { flags: '--watch', description: 'also turn watching off' }]),
    run: async (ctx, args, opts) => (await lifecycle()).stop(ctx, args[0] as string[], opts),
  },
  {
    name: 'restart',
    args: '<targets...>',
    summary:
      'restart apps; with an ecosystem file, apply its config and environment (and start missing apps)',
    options: withPm2Globals([UPDATE_ENV, ONLY, ENV, { flags: '--watch', description: 'toggle watching' }]),
    run: async (ctx, args, opts) => (await lifecycle()).restart(ctx, 'restart', args[0] as string[], opts),
  },
  {
    name: 'reload',
    args: '<targets...>',
    summary: 'reload apps (zero-downtime where possible; otherwise a restart)',
    options: withPm2Globals([UPDATE_ENV, ONLY, ENV]),
    run: async (ctx, args, opts) => (await lifecycle()).restart(ctx, 'reload', args[0] as string[], opts),
  },
  {
    name: 'gracefulReload',
    args: '<targets...>',
    summary:
      "PM2's former graceful reload: the same as reload (use --shutdown-with-message on start for a message-based stop)",
    options: withPm2Globals([UPDATE_ENV, ONLY, ENV]),
    run: async (ctx, args, opts) => {
      ctx.info(
        'gracefulReload is reload in Steward: old processes get their stop signal, or the "shutdown" message when the app has shutdown_with_message',
      );
      await (await lifecycle()).restart(ctx, 'reload', args[0] as string[], opts);
    },
  },
  {
    name: 'delete',
    aliases: ['del'],
    args: '<targets...>',
    summary: 'stop apps and remove them from the list',
    options: withPm2Globals([ONLY]),
    run: async (ctx, args, opts) => (await lifecycle()).del(ctx, args[0] as string[], opts),
  },
  {
    name: 'scale',
    args: '<name> <number>',
    summary: 'set the number of instances of an app: N, +N or -N (going down drains the removed ones)',
    run: async (ctx, args) => (await lifecycle()).scale(ctx, args[0] as string, args[1] as string),
  },
  {
    name: 'startOrRestart',
    args: '<file>',
    summary:
      "start the apps of an ecosystem file that are missing, restart the others with the file's config",
    options: withPm2Globals([ONLY, ENV, UPDATE_ENV]),
    run: async (ctx, args, opts) => (await lifecycle()).restart(ctx, 'restart', [args[0] as string], opts),
  },
  {
    name: 'startOrReload',
    aliases: ['startOrGracefulReload'],
    args: '<file>',
    summary: 'start the apps of an ecosystem file that are missing, reload the others',
    options: withPm2Globals([ONLY, ENV, UPDATE_ENV]),
    run: async (ctx, args, opts) => (await lifecycle()).restart(ctx, 'reload', [args[0] as string], opts),
  },
  {
    name: 'validate',
    args: '[file]',
    summary: 'check an ecosystem file without starting anything (default: ecosystem.config.js here)',
    options: [ONLY, ENV],
    run: async (ctx, args, opts) => (await config()).validate(ctx, args[0] as string | undefined, opts),
  },
  {
    name: 'init',
    aliases: ['ecosystem'],
    summary: 'write a commented starter ecosystem file in this directory',
    run: async (ctx) => (await config()).init(ctx),
  },
  {
    name: 'reset',
    args: '<targets...>',
    summary: 'reset restart counters',
    run: async (ctx, args) => (await lifecycle()).reset(ctx, args[0] as string[]),
  },
  {
    name: 'list',
    aliases: ['ls', 'l', 'ps', 'status'],
    summary: 'list the managed processes',
    options: withPm2Globals(
      [
        {
          flags: '--sort <field[:asc|desc]>',
          description: 'sort by id, name, namespace, pid, cpu, memory, uptime, status, restarts',
        },
      ],
      READ_ONLY,
    ),
    run: async (ctx, _args, opts) => (await info()).list(ctx, opts),
  },
  {
    name: 'jlist',
    summary: "the process list as JSON, in PM2's shape",
    options: withPm2Globals([STEWARD_DETAILS], READ_ONLY),
    run: async (ctx, _args, opts) => (await info()).jlist(ctx, opts),
  },
  {
    name: 'prettylist',
    summary: 'the process list, pretty-printed as PM2 prints it',
    options: withPm2Globals([STEWARD_DETAILS], READ_ONLY),
    run: async (ctx, _args, opts) => (await info()).prettylist(ctx, opts),
  },
  {
    name: 'describe',
    aliases: ['show', 'desc', 'info'],
    args: '<target>',
    summary: 'everything about one app',
    options: withPm2Globals([], READ_ONLY),
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
    options: withPm2Globals([
      { flags: '--lines <n>', description: 'how many past lines (default 15; 0 = stream only)' },
      { flags: '--err', description: 'stderr only' },
      { flags: '--out', description: 'stdout only' },
      { flags: '--raw', description: 'lines only, without the id|name prefix' },
      { flags: '--json', description: 'one JSON object per line' },
      { flags: '--timestamp [format]', description: 'prefix the time each line was written (dayjs format)' },
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
    ]),
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
      'set a global setting (log_max_size, log_retain, log_compress, log_rotate_interval; pm2-logrotate:* keys work too)',
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
  {
    name: 'save',
    aliases: ['dump'],
    summary: 'save the process list (for resurrect)',
    options: [{ flags: '--force', description: 'save even an empty list' }],
    run: async (ctx, _args, opts) => (await daemon()).save(ctx, opts),
  },
  {
    name: 'resurrect',
    summary: 'start the saved processes',
    run: async (ctx) => (await daemon()).resurrect(ctx),
  },
  {
    name: 'cleardump',
    summary: 'empty the saved process list',
    run: async (ctx) => (await daemon()).cleardump(ctx),
  },
  {
    name: 'ping',
    summary: 'start the daemon if needed and check it answers',
    run: async (ctx) => (await daemon()).ping(ctx),
  },
  {
    name: 'update',
    summary:
      'replace the running daemon with the installed version, keeping ids, names, options and counters',
    run: async (ctx) => (await daemon()).update(ctx),
  },
  {
    name: 'kill',
    summary: 'stop every app, then the daemon',
    run: async (ctx) => (await daemon()).kill(ctx),
  },
  {
    name: 'startup',
    args: '[platform]',
    summary:
      'install a boot service (systemd, openrc, launchd; detected when not given) that runs the daemon and resurrects the saved list; when not root, print the sudo command to run',
    options: STARTUP_OPTIONS,
    run: async (ctx, args, opts) => (await startupCmd()).startup(ctx, args[0] as string | undefined, opts),
  },
  {
    name: 'unstartup',
    args: '[platform]',
    summary: 'disable and remove the boot service (a running daemon keeps running)',
    options: STARTUP_OPTIONS.filter((o) => o.flags !== '--print' && o.flags !== '--wait-ip'),
    run: async (ctx, args, opts) => (await startupCmd()).unstartup(ctx, args[0] as string | undefined, opts),
  },
  {
    name: 'serve',
    aliases: ['expose'],
    args: '[path] [port]',
    summary:
      'serve a directory over HTTP as a managed app named static-page-server-<port> (default: . on port 8080, bound to 127.0.0.1)',
    options: [
      {
        flags: '--port <port>',
        description: 'port (the [port] argument wins; default 8080 or PM2_SERVE_PORT)',
      },
      {
        flags: '--host <address>',
        description: 'address to bind (default 127.0.0.1; 0.0.0.0 for every interface)',
      },
      { flags: '--spa', description: 'single-page app: unknown page paths get the homepage' },
      { flags: '--homepage <path>', description: 'the page served for / (default /index.html)' },
      { flags: '--basic-auth-username <user>', description: 'require HTTP basic auth with this user name' },
      { flags: '--basic-auth-password <password>', description: 'and this password' },
      { flags: '-n, --name <name>', description: 'app name (default: static-page-server-<port>)' },
    ],
    run: async (ctx, args, opts) =>
      (await serveCmd()).serve(ctx, args[0] as string | undefined, args[1] as string | undefined, opts),
  },
  {
    name: 'install',
    aliases: ['module:install'],
    args: '<modules...>',
    summary: 'pm2-logrotate: built in, says so and exits 0; Steward has no other PM2 modules',
    options: ['--tarball', '--install', '--docker', '--v1', '--safe [time]'].map((flags) => ({
      flags,
      description: 'accepted',
      hidden: true,
    })),
    run: async (ctx, args) => (await pm2Only()).install(ctx, args[0] as string[], 'install'),
  },
  {
    name: 'uninstall',
    aliases: ['module:uninstall'],
    args: '<modules...>',
    summary: 'pm2-logrotate: built in, nothing to remove',
    run: async (ctx, args) => (await pm2Only()).install(ctx, args[0] as string[], 'uninstall'),
  },
  ...PLUS_COMMANDS,
  {
    name: 'completion',
    args: '[shell]',
    summary:
      'print the completion script for bash or zsh (`source <(steward completion bash)`); `install` prints the line to add to your shell rc file',
    options: [
      {
        flags: '--apps',
        description: 'print the names of the managed apps (used by the scripts; never starts the daemon)',
      },
    ],
    run: async (ctx, args, opts) =>
      (await completionCmd()).completion(ctx, args[0] as string | undefined, opts),
  },
];
