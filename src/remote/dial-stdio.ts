import { openDaemonSocket } from '../client/client.js';
import { isStewardError, messageOf } from '../common/errors.js';
import { homePaths, resolveHome } from '../common/paths.js';
import { PROTOCOL_VERSION, stewardVersion } from '../common/version.js';
import { PREAMBLE_KEY, type Preamble } from './preamble.js';

/**
 * `steward dial-stdio`: what ssh runs on the remote host for `steward --host …`. Connects to this
 * host's daemon exactly as a local command would (starting it when none runs), says who it is on
 * one line (preamble.ts), then copies bytes both ways until either side ends. No parsing: the
 * daemon validates every message, as it does for a local client.
 */
export async function dialStdio(): Promise<void> {
  const paths = homePaths(resolveHome(process.env));
  const say = (p: Preamble) => process.stdout.write(`${JSON.stringify(p)}\n`);
  let opened;
  try {
    opened = await openDaemonSocket(paths, { env: process.env });
  } catch (e) {
    say({
      [PREAMBLE_KEY]: 1,
      ok: false,
      code: isStewardError(e) ? e.code : 'E_DAEMON_UNREACHABLE',
      error: messageOf(e),
      hint: isStewardError(e) ? e.hint : undefined,
    });
    process.exitCode = isStewardError(e) ? e.exitCode : 1;
    return;
  }
  const { socket, started } = opened;
  say({
    [PREAMBLE_KEY]: 1,
    ok: true,
    version: stewardVersion(),
    protocol: PROTOCOL_VERSION,
    home: paths.home,
    cwd: process.cwd(),
    started,
  });
  await new Promise<void>((resolve) => {
    process.stdin.pipe(socket);
    socket.pipe(process.stdout);
    // The client went away (ssh closed our stdin): let the daemon finish the connection.
    process.stdin.once('end', () => socket.end());
    socket.once('close', () => {
      // The daemon closed (e.g. `kill`): stop reading stdin so that the process can exit.
      process.stdin.destroy();
      resolve();
    });
    socket.on('error', () => undefined);
    process.stdout.on('error', () => socket.destroy());
  });
}
