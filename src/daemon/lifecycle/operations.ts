import { freshCounters } from './restart-policy.js';
import type { ProcessHandle } from './effects.js';
import { describeExit } from './history.js';
import { ABORTED, checkpoint, until } from './lane.js';
import { waitForReload } from './reload-readiness.js';
import type { Slot } from './slot.js';
import { hasProcess, type ExitOutcome, type LifecycleEvent } from './state-machine.js';

/**
 * The bodies of an instance's operations. Each runs in the instance's lane (one at a time) with an
 * abort signal that a later stop or delete raises: every wait races it, and an interrupted
 * operation throws at its next step, leaving its processes in `slot.procs` for the stop to end.
 */

export interface StartOptions {
  /** Zero the crash counters first (a manual start, restart, reload or `resurrect`). */
  resetCounters?: boolean;
  /** Count it in `restart_time` (recovery after the daemon died). */
  countRestart?: boolean;
  /** A running instance is restarted instead (`steward start <app>` on a running app). */
  restartIfRunning?: boolean;
}

export interface ReloadResult {
  ok: boolean;
  /** Why the new process was not taken (it exited, or was not ready in time). */
  reason?: string;
  /** The new process's last output lines. */
  tail?: string[];
}

export async function startOp(
  slot: Slot,
  signal: AbortSignal,
  reason: string,
  opts: StartOptions,
  spawned: () => void,
): Promise<void> {
  if (hasProcess(slot.phase)) {
    if (opts.restartIfRunning) await restartOp(slot, signal, reason, spawned);
    else spawned();
    return;
  }
  if (opts.resetCounters) slot.resetCounters();
  if (opts.countRestart) slot.restarts += 1;
  slot.clearLateStart();
  await launch(slot, signal, { type: 'start' }, reason, spawned);
}

/** Stop (every process) then start; counted in restart_time when something ran. */
export async function restartOp(
  slot: Slot,
  signal: AbortSignal,
  reason: string,
  spawned: () => void,
): Promise<void> {
  const wasRunning = hasProcess(slot.phase);
  if (wasRunning) {
    if (slot.phase !== 'stopping') slot.dispatch({ type: 'stop' }, 'stopping', reason);
    const had = slot.current;
    const ended = await until(signal, slot.endAll(false));
    if (ended === ABORTED) checkpoint(signal);
    slot.dispatch({ type: 'stopped' }, 'exit', slot.stoppedText(had, reason), slot.exitDetails());
  } else if (slot.phase === 'waiting') {
    slot.dispatch({ type: 'stop' }, 'stopping', reason);
  }
  slot.resetCounters();
  slot.clearLateStart();
  if (wasRunning) slot.restarts += 1;
  checkpoint(signal);
  await launch(slot, signal, { type: 'start' }, reason, spawned);
}

/** The restart timer fired (queued like any operation; a stop meanwhile left nothing to do). */
export async function timerOp(slot: Slot, signal: AbortSignal): Promise<void> {
  if (slot.phase !== 'waiting') return;
  slot.restarts += 1;
  await launch(slot, signal, { type: 'timer' }, 'automatic restart', () => undefined);
}

/** Spawns a process and takes it as the current one, then waits (in the lane) until it is ready. */
async function launch(
  slot: Slot,
  signal: AbortSignal,
  first: LifecycleEvent,
  reason: string,
  spawned: () => void,
): Promise<void> {
  slot.dispatch(first, first.type === 'timer' ? 'restart' : 'start', reason);
  const proc = await slot.spawn();
  spawned();
  if (typeof proc === 'string') {
    slot.fx.log(`[${slot.cfg.name}:${slot.pm_id}] ${proc}`);
    slot.dispatch({ type: 'spawn_failed' }, 'errored', proc);
    return;
  }
  // Interrupted while spawning: the superseding stop ends it (it is in `procs`).
  checkpoint(signal);
  slot.adopt(proc);
  slot.counts = { ...slot.counts, pm_uptime: proc.spawnedAt };
  const ready = !proc.readiness.required;
  const waitText = `waiting until ready (${proc.readiness.describe()})`;
  slot.dispatch({ type: 'spawned', ready }, ready ? 'online' : 'spawned', ready ? undefined : waitText, {
    pid: proc.pid,
  });
  if (ready) return;
  const timeout = slot.cfg.listen_timeout;
  const outcome = await until(
    signal,
    Promise.race([
      proc.readiness.whenReady().then(() => 'ready' as const),
      proc.exited.then(() => 'exited' as const),
      slot.fx.sleep(timeout).then(() => 'timeout' as const),
    ]),
  );
  if (outcome === ABORTED) checkpoint(signal);
  if (outcome === 'exited' || slot.current !== proc || slot.phase !== 'launching') return;
  // As in PM2, an app that does not say it is ready in time is put online anyway — noted.
  if (outcome === 'ready') slot.dispatch({ type: 'ready' }, 'online', 'ready', { pid: proc.pid });
  else
    slot.dispatch({ type: 'ready' }, 'online', `not ready after listen_timeout ${timeout}ms; online anyway`, {
      pid: proc.pid,
      not_ready: true,
    });
}

