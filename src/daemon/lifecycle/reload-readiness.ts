import type { ProcessHandle } from './effects.js';

/** Without any readiness signal, a reloaded process must stay up this long to be taken. */
const RELOAD_SETTLE_MS = 1000;
/** After the agent says the app loaded, a moment to catch a crash in its first tick. */
const LOADED_GRACE_MS = 100;

/**
 * When a reload's new process may take over: its declared readiness signal; else `listening` when
 * the old process was a server (the agent tells); else staying up for a moment after loading.
 */
export function waitForReload(
  next: ProcessHandle,
  oldListened: boolean,
  timeoutMs: number,
  sleep: (ms: number) => Promise<void>,
): Promise<'ready' | 'timeout' | 'exited'> {
  const r = next.readiness;
  let ready: Promise<void>;
  if (r.required) ready = r.whenReady();
  else if (oldListened) ready = r.whenListening();
  else
    ready = Promise.race([
      r.whenLoaded().then(() => sleep(LOADED_GRACE_MS)),
      sleep(Math.min(timeoutMs, RELOAD_SETTLE_MS)),
    ]);
  return Promise.race([
    ready.then(() => 'ready' as const),
    next.exited.then(() => 'exited' as const),
    sleep(timeoutMs).then(() => 'timeout' as const),
  ]);
}
