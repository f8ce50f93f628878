/**
 * What happened to an instance, as structured events (kind, reason, pid, exit code, signal) that
 * `show` prints and code can test without parsing sentences. Kept in memory (HISTORY_MAX) and, the
 * latest few, in the journal and the dump.
 */
export type HistoryKind =
  | 'start'
  | 'spawned'
  | 'online'
  | 'errored'
  | 'exit'
  | 'stopping'
  | 'restart'
  | 'reload'
  | 'reload failed'
  | 'guard'
  | 'watch'
  | 'reset';

export interface HistoryEntry {
  at: number;
  event: HistoryKind;
  reason?: string;
  pid?: number;
  exit_code?: number;
  signal?: string;
  /** Put online after listen_timeout without its readiness signal (PM2 does the same). */
  not_ready?: boolean;
}

export type HistoryDetails = Omit<HistoryEntry, 'at' | 'event' | 'reason'>;

const HISTORY_MAX = 50;

export function appendHistory(list: HistoryEntry[], entry: HistoryEntry): void {
  list.push(entry);
  if (list.length > HISTORY_MAX) list.splice(0, list.length - HISTORY_MAX);
}

/** "code 1" or "signal SIGTERM", for reasons. */
export function describeExit(code: number | null, signal: string | null): string {
  return signal ? `signal ${signal}` : `code ${code}`;
}
