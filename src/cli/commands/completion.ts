import { Client } from '../../client/client.js';
import { StewardError } from '../../common/errors.js';
import { completionScript, SHELLS, type Shell } from '../completion.js';
import type { CliContext } from '../context.js';
import { COMMANDS } from '../registry.js';

/** `steward completion bash|zsh`, and `--apps`, the fast list of app names the scripts call. */
export async function completion(
  ctx: CliContext,
  shell: string | undefined,
  opts: { apps?: boolean },
): Promise<void> {
  if (opts.apps) {
    // Pressing Tab must never start a daemon, nor print an error into the command line.
    try {
      const c = await Client.connect({ autostart: false });
      const names = new Set((await c.call('list', {})).map((p) => p.name));
      c.close();
      if (names.size > 0) ctx.out([...names].join('\n'));
    } catch {
      // no daemon: no names
    }
    return;
  }
  if (shell === 'install' || shell === 'uninstall') {
    // PM2's `completion install` edits the shell's rc file; Steward leaves that file to you.
    const rc = process.env.SHELL?.endsWith('zsh') ? '~/.zshrc' : '~/.bashrc';
    const sh = rc === '~/.zshrc' ? 'zsh' : 'bash';
    ctx.out(
      shell === 'install'
        ? `[steward] add this line to ${rc}: source <(steward completion ${sh})`
        : `[steward] remove the \`steward completion\` line from ${rc}`,
    );
    return;
  }
  if (!shell || !(SHELLS as readonly string[]).includes(shell)) {
    throw new StewardError(
      'E_USAGE',
      shell ? `completion: unknown shell "${shell}"` : 'completion needs a shell',
      { hint: `give one of ${SHELLS.join(', ')}: \`source <(steward completion bash)\`` },
    );
  }
  process.stdout.write(completionScript(shell as Shell, COMMANDS));
}
