/**
 * The CLI's fast path: `steward ls` (and PM2's aliases), `jlist` and `ping` with no other argument,
 * the commands that people, scripts and monitoring run most. Each is the same handler the full CLI
 * runs, in a bundle of its own (dist/cli/fast.cjs, ~15 KB instead of ~400 KB) without the command
 * parser and the other commands, so that it starts nearly as fast as `node -e 0` (issue 21; numbers
 * in docs/benchmarks.md). boot.ts picks this bundle (src/cli/fast-commands.ts); any flag or other command takes the full CLI.
 */
import { CliContext } from './context.js';
import { jlist, list } from './commands/info.js';
import { ping } from './commands/daemon.js';
import { isStewardError, messageOf } from '../common/errors.js';

const ctx = new CliContext();
// As in main.ts: `steward jlist | head -c 10` ends quietly.
process.stdout.on('error', (e: NodeJS.ErrnoException) => {
  if (e.code === 'EPIPE') process.exit(process.exitCode ?? 0);
});
ctx.silent = process.env.STEWARD_SILENT === 'true';

function run(command: string | undefined): Promise<void> {
  if (command === 'jlist') return jlist(ctx, {});
  if (command === 'ping') return ping(ctx);
  return list(ctx, {});
}

async function main(): Promise<void> {
  try {
    await run(process.argv[2]);
  } catch (e) {
    // The same one-line errors and exit codes as main.ts.
    const [message, hint, code] = isStewardError(e)
      ? [e.message, e.hint, e.exitCode]
      : [`internal error: ${messageOf(e)}`, 'please report this with the output of `steward report`', 1];
    process.stderr.write(`[steward] error: ${message}${hint ? ` (${hint})` : ''}\n`);
    process.exitCode = code;
  } finally {
    ctx.close();
  }
}

void main();
