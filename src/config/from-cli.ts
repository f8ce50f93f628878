import { StewardError } from '../common/errors.js';
import type { AppConfig } from './app-config.js';
import { checkApp, splitArgs, type RawApp } from './ecosystem-schema.js';
import { normalizeApp, resolveInstances, type NormalizeIo } from './normalize.js';
import { nodeIo } from './normalize-io.js';
import { flagAttr } from './flag-names.js';
import { OPTIONS } from './options.js';

export { flagAttr };

export { splitArgs, resolveInstances };

/**
 * The `start` flags as the CLI parser hands them over (strings, unparsed), by commander's attribute
 * name (`--max-memory-restart` → `maxMemoryRestart`); which flags exist comes from the option table.
 */
export type StartFlags = Partial<Record<string, string | boolean | string[]>>;

export interface CliContext {
  cwd: string;
  env: NodeJS.ProcessEnv;
  /** File and user look-ups (default: the real machine). */
  io?: NormalizeIo;
}

/** Flag attribute → option key, generated from the `cli` entries of the option table. */
export const FLAG_KEYS: ReadonlyMap<string, string> = new Map(
  OPTIONS.flatMap((o) => (o.cli ?? []).map((f) => [flagAttr(f.flags), o.key] as const)),
);

/** Attributes of `--no-x` flags. */
const NEGATED: ReadonlySet<string> = new Set(
  OPTIONS.flatMap((o) => (o.cli ?? []).filter((f) => /--no-/.test(f.flags)).map((f) => flagAttr(f.flags))),
);

/** Option key → the flag that sets it, for messages. */
const KEY_FLAGS: ReadonlyMap<string, string> = new Map([
  ...OPTIONS.flatMap((o) => {
    const first = o.cli?.[0]?.flags;
    const long = first ? /--[a-z0-9-]+/i.exec(first)?.[0] : undefined;
    return long ? [[o.key, long] as const] : [];
  }),
  ['args', 'arguments after --'],
]);

/** The CLI flags as a raw PM2 app, so that flags and files go through one validation. */
export function flagsToRaw(script: string, args: string[], flags: StartFlags): RawApp {
  return { script, args, ...flagsToOptions(flags) };
}

/**
 * The app options among the flags, as raw PM2 options (unconverted). Commander gives a `--no-x`
 * flag the value true when it is not given; `givenOnly` drops those, as PM2 strips the defaults on
 * restart so that they do not override the app's config.
 */
export function flagsToOptions(flags: StartFlags, givenOnly = false): RawApp {
  const raw: RawApp = {};
  for (const [attr, key] of FLAG_KEYS) {
    const v = flags[attr];
    if (v === undefined) continue;
    if (givenOnly && v === true && NEGATED.has(attr)) continue;
    // Two flags for one key (--interpreter-args and --node-args): PM2 passes both.
    if (key === 'node_args' && typeof raw.node_args === 'string')
      raw.node_args = `${raw.node_args} ${String(v)}`;
    else raw[key] ??= v;
  }
  // PM2: on the command line --watch-delay is in seconds unless it says "ms" (in a file it is ms).
  const delay = flags.watchDelay;
  if (typeof delay === 'string') raw.watch_delay = /^\d+(\.\d+)?$/.test(delay) ? `${delay}s` : delay;
  const codes = flags.stopExitCodes;
  if (Array.isArray(codes)) raw.stop_exit_codes = codes.flatMap((s) => s.split(',')).filter((s) => s !== '');
  if (Array.isArray(flags.filterEnv) && flags.filterEnv.length === 0) raw.filter_env = true;
  return raw;
}

/**
 * Builds the AppConfig for `steward start <script> [flags] [-- args]`. Checks the script exists
 * (as a file relative to --cwd, or a command on PATH) and that --cwd is a directory.
 */
export function appFromCli(
  script: string,
  args: string[],
  flags: StartFlags,
  ctx: CliContext,
  cpus: number,
): AppConfig {
  const checked = checkFlags(flagsToRaw(script, args, flags), true);
  return normalizeApp(checked, {
    cwd: ctx.cwd,
    env: ctx.env,
    cpus,
    where: '',
    label: flagLabel,
    badCode: 'E_BAD_OPTION',
    io: ctx.io ?? nodeIo,
  }).config;
}

/** The flag that sets an option, for messages (`max_memory_restart` → `--max-memory-restart`). */
export const flagLabel = (key: string): string => KEY_FLAGS.get(key) ?? key;

/** Checks and converts raw options from flags (checkApp); a bad value is E_BAD_OPTION naming the flag. */
export function checkFlags(raw: RawApp, script: boolean): RawApp {
  const checked = checkApp(raw, '', { script });
  if (checked.errors.length > 0) {
    // checkApp says "<key>: expected …"; name the flag the user typed instead.
    const first = (checked.errors[0] ?? '').replace(/^: /, '');
    const key = first.split(':')[0] ?? '';
    throw new StewardError('E_BAD_OPTION', `${flagLabel(key)}${first.slice(key.length)}`, {
      hint: `fix the value of ${flagLabel(key)}`,
    });
  }
  return checked.app;
}