/**
 * Zero-downtime replacement when asked and online: a new process next to the old one; once it is
 * ready it takes over and the old one is drained and stopped. A new process that exits or is not
 * ready within listen_timeout is stopped and the old one keeps serving. Otherwise a restart.
 */
export async function reloadOp(
  slot: Slot,
  signal: AbortSignal,
  reason: string,
  zeroDowntime: boolean,
): Promise<ReloadResult> {
  const old = slot.current;
  if (!zeroDowntime || !old || slot.phase !== 'online') {
    await restartOp(slot, signal, reason, () => undefined);
    return { ok: true };
  }
  slot.dispatch({ type: 'reload' }, 'reload', `${reason}: starting a new process next to pid ${old.pid}`);
  const next = await slot.spawn();
  if (typeof next === 'string') return reloadFailed(slot, next);
  checkpoint(signal);
  const timeout = slot.cfg.listen_timeout;
  const outcome = await until(
    signal,
    waitForReload(next, old.listening, timeout, (ms) => slot.fx.sleep(ms)),
  );
  if (outcome === ABORTED) checkpoint(signal);
  if (outcome !== 'ready') {
    const why =
      outcome === 'exited'
        ? `the new process exited before it was ready (${await exitText(next)})`
        : `the new process was not ready within listen_timeout ${timeout}ms`;
    await slot.fx.terminate(next, slot.cfg, false);
    // Let its last output reach the error log, which the CLI shows.
    await Promise.race([next.closed, slot.fx.sleep(1000)]);
    return { ...reloadFailed(slot, why), tail: next.recentLines(15) };
  }
  // Swap: the new process is the instance from now on; the old one (if still there) leaves quietly.
  const previous = slot.current;
  slot.adopt(next);
  slot.telemetry.clear();
  for (const m of next.takeEarlyMessages()) slot.onMessage(next, m);
  slot.counts = { ...freshCounters(slot.fx.now()), pm_uptime: next.spawnedAt };
  slot.restarts += 1;
  slot.dispatch({ type: 'reload_done' }, 'reload', `${reason}: pid ${old.pid} → ${next.pid}`, {
    pid: next.pid,
  });
  if (previous) {
    const ended = await until(signal, slot.fx.terminate(previous, slot.cfg, true));
    if (ended === ABORTED) checkpoint(signal);
  }
  return { ok: true };
}

function reloadFailed(slot: Slot, why: string): ReloadResult {
  // The old process exited meanwhile: what follows is the restart policy's call, as for a crash.
  let outcome: ExitOutcome | undefined;
  if (!slot.current) outcome = slot.decide(slot.lastExit);
  slot.dispatch(
    outcome ? { type: 'reload_failed', outcome } : { type: 'reload_failed' },
    'reload failed',
    why,
  );
  return { ok: false, reason: why };
}

/** Stops gracefully. Whatever ran before has ended (interrupted): its processes are in `procs`. */
export async function stopOp(slot: Slot, reason: string, drain: boolean): Promise<void> {
  if (slot.phase === 'stopped' || slot.phase === 'errored') {
    if (slot.procs.size > 0) await slot.endAll(drain);
    return;
  }
  if (slot.phase === 'waiting') {
    slot.dispatch({ type: 'stop' }, 'stopping', reason);
    return;
  }
  if (slot.phase !== 'stopping') slot.dispatch({ type: 'stop' }, 'stopping', reason);
  const had = slot.current;
  await slot.endAll(drain);
  slot.dispatch({ type: 'stopped' }, 'exit', slot.stoppedText(had, reason), slot.exitDetails());
}

async function exitText(p: ProcessHandle): Promise<string> {
  const { code, signal } = await p.exited;
  return describeExit(code, signal);
}
