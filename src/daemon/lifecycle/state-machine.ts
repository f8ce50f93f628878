/**
 * The lifecycle of one instance as an explicit state machine. `transition` is the only code allowed
 * to decide the next status; the Instance applies side effects around it. Status strings are PM2's,
 * so `jlist` consumers see the values they expect. The diagram is in docs/architecture.md.
 */
export const STATUSES = [
  'launching',
  'online',
  'stopping',
  'stopped',
  'errored',
  'waiting restart',
  'one-launch-status',
] as const;
export type Status = (typeof STATUSES)[number];

export type ExitOutcome = 'stopped' | 'errored' | 'restart';

export type LifecycleEvent =
  | { type: 'start' }
  | { type: 'spawned' }
  | { type: 'spawn_failed' }
  | { type: 'stop' }
  | { type: 'exit'; outcome: ExitOutcome }
  | { type: 'timer' };

type Table = {
  [S in Status]: Partial<Record<LifecycleEvent['type'], Status | ((e: LifecycleEvent) => Status)>>;
};

const afterExit = (e: LifecycleEvent): Status => {
  if (e.type !== 'exit') return 'errored';
  return e.outcome === 'restart' ? 'waiting restart' : e.outcome;
};

const TABLE: Table = {
  stopped: { start: 'launching' },
  errored: { start: 'launching' },
  'one-launch-status': { start: 'launching', stop: 'stopped' },
  'waiting restart': { start: 'launching', timer: 'launching', stop: 'stopped' },
  launching: { spawned: 'online', spawn_failed: 'errored', stop: 'stopping', exit: afterExit },
  online: { stop: 'stopping', exit: afterExit },
  // An exit while stopping is always a stop, whatever the restart policy would say.
  stopping: { stop: 'stopping', exit: 'stopped' },
};

/** Returns the next status, or null when the event is not allowed in that status. */
export function transition(status: Status, event: LifecycleEvent): Status | null {
  const next = TABLE[status][event.type];
  if (next === undefined) return null;
  return typeof next === 'function' ? next(event) : next;
}

/** Statuses in which an instance has (or is about to have) a live process. */
export function isRunning(status: Status): boolean {
  return status === 'online' || status === 'launching' || status === 'stopping';
}
