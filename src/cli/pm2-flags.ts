import { flagAttr } from '../config/flag-names.js';
import { OPTIONS } from '../config/options.js';
import { KEPT, MERGED, NOT_ON_RESTART } from '../config/restart-merge.js';
import type { OptionDef } from './registry.js';

/**
 * The CLI's flag table, generated from the option table (src/config/options*.ts), plus PM2's global
 * flags that set no app option. PM2 declares all of them on the program, so every command accepts
 * every one; Steward does the same for the commands PM2 scripts call, and a flag that means nothing
 * for a command is accepted quietly (`--verbose` says so in one line).
 */
const START_ONLY = 'it applies to start; to change an app, edit its ecosystem file and restart with the file';

/** `start` flags that set app options, in table order, with the option each sets. */
const KEYED_FLAGS: Array<{ key: string; def: OptionDef }> = OPTIONS.flatMap((o) =>
  (o.cli ?? []).map((f) => ({
    key: o.key,
    def: {
      flags: f.flags,
      description: f.help ?? o.doc,
      ...(f.repeat ? { repeat: true } : {}),
      ...(o.status === 'ignored' ? { ignored: `${o.doc} (PM2 only)`, hidden: true } : {}),
    },
  })),
);
export const OPTION_FLAGS: OptionDef[] = KEYED_FLAGS.map((f) => f.def);

export const ONLY: OptionDef = {
  flags: '--only <names>',
  description: 'with an ecosystem file: only these apps (comma-separated)',
};
export const ENV: OptionDef = {
  flags: '--env <name>',
  description: 'with an ecosystem file: apply env_<name> over env',
};
export const UPDATE_ENV: OptionDef = {
  flags: '-a, --update-env',
  description: 'refresh the environment from this shell (removed variables are removed)',
};

const ignored = (flags: string, why: string): OptionDef => ({
  flags,
  description: `accepted for PM2 scripts: ${why}`,
  ignored: why,
  hidden: true,
});

/** PM2 global flags that are not app options: accepted everywhere, acted on where they mean something. */
export const PM2_CLI_FLAGS: OptionDef[] = [
  ignored('--parallel <n>', 'Steward runs restarts and reloads of one command itself, one app at a time'),
  ignored('--attach', 'run `steward logs <app>` after the command'),
  ignored('-m, --mini-list', 'use `steward jlist` for a machine-readable list'),
  ignored('--sort <field>', 'only `steward ls` sorts'),
  ignored('--ext <extensions>', 'watch restarts on any file; narrow it with --ignore-watch'),
  ignored('--hp <home>', 'only `steward startup` uses it'),
  ignored('--wait-ip', 'only `steward startup` uses it'),
  ignored('--service-name <name>', 'only `steward startup` uses it'),
  ignored('--container', 'Steward builds no Docker images; see docs/production.md'),
  ignored('--dist', 'Steward builds no Docker images'),
  ignored('--image-name [name]', 'Steward builds no Docker images'),
  ignored('--node-version [major]', 'Steward builds no Docker images'),
  ignored('--fresh', 'Steward builds no Docker images'),
  ignored('--daemon', 'Steward builds no Docker images'),
  ignored('--dockerdaemon', 'Steward builds no Docker images'),
];

/** The options of `start`: the option table's flags, then the CLI-only ones. */
export const START_OPTIONS: OptionDef[] = [
  ...OPTION_FLAGS,
  { flags: '--no-daemon', description: 'run in the foreground, as steward-runtime does (containers)' },
  {
    ...UPDATE_ENV,
    ignored: 'start gives an app the environment of this shell; for a running app use restart --update-env',
    hidden: true,
  },
  ONLY,
  ENV,
  ...PM2_CLI_FLAGS,
];

const names = (flags: string) => flags.split(/[ ,|]+/).filter((w) => w.startsWith('-'));

/**
 * A command's own options, then every PM2 global flag it does not declare itself (hidden from help,
 * without effect, noted under --verbose), so that `pm2 restart api --max-memory-restart 300M` or
 * `pm2 logs --lines 5 -n x` in a script keeps working.
 */
export function withPm2Globals(own: OptionDef[], why = START_ONLY): OptionDef[] {
  return withGlobals(own, OPTION_FLAGS, why, new Set());
}

function withGlobals(
  own: OptionDef[],
  optionFlags: OptionDef[],
  why: string,
  acting: ReadonlySet<OptionDef>,
): OptionDef[] {
  const taken = new Set(own.flatMap((o) => [...names(o.flags), `--${flagAttr(o.flags)}`]));
  const extra = [...optionFlags, UPDATE_ENV, ONLY, ENV, ...PM2_CLI_FLAGS]
    .filter((o) => !names(o.flags).some((n) => taken.has(n)))
    .map((o) => (acting.has(o) ? { ...o, hidden: true } : { ...o, ignored: o.ignored ?? why, hidden: true }));
  return [...own, ...extra];
}

/**
 * `restart`/`reload`: as withPm2Globals, but the app options PM2 merges into the config act
 * (src/config/restart-merge.ts); those a restart cannot change are refused by the command, and
 * those that mean nothing for a restart are noted under --verbose with their own reason.
 */
export function withRestartFlags(own: OptionDef[]): OptionDef[] {
  const acting = new Set<OptionDef>();
  const optionFlags = KEYED_FLAGS.map(({ key, def }): OptionDef => {
    if (def.ignored !== undefined) return def;
    if (MERGED.has(key) || KEPT.has(key)) {
      acting.add(def);
      return def;
    }
    return { ...def, ignored: NOT_ON_RESTART.get(key) ?? START_ONLY };
  });
  return withGlobals(own, optionFlags, START_ONLY, acting);
}
