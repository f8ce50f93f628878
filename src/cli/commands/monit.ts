import pc from 'picocolors';
import { StewardError } from '../../common/errors.js';
import type { CliContext } from '../context.js';
import { Monit } from '../monit/app.js';
import { makeStyle } from '../monit/style.js';
import { Terminal } from '../monit/terminal.js';

/**
 * `steward monit`: the terminal dashboard. Plain ANSI, no TUI library: measured on Node 20, ink 6
 * (+ react) takes ~500 ms and ~40 MB to load (ink 8 needs Node 22), blessed has not been released
 * since 2015, and terminal-kit brings image decoding along; a line-diffing renderer is a few hundred
 * lines and loads in no measurable time. See docs/monitoring.md.
 */
export async function monit(ctx: CliContext, opts: { color?: boolean }): Promise<void> {
  if (!process.stdout.isTTY || !process.stdin.isTTY) {
    throw new StewardError('E_USAGE', 'monit needs a terminal (stdin and stdout must be a TTY)', {
      hint: 'in scripts use `steward jlist` or `steward ls`',
    });
  }
  const client = await ctx.connect();
  const terminal = new Terminal(process.stdout, process.stdin);
  // Whatever happens (an uncaught error, process.exit elsewhere), the shell gets its terminal back.
  const restore = () => terminal.leave();
  process.once('exit', restore);
  try {
    await new Monit({
      client,
      terminal,
      style: makeStyle(pc.isColorSupported && opts.color !== false),
      cwd: process.cwd(),
    }).run();
  } finally {
    terminal.leave();
    process.off('exit', restore);
  }
}
