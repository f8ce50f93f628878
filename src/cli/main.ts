import { Command, CommanderError, Option } from 'commander';
import { isStewardError, messageOf } from '../common/errors.js';
import { stewardVersion } from '../common/version.js';
import { CliContext } from './context.js';
import { flagAttr } from '../config/flag-names.js';
import { COMMANDS, type OptionDef } from './registry.js';
import { remoteWanted, takeRemoteFlags } from './remote-flags.js';

/** `steward` entry point: parse, run one command, print one-line errors, set the exit code. */
const argv = process.argv.slice(2);
// Everything after the first `--` belongs to the script, as with PM2.
const dd = argv.indexOf('--');
const own = dd >= 0 ? argv.slice(0, dd) : argv;
const scriptArgs = dd >= 0 ? argv.slice(dd + 1) : [];
// PM2 accepts `log` for `logs`.
if (own[0] === 'log') own[0] = 'logs';
// `--host ssh://…` / `--context name`: where the command runs (docs/remote.md).
const remoteFlags = takeRemoteFlags(own);

const ctx = new CliContext();
// `steward jlist | head -c 10`: a closed pipe ends the command quietly.
process.stdout.on('error', (e: NodeJS.ErrnoException) => {
  if (e.code === 'EPIPE') process.exit(process.exitCode ?? 0);
});

function fail(message: string, hint: string | undefined, code: number): void {
  process.stderr.write(`[steward] error: ${message}${hint ? ` (${hint})` : ''}\n`);
  process.exitCode = code;
}

const program = new Command('steward')
  .description('Steward: a fast, PM2-compatible process manager')
  .version(stewardVersion(), '-v, --version')
  .option('-s, --silent', 'print only data and errors')
  .option('--no-color', 'no colours (also: NO_COLOR, or when output is not a terminal)')
  .option('--verbose', 'also say which PM2 flags were accepted without effect')
  .option('--host <ssh-url>', 'run the command on another host: ssh://user@host[:port] (also: STEWARD_HOST)')
  .option('--context <names>', 'run the command on a named host (`steward context`); ls takes several: a,b')
  .showSuggestionAfterError(true)
  .exitOverride()
  .configureOutput({
    writeErr: (s) => process.stderr.write(s),
    outputError: (s) => {
      // Commander's messages come as "error: …\n(Did you mean …?)": fold them into one line.
      const line = s
        .replace(/^error: /, '')
        .replace(/\n+/g, ' ')
        .trim();
      process.stderr.write(`[steward] error: ${line} (run \`steward --help\` for usage)\n`);
    },
  });

/** `--verbose`: one line per PM2 flag given that Steward accepts without acting on it. */
function noteIgnored(options: OptionDef[], cmd: Command): void {
  for (const o of options) {
    const attr = flagAttr(o.flags);
    if (o.ignored === undefined || cmd.getOptionValueSource(attr) !== 'cli') continue;
    // `--daemon` and `--no-daemon` share one value: note only the one given.
    if (/--no-/.test(o.flags) !== (cmd.getOptionValue(attr) === false)) continue;
    const long = /--[a-z0-9-]+/i.exec(o.flags)?.[0] ?? o.flags;
    process.stderr.write(
      `[steward] note: ${long} is accepted for PM2 scripts and has no effect here: ${o.ignored}\n`,
    );
  }
}

// Only the command being run is declared to commander: declaring all ~45 (with their options) cost
// about 3 ms of every command's start, GC included. Help, typos (for suggestions) and anything that
// is not a known command name get the full list.
const first = own[0];
const named =
  first === undefined
    ? undefined
    : (COMMANDS.find((d) => d.name === first) ?? COMMANDS.find((d) => d.aliases?.includes(first)));
const given = own.filter((a) => a.startsWith('-')).map((a) => a.split('=')[0] ?? a);
const GLOBAL_FLAGS = ['-s', '--silent', '--no-color', '--verbose', '-v', '--version', '-h', '--help'];
/**
 * The hidden options (PM2's flags that a command accepts for scripts, ~100 of them) are declared
 * only when the command line has a flag that the visible ones do not name: declaring them cost
 * every `steward ls` about 2 ms.
 */
function declared(options: OptionDef[]): OptionDef[] {
  const visible = options.filter((o) => !o.hidden);
  const names = new Set(GLOBAL_FLAGS);
  for (const o of visible) for (const f of o.flags.split(/[ ,|]+/)) if (f.startsWith('-')) names.add(f);
  return given.every((f) => names.has(f)) ? visible : options;
}
for (const def of named ? [named] : COMMANDS) {
  const cmd = program.command(def.name).summary(def.summary).description(def.summary);
  if (def.aliases) cmd.aliases(def.aliases);
  if (def.args) for (const a of def.args.split(' ')) cmd.argument(a);
  for (const o of declared(def.options ?? [])) {
    const opt = new Option(o.flags, o.description);
    // PM2's `--watch a --watch b`: one value each time, collected.
    if (o.repeat)
      opt.argParser((v: string, prev: unknown): string[] => [
        ...(Array.isArray(prev) ? (prev as string[]) : []),
        v,
      ]);
    if (o.hidden) opt.hideHelp();
    cmd.addOption(opt);
  }
  cmd.action(async (...raw: unknown[]) => {
    // Commander passes the declared arguments, then the options object, then the command.
    const args = raw.slice(0, -2);
    const opts = { ...program.opts(), ...(raw[raw.length - 2] as Record<string, unknown>) };
    ctx.silent = opts.silent === true || process.env.STEWARD_SILENT === 'true';
    if (opts.verbose === true) noteIgnored(def.options ?? [], cmd);
    if (remoteWanted(remoteFlags, process.env)) {
      const { routeRemote } = await import('../remote/route.js');
      const line = { argv: own, scriptArgs, args, opts };
      if (await routeRemote(ctx, def.name, remoteFlags, line)) return;
    }
    await def.run(ctx, args, opts, scriptArgs);
  });
}

async function main(): Promise<void> {
  try {
    if (own.length === 0) {
      program.outputHelp();
      process.exitCode = 1;
    } else {
      await program.parseAsync(own, { from: 'user' });
    }
  } catch (e) {
    if (e instanceof CommanderError) {
      // Help and version exit 0; everything else is a usage error (already printed on one line).
      process.exitCode = e.exitCode === 0 ? 0 : 2;
    } else if (isStewardError(e)) {
      fail(e.message, e.hint, e.exitCode);
    } else {
      fail(`internal error: ${messageOf(e)}`, 'please report this with the output of `steward report`', 1);
      if (process.env.STEWARD_DEBUG) console.error(e);
    }
  } finally {
    ctx.close();
  }
}

void main();
