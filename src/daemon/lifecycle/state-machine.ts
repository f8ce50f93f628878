/**
 * The lifecycle of one instance as an explicit state machine: `transition(phase, event)` returns the
 * next phase and the effects that go with it, or null when the event is not allowed there. It is
 * the only code that decides a phase; the Instance (instance.ts) applies the effects. The diagram
 * in docs/architecture.md is generated from TABLE (`npm run docs`) and a test keeps them equal.
 *
 * Phases are finer than PM2's status words (`statusOf` maps them): `starting` is launching with no
 * process yet, `reloading` is online with a second process being tried.
 */
export const PHASES = [
  'stopped',
  'errored',
  'starting',
  'launching',
  'online',
  'reloading',
  'stopping',
  'waiting',
] as const;
export type Phase = (typeof PHASES)[number];

/** PM2's status words, as `jlist` shows them. */
export const STATUSES = ['launching', 'online', 'stopping', 'stopped', 'errored', 'waiting restart'] as const;
export type Status = (typeof STATUSES)[number];

const STATUS_OF: Record<Phase, Status> = {
  stopped: 'stopped',
  errored: 'errored',
  starting: 'launching',
  launching: 'launching',
  online: 'online',
  reloading: 'online',
  stopping: 'stopping',
  waiting: 'waiting restart',
};

export function statusOf(phase: Phase): Status {
  return STATUS_OF[phase];
}

/** What the restart policy decided about an exit that nobody asked for. */
export type ExitOutcome = { kind: 'restart'; delay: number } | { kind: 'stopped' } | { kind: 'errored' };

export type LifecycleEvent =
  /** An operation starts a process (start, restart's second half, the restart timer). */
  | { type: 'start' }
  /** The process runs; `ready` when it declared no readiness signal. */
  | { type: 'spawned'; ready: boolean }
  | { type: 'spawn_failed' }
  /** It gave its readiness signal, or listen_timeout passed (online anyway, as in PM2). */
  | { type: 'ready' }
  /** The current process exited on its own. */
  | { type: 'exit'; outcome: ExitOutcome }
  /** A second process is started next to the current one. */
  | { type: 'reload' }
  | { type: 'reload_done' }
  /** The new process was not taken; `outcome` is set when the old one is gone too. */
  | { type: 'reload_failed'; outcome?: ExitOutcome }
  /** Stop (or the first half of a restart): every process of the instance is ended. */
  | { type: 'stop' }
  /** Every process of the instance has exited. */
  | { type: 'stopped' }
  /** The restart deadline passed. */
  | { type: 'timer' };

export type EventType = LifecycleEvent['type'];

/** Side effects of a transition. The deadline (restart timer) is part of the state: one per instance. */
export type Effect = { kind: 'arm'; ms: number } | { kind: 'disarm' };

export interface Step {
  next: Phase;
  effects: Effect[];
}

type Rule = Phase | ((e: LifecycleEvent) => Step);
type Table = { [P in Phase]: Partial<Record<EventType, Rule>> };

const afterExit = (outcome: ExitOutcome): Step =>
  outcome.kind === 'restart'
    ? { next: 'waiting', effects: [{ kind: 'arm', ms: outcome.delay }] }
    : { next: outcome.kind, effects: [] };

const onExit = (e: LifecycleEvent): Step => afterExit(e.type === 'exit' ? e.outcome : { kind: 'errored' });
const disarmTo = (next: Phase) => (): Step => ({ next, effects: [{ kind: 'disarm' }] });

export const TABLE: Table = {
  stopped: { start: 'starting', stop: 'stopped' },
  errored: { start: 'starting', stop: 'errored' },
  waiting: { start: disarmTo('starting'), timer: 'starting', stop: disarmTo('stopped') },
  starting: {
    spawned: (e) => ({ next: e.type === 'spawned' && e.ready ? 'online' : 'launching', effects: [] }),
    spawn_failed: 'errored',
    stop: 'stopping',
  },
  launching: { ready: 'online', exit: onExit, stop: 'stopping' },
  online: { exit: onExit, reload: 'reloading', stop: 'stopping' },
  // The old process may exit during a reload: the new one is still being tried (see reload.ts).
  reloading: {
    exit: 'reloading',
    reload_done: 'online',
    reload_failed: (e) =>
      e.type === 'reload_failed' && e.outcome ? afterExit(e.outcome) : { next: 'online', effects: [] },
    stop: 'stopping',
  },
  stopping: { stopped: 'stopped' },
};

/** The next phase and its effects, or null when the event is not allowed in that phase. */
export function transition(phase: Phase, event: LifecycleEvent): Step | null {
  const rule = TABLE[phase][event.type];
  if (rule === undefined) return null;
  return typeof rule === 'string' ? { next: rule, effects: [] } : rule(event);
}

/** Phases in which an instance has (or is about to have) a live process. */
export function hasProcess(phase: Phase): boolean {
  return phase !== 'stopped' && phase !== 'errored' && phase !== 'waiting';
}

/** The edges of the table as `from → to: event` for the diagram (every outcome of a function rule). */
export function edges(): Array<{ from: Phase; to: Phase; event: string }> {
  const samples: Partial<Record<EventType, Array<[LifecycleEvent, string]>>> = {
    spawned: [
      [{ type: 'spawned', ready: true }, 'spawned (no readiness signal)'],
      [{ type: 'spawned', ready: false }, 'spawned (waits for ready)'],
    ],
    exit: [
      [{ type: 'exit', outcome: { kind: 'restart', delay: 0 } }, 'exit (policy: restart)'],
      [{ type: 'exit', outcome: { kind: 'stopped' } }, 'exit (policy: stop)'],
      [{ type: 'exit', outcome: { kind: 'errored' } }, 'exit (policy: give up)'],
    ],
    reload_failed: [
      [{ type: 'reload_failed' }, 'reload_failed'],
      [
        { type: 'reload_failed', outcome: { kind: 'restart', delay: 0 } },
        'reload_failed, old gone (restart)',
      ],
      [{ type: 'reload_failed', outcome: { kind: 'errored' } }, 'reload_failed, old gone (give up)'],
    ],
  };
  const out: Array<{ from: Phase; to: Phase; event: string }> = [];
  for (const from of PHASES) {
    for (const type of Object.keys(TABLE[from]) as EventType[]) {
      const cases = samples[type] ?? [[{ type } as LifecycleEvent, type]];
      const seen = new Set<string>();
      for (const [e, label] of cases) {
        const step = transition(from, e);
        if (!step || step.next === from) continue;
        if (seen.has(step.next)) continue;
        seen.add(step.next);
        out.push({ from, to: step.next, event: label });
      }
    }
  }
  return out;
}

/** The state diagram as Mermaid text (docs/architecture.md embeds it). */
export function mermaid(): string {
  const lines = ['stateDiagram-v2', '    [*] --> stopped'];
  for (const e of edges()) lines.push(`    ${e.from} --> ${e.to}: ${e.event}`);
  return lines.join('\n');
}
