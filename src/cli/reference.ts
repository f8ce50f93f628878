import { OPTIONS } from '../config/options.js';
import { KEPT } from '../config/restart-merge.js';
import { COMMANDS } from './registry.js';

/** Flags of the options a restart cannot change. */
const KEPT_FLAGS = new Set(
  OPTIONS.flatMap((o) => (KEPT.has(o.key) ? (o.cli ?? []).map((f) => f.flags) : [])),
);

/** The CLI reference (docs/cli.md), rendered from the command registry. */
export function renderCliReference(): string {
  const out: string[] = [
    '# Steward CLI reference',
    '',
    '<!-- Generated from src/cli/registry.ts by `npm run docs`. Do not edit by hand. -->',
    '',
    'Targets (`<targets...>`) are, as in PM2: an app name, an id, `all`, a namespace, a `/regex/` on the',
    'name, or the script path; several may be given at once. An unknown target is an error and nothing is',
    'acted upon. Arguments after `--` are passed to the script.',
    '',
    'Global options: `-s, --silent` (print only data and errors), `--no-color`, `--verbose` (say which PM2 flags were accepted without effect), `-v, --version`, `-h, --help`.',
    '',
    'Remote control (docs/remote.md): `--host ssh://user@host[:port]` (or `STEWARD_HOST`) and `--context <name>` (or `STEWARD_CONTEXT`, or `steward context use`) send any command to the daemon of another host over SSH; `ls --context a,b` lists several hosts with a host column.',
    '',
    '| exit code | meaning |',
    '|---|---|',
    '| 0 | success |',
    '| 1 | the operation failed (unknown app, script not found, app crashed at start, corrupt dump, …) |',
    '| 2 | bad usage: unknown command or option, bad option value |',
    '| 3 | the daemon cannot be started or reached (unusable `STEWARD_HOME`, …), or ssh cannot reach the host |',
    '',
  ];
  for (const c of COMMANDS) {
    const aliases = c.aliases?.length ? ` (aliases: ${c.aliases.map((a) => `\`${a}\``).join(', ')})` : '';
    out.push(`## \`steward ${c.name}${c.args ? ` ${c.args}` : ''}\`${aliases}`, '', `${c.summary}.`, '');
    const shown = (c.options ?? []).filter((o) => !o.hidden);
    const hidden = (c.options ?? []).filter((o) => o.hidden);
    if (shown.length) {
      out.push('| option | meaning |', '|---|---|');
      for (const o of shown) out.push(`| \`${o.flags}\` | ${o.description} |`);
      out.push('');
    }
    // restart, reload and gracefulReload merge app options (src/config/restart-merge.ts).
    const merges = ['restart', 'reload', 'gracefulReload'].includes(c.name);
    const acting = merges ? hidden.filter((o) => o.ignored === undefined) : [];
    if (acting.length) {
      const list = (l: typeof acting) => l.map((o) => `\`${o.flags}\``).join(', ');
      out.push(
        `App options given here are merged into the config of each app before it is ${c.name === 'restart' ? 'restarted' : 'reloaded'}, as in PM2, after the same checks as on \`start\` (a bad value is an error, exit 2, and nothing is done): ${list(acting.filter((o) => !KEPT_FLAGS.has(o.flags)))}.`,
        '',
        `These cannot change by a ${c.name === 'restart' ? 'restart' : 'reload'} and are refused (exit 2; \`--name\` and \`--namespace\` are accepted when they are the app's own): ${list(acting.filter((o) => KEPT_FLAGS.has(o.flags)))}. \`-i\`, \`-x\`, \`--no-autostart\` and \`-f\` are accepted without effect, as in PM2 (use \`scale\` for the number of processes).`,
        '',
      );
    }
    if (c.name === 'start' && hidden.length) {
      const list = hidden.map((o) => `\`${o.flags}\``).join(', ');
      out.push(`Also accepted for PM2 scripts, without effect (\`--verbose\` notes them): ${list}.`, '');
    } else if (hidden.length) {
      out.push(
        'Every other PM2 flag (see `start`) is accepted here too, without effect (`--verbose` notes it).',
        '',
      );
    }
  }
  return out.join('\n');
}
