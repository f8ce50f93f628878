import type { AppConfig } from '../../config/app-config.js';
import { groupAlive, killSnapshot, signalGroup, signalPid, snapshotTree } from './kill.js';
import type { Proc } from './proc.js';

const POLL_MS = 25;

/**
 * Ends one process and everything it started: `kill_signal` (or the `shutdown` message) to the
 * process or its group, `kill_timeout` of grace, then SIGKILL of the group and of every descendant
 * that left it (a snapshot taken before the signal, matched by pid and start time). With `drain`, a
 * Node app with the agent first stops accepting and finishes its open connections (bounded by
 * kill_timeout). Every caller for the same process shares one ending.
 */
export function terminate(proc: Proc, cfg: AppConfig, drain: boolean): Promise<void> {
  proc.stopRequested = true;
  proc.terminating ??= end(proc, cfg, drain);
  return proc.terminating;
}

async function end(proc: Proc, cfg: AppConfig, drain: boolean): Promise<void> {
  const pid = proc.pid;
  if (!proc.alive) return;
  const tree = snapshotTree(pid);
  if (drain && proc.child.connected && proc.listening) {
    proc.child.send({ type: 'steward:drain' });
    await Promise.race([proc.whenDrained(), proc.exited, delay(cfg.kill_timeout)]);
  }
  const signal = cfg.kill_signal as NodeJS.Signals;
  if (cfg.shutdown_with_message && proc.child.connected) {
    proc.child.send('shutdown', (err) => {
      if (err) signalGroup(pid, signal);
    });
  } else if (cfg.treekill) {
    signalGroup(pid, signal);
  } else {
    signalPid(pid, signal);
  }
  const deadline = Date.now() + cfg.kill_timeout;
  let timedOut = false;
  const timeout = delay(cfg.kill_timeout).then(() => {
    timedOut = true;
  });
  await Promise.race([proc.exited, timeout]);
  // The main process is gone (or overdue); give the rest of its group the remaining grace.
  while (!timedOut && groupAlive(pid) && Date.now() < deadline) await delay(POLL_MS);
  if (groupAlive(pid) || proc.alive) signalGroup(pid, 'SIGKILL');
  killSnapshot(tree);
  await proc.exited;
}

function delay(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms).unref());
}
