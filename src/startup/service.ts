import { pathToFileURL } from 'node:url';
import { Client } from '../client/client.js';
import { isStewardError, messageOf } from '../common/errors.js';
import { homePaths, resolveHome } from '../common/paths.js';
import { packagePath } from '../common/version.js';
import { notifyReady } from './sd-notify.js';

/**
 * The entry point of the boot service that `steward startup` writes (systemd, openrc, launchd).
 *
 * It runs the daemon in this very process, in the foreground, so that the init system supervises
 * the daemon itself (its main pid is the daemon's; no pid file, no forking). Once the daemon's socket
 * answers, it resurrects the saved list (`dump.json`) through an ordinary RPC, then tells systemd
 * that the service is ready (sd_notify READY=1, with the outcome as STATUS). Doing this here rather
 * than with an `ExecStartPost=steward resurrect` avoids a CLI that, racing the daemon's start, would
 * spawn a second daemon, and works the same way for every init system.
 *
 * Messages go to stderr, which the init system keeps (journalctl -u steward-<user>).
 */
const READY_TIMEOUT_MS = 60_000;
const POLL_MS = 50;

function say(msg: string): void {
  process.stderr.write(`[steward service] ${msg}\n`);
}

/** The pid of a daemon that already answers for this home, if any. */
async function runningDaemon(home: string): Promise<number | undefined> {
  let c: Client;
  try {
    c = await Client.connect({ home, autostart: false });
  } catch {
    return undefined;
  }
  try {
    return (await c.hello).pid;
  } catch {
    return undefined;
  } finally {
    c.close();
  }
}

/** Waits until the daemon of this process answers on its socket. */
async function connectToOwnDaemon(home: string): Promise<Client> {
  const deadline = Date.now() + READY_TIMEOUT_MS;
  for (;;) {
    try {
      const c = await Client.connect({ home, autostart: false });
      if ((await c.hello).pid === process.pid) return c;
      c.close();
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) throw new Error(`the daemon did not answer within ${READY_TIMEOUT_MS} ms`);
    await new Promise((r) => setTimeout(r, POLL_MS));
  }
}

async function resurrect(c: Client): Promise<string> {
  try {
    const res = await c.call('resurrect', {});
    if (res.warning) say(res.warning);
    const status = `resurrected ${res.ids.length} process${res.ids.length === 1 ? '' : 'es'}`;
    say(status);
    return status;
  } catch (e) {
    if (isStewardError(e) && e.code === 'E_DUMP_MISSING') {
      say('no saved process list yet: run `steward save` once your apps run');
      return 'no saved process list';
    }
    say(`resurrect failed: ${messageOf(e)}`);
    return `resurrect failed: ${messageOf(e)}`;
  }
}

async function main(): Promise<void> {
  const home = homePaths(resolveHome()).home;
  const other = await runningDaemon(home);
  if (other !== undefined) {
    say(
      `a daemon (pid ${other}) started outside the service already runs for ${home}; ` +
        'run `steward save && steward kill` as its user, then start the service again',
    );
    process.exit(1);
  }
  // Evaluating the daemon bundle starts the daemon in this process (it reports on stdout and logs to
  // STEWARD_HOME/daemon.log; it exits the process itself if it cannot start).
  await import(pathToFileURL(packagePath('dist/daemon.js')).href);
  const client = await connectToOwnDaemon(home);
  const status = await resurrect(client);
  client.close();
  await notifyReady(status, say);
}

main().catch((e: unknown) => {
  say(`cannot start: ${messageOf(e)}`);
  process.exit(1);
});
