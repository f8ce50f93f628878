import { describeExit } from './history.js';
import type { ProcessHandle } from './effects.js';
import type { Slot } from './slot.js';

/**
 * The start check: `steward start` must say when an app dies at once, without making every start
 * wait a fixed window. A just-started process counts as up as soon as it proves it:
 *
 * - a Node app with the agent: the agent's `steward:loaded` (its main module ran and the first
 *   turn of the event loop came): a crash while loading (a missing module, a bad config read at
 *   load, a syntax error) is caught before `start` returns;
 * - any app that declared readiness (`wait_ready` message or fd, `ready_pattern`, `ready_probe`):
 *   its signal;
 * - any other process (python, bash, a binary, a Node app without the agent): still alive after
 *   PLAIN_PROOF_MS. There is no cheaper proof for them: python behind a pyenv shim takes ~200 ms to
 *   fail on `sys.exit(1)`, so a shorter wait would report most such failures only late. Such an
 *   app returns sooner by declaring readiness (a newline on $STEWARD_READY_FD, a log pattern, a probe).
 *
 * What is left of the start window after that is watched here, in the daemon: an exit in it
 * (a crash on the first request, an async listen error) is kept as a late start failure, told
 * once to the next CLI command (`hello`) and shown by `show` until the app is started again.
 * Documented in docs/restart-policy.md ("At start").
 */

/** How long a process that cannot report that it loaded must stay alive to count as up (capped by the window). */
export const PLAIN_PROOF_MS = 200;
/** How long an agent's load report is waited for before the process counts as up anyway. */
const LOAD_CAP_MS = 10_000;

/** A process that exited within its start window after `start` had reported it up. */
export interface LateStartFailure {
  pm_id: number;
  name: string;
  pid: number;
  /** When it exited (ms since the epoch). */
  at: number;
  /** How long after its spawn (ms). */
  after_ms: number;
  /** The restart policy's account of the exit ("crashed (code 1)"). */
  exit: string;
  /** The start window it was watched for (ms). */
  window_ms: number;
}

/**
 * Resolves once the current process has proved it is up (true) or has exited (false; an exit that
 * Steward asked for, e.g. a stop in the meantime, is not a failed start). When up, the rest of
 * `windowMs` is watched in the background.
 */
export async function checkStart(slot: Slot, windowMs: number): Promise<boolean> {
  const proc = slot.current;
  if (!proc) return ['online', 'launching', 'starting'].includes(slot.phase);
  const agent = slot.cfg.agent && proc.connected;
  const proofs: Array<Promise<void>> = [
    agent ? proc.readiness.whenLoaded() : slot.fx.sleep(Math.min(windowMs, PLAIN_PROOF_MS)),
  ];
  if (agent) proofs.push(slot.fx.sleep(LOAD_CAP_MS));
  if (proc.readiness.required) proofs.push(proc.readiness.whenReady());
  const res = await Promise.race([
    proc.exited.then(() => 'exited' as const),
    Promise.race(proofs).then(() => 'up' as const),
  ]);
  if (res === 'exited') return proc.stopRequested;
  watchRest(slot, proc, windowMs);
  return true;
}

/** Watches an up process until the end of its start window; an exit in it is a late start failure. */
function watchRest(slot: Slot, proc: ProcessHandle, windowMs: number): void {
  const left = proc.spawnedAt + windowMs - slot.fx.now();
  if (left <= 0) return;
  const watched = Promise.race([proc.exited, slot.fx.sleep(left).then(() => null)]);
  void watched.then((info) => {
    // Ended on purpose (stop, restart, a guard), or the window passed: nothing to report.
    if (info === null || proc.stopRequested) return;
    const at = slot.fx.now();
    slot.noteLateStart({
      pm_id: slot.pm_id,
      name: slot.cfg.name,
      pid: proc.pid,
      at,
      after_ms: Math.max(0, Math.round(at - proc.spawnedAt)),
      exit: lastExitReason(slot) ?? describeExit(info.code, info.signal),
      window_ms: windowMs,
    });
  });
}

/** The reason recorded for the latest exit ("crashed (code 1)", "code 1; max_restarts reached"). */
function lastExitReason(slot: Slot): string | undefined {
  for (let k = slot.history.length - 1; k >= 0; k -= 1) {
    const e = slot.history[k];
    if (e?.event === 'exit' || e?.event === 'errored') return e.reason;
  }
  return undefined;
}
