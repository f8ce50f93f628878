import { spawnSsh } from '../ssh/command.js';
import { parseSshTarget } from '../ssh/target.js';
import type { Endpoint } from './endpoint.js';
import { remoteStewardCommand } from './remote-command.js';
import { exitError, sshOptionsOf } from './ssh-transport.js';

/**
 * Runs a whole command with the remote host's own `steward` (ssh host steward <argv>): for the
 * commands that read files or the environment of the machine they run on (`start app.js`, an
 * ecosystem file, `--update-env`, `update`…), so that paths are the remote host's and apps get the
 * remote login environment, exactly as if the command were typed there. Output and the exit code
 * are the remote command's; stdin is passed through (`start -` reads a file from it).
 * Returns the exit code; throws E_SSH when ssh could not connect, or when steward is not found.
 */
export async function execRemote(ep: Endpoint & { host: string }, argv: string[]): Promise<number> {
  const target = parseSshTarget(ep.host);
  const child = spawnSsh(target, sshOptionsOf(ep), remoteStewardCommand(argv, ep), {
    stdio: ['inherit', 'inherit', 'pipe'],
  });
  let tail = '';
  child.stderr!.on('data', (d: Buffer) => {
    tail = (tail + d.toString('utf8')).slice(-8192);
    process.stderr.write(d);
  });
  const code = await new Promise<number | null>((resolve, reject) => {
    child.once('error', reject);
    child.once('close', (c) => resolve(c));
  });
  if (code === 255 || code === 127) throw exitError(target, code, tail);
  return code ?? 1;
}
