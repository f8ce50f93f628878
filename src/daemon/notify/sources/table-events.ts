import type { HistoryEntry } from '../../lifecycle/history.js';
import type { EventKind } from '../types.js';

/**
 * Which table events are worth a message, from the instance's structured history entry (the one
 * the event recorded): an exit nobody asked for, `errored` (and the crash-loop guard, a kind of
 * it), a guard restart (memory limit, health check), an app put online without its readiness
 * signal, a reload rolled back, and an app started again after the daemon recovered.
 */
export interface Classified {
  kind: EventKind;
  reason: string;
  exit_code?: number;
  signal?: string;
}

const RECOVERED = 'recovered after the previous daemon died';

export function classify(event: string, status: string, entry: HistoryEntry | undefined): Classified | null {
  if (!entry || entry.event !== event) return null;
  const reason = entry.reason ?? event;
  const exit = {
    ...(entry.exit_code !== undefined ? { exit_code: entry.exit_code } : {}),
    ...(entry.signal !== undefined ? { signal: entry.signal } : {}),
  };
  switch (entry.event) {
    case 'exit':
      // A stop's own end, or a one-shot app that finished cleanly and stays stopped.
      if (reason.startsWith('stopped')) return null;
      if (status === 'stopped' && entry.exit_code === 0) return null;
      return { kind: 'exit', reason, ...exit };
    case 'errored':
      return { kind: /restart_limit/.test(reason) ? 'crash_loop' : 'errored', reason, ...exit };
    case 'guard':
      if (reason.startsWith('memory ')) return { kind: 'memory_restart', reason };
      if (reason.startsWith('health check failed')) return { kind: 'health_failed', reason };
      return null;
    case 'online':
      return reason.startsWith('not ready after') ? { kind: 'not_ready', reason } : null;
    case 'reload failed':
      return { kind: 'reload_rolled_back', reason };
    case 'start':
      return reason === RECOVERED ? { kind: 'daemon_recovered', reason } : null;
    default:
      return null;
  }
}
