import type { RestartFlags, StartOptions } from './commands/lifecycle.js';
import { ENV, ONLY, START_OPTIONS, UPDATE_ENV, withPm2Globals, withRestartFlags } from './pm2-flags.js';
import type { CommandDef } from './registry.js';

const lifecycle = () => import('./commands/lifecycle.js');
const config = () => import('./commands/config.js');

const FROM_FILE = "the apps' options come from the ecosystem file";

/** Commands that start, stop, restart, reload, delete and scale apps (part of COMMANDS). */
export const LIFECYCLE_COMMANDS: CommandDef[] = [
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
    // Built when the command runs: ~100 PM2 flags per command cost every CLI start otherwise.
    get options() {
      return withPm2Globals([ONLY, { flags: '--watch', description: 'also turn watching off' }]);
    },
    run: async (ctx, args, opts) => (await lifecycle()).stop(ctx, args[0] as string[], opts),
  },
  {
    name: 'restart',
    args: '<targets...>',
    summary:
      'restart apps; app options given (`--max-memory-restart 300M`, `--cron-restart`, `--node-args`…) are merged into their config first; with an ecosystem file, apply its config and environment (and start missing apps)',
    // Built when the command runs: ~100 PM2 flags per command cost every CLI start otherwise.
    get options() {
      return withRestartFlags([UPDATE_ENV, ONLY, ENV, { flags: '--watch', description: 'toggle watching' }]);
    },
    run: async (ctx, args, opts) =>
      (await lifecycle()).restart(ctx, 'restart', args[0] as string[], opts as RestartFlags),
  },
  {
    name: 'reload',
    args: '<targets...>',
    summary:
      'reload apps (zero-downtime where possible; otherwise a restart); app options given are merged into their config first, as with restart',
    // Built when the command runs: ~100 PM2 flags per command cost every CLI start otherwise.
    get options() {
      return withRestartFlags([UPDATE_ENV, ONLY, ENV]);
    },
    run: async (ctx, args, opts) =>
      (await lifecycle()).restart(ctx, 'reload', args[0] as string[], opts as RestartFlags),
  },
  {
    name: 'gracefulReload',
    args: '<targets...>',
    summary:
      "PM2's former graceful reload: the same as reload (use --shutdown-with-message on start for a message-based stop)",
    // Built when the command runs: ~100 PM2 flags per command cost every CLI start otherwise.
    get options() {
      return withRestartFlags([UPDATE_ENV, ONLY, ENV]);
    },
    run: async (ctx, args, opts) => {
      ctx.info(
        'gracefulReload is reload in Steward: old processes get their stop signal, or the "shutdown" message when the app has shutdown_with_message',
      );
      await (await lifecycle()).restart(ctx, 'reload', args[0] as string[], opts as RestartFlags);
    },
  },
  {
    name: 'delete',
    aliases: ['del'],
    args: '<targets...>',
    summary: 'stop apps and remove them from the list',
    // Built when the command runs: ~100 PM2 flags per command cost every CLI start otherwise.
    get options() {
      return withPm2Globals([ONLY]);
    },
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
    // Built when the command runs: ~100 PM2 flags per command cost every CLI start otherwise.
    get options() {
      return withPm2Globals([ONLY, ENV, UPDATE_ENV], FROM_FILE);
    },
    run: async (ctx, args, opts) =>
      (await lifecycle()).restart(ctx, 'restart', [args[0] as string], opts as RestartFlags, false),
  },
  {
    name: 'startOrReload',
    aliases: ['startOrGracefulReload'],
    args: '<file>',
    summary: 'start the apps of an ecosystem file that are missing, reload the others',
    // Built when the command runs: ~100 PM2 flags per command cost every CLI start otherwise.
    get options() {
      return withPm2Globals([ONLY, ENV, UPDATE_ENV], FROM_FILE);
    },
    run: async (ctx, args, opts) =>
      (await lifecycle()).restart(ctx, 'reload', [args[0] as string], opts as RestartFlags, false),
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
];
