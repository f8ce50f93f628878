import { constants as osConstants } from 'node:os';
import type { AppConfig } from '../../config/app-config.js';
import { StewardError } from '../../common/errors.js';
import { pidPathFor } from '../logs/log-paths.js';
import { AppTelemetry, isAxmMessage } from '../process/app-ipc.js';
import type { ExitInfo, LifecycleEffects, ProcessHandle, TimerHandle } from './effects.js';
import {
  appendHistory,
  describeExit,
  type HistoryDetails,
  type HistoryEntry,
  type HistoryKind,
} from './history.js';
import { decideOnExit, freshCounters, type RestartCounters } from './restart-policy.js';
import type { LateStartFailure } from './start-check.js';
import { transition, type ExitOutcome, type LifecycleEvent, type Phase } from './state-machine.js';

/** What a slot tells the instance around it. */
export interface SlotEvents {
  changed: (event: HistoryKind, reason?: string) => void;
  reply: (data: unknown) => void;
  /** The restart deadline passed. */
  deadline: () => void;
}

/**
 * The state of one instance and its processes, private to lifecycle/: the phase (changed only by
 * `dispatch`, through the transition table), counters, history, the restart deadline, and every
 * live process. The operations (operations.ts) drive it; the Instance facade (instance.ts) is what
 * the rest of the daemon sees, read-only.
 */
export class Slot {
  phase: Phase = 'stopped';
  restarts = 0;
  lastExitCode: number | null = null;
  lastExit: ExitInfo & { at: number } = { code: null, signal: null, at: 0 };
  deadline: number | null = null;
  readonly history: HistoryEntry[] = [];
  counts: RestartCounters;
  /** The process the table shows; during a reload a second one is in `procs` too. */
  current: ProcessHandle | undefined;
  /** Every process of this instance that has not exited (what a stop must end). */
  readonly procs = new Set<ProcessHandle>();
  lastProc: ProcessHandle | undefined;
  readonly telemetry = new AppTelemetry();
  readonly upWaiters: Array<() => void> = [];
  /** An exit within the start window after `start` had reported the app up (start-check.ts). */
  lateStart: LateStartFailure | undefined;
  /** Not yet told to a CLI command. */
  lateStartUnreported = false;
  private timer: TimerHandle | undefined;
  private lastDecisionReason = '';

  constructor(
    readonly pm_id: number,
    public cfg: AppConfig,
    readonly index: number,
    readonly fx: LifecycleEffects,
    private readonly pidsDir: string,
    private readonly events: SlotEvents,
  ) {
    this.counts = freshCounters(fx.now());
  }

  get label(): string {
    return `${this.cfg.name} (id ${this.pm_id})`;
  }

  get pidPath(): string {
    return pidPathFor(this.cfg, this.pm_id, this.pidsDir);
  }

  resetCounters(): void {
    this.counts = freshCounters(this.fx.now());
  }

  noteLateStart(f: LateStartFailure): void {
    this.lateStart = f;
    this.lateStartUnreported = true;
  }

  /** A manual start or restart: an earlier late start failure is history now. */
  clearLateStart(): void {
    this.lateStart = undefined;
    this.lateStartUnreported = false;
  }

  // ---- the state machine ----

  /** Applies one event through the table; a refused event is an E_STATE error, never ignored. */
  dispatch(event: LifecycleEvent, kind: HistoryKind, reason?: string, details: HistoryDetails = {}): void {
    const step = transition(this.phase, event);
    if (step === null) {
      throw new StewardError('E_STATE', `${this.label}: ${event.type} is not allowed while ${this.phase}`, {
        hint: 'this is a bug in Steward; the daemon log has the history',
      });
    }
    const before = this.phase;
    this.phase = step.next;
    for (const e of step.effects) {
      this.disarm();
      if (e.kind === 'arm') {
        this.deadline = this.fx.now() + e.ms;
        this.timer = this.fx.setTimer(e.ms, () => {
          this.timer = undefined;
          this.events.deadline();
        });
      }
    }
    if ((before === 'starting' || before === 'launching') && this.phase !== 'launching')
      for (const w of this.upWaiters.splice(0)) w();
    this.record(kind, reason, details);
  }

  disarm(): void {
    if (this.timer) this.fx.clearTimer(this.timer);
    this.timer = undefined;
    this.deadline = null;
  }

  record(event: HistoryKind, reason?: string, details: HistoryDetails = {}): void {
    const entry: HistoryEntry = { at: this.fx.now(), event, ...details };
    if (reason !== undefined) entry.reason = reason;
    appendHistory(this.history, entry);
    this.events.changed(event, reason);
  }

  // ---- processes ----

  /** Launches a process; once spawned it is in `procs` (so a stop ends it) and its exit is watched. */
  async spawn(): Promise<ProcessHandle | string> {
    const proc = await this.fx.launch({
      config: this.cfg,
      pm_id: this.pm_id,
      index: this.index,
      onMessage: (p, m) => this.onMessage(p, m),
    });
    if (typeof proc === 'string') return proc;
    this.procs.add(proc);
    void proc.exited.then((info) => this.onExit(proc, info));
    return proc;
  }

  /** Makes `proc` the process the table shows. */
  adopt(proc: ProcessHandle): void {
    this.current = proc;
    this.fx.writePidFile(this.pidPath, proc.pid);
  }

  /** Ends every process of the instance (the current one drained first when asked). */
  async endAll(drain: boolean): Promise<void> {
    while (this.procs.size > 0) {
      await Promise.all(
        [...this.procs].map(async (p) => {
          await this.fx.terminate(p, this.cfg, drain && p === this.current);
          await p.exited;
          this.procs.delete(p);
        }),
      );
    }
  }

  private onExit(proc: ProcessHandle, info: ExitInfo): void {
    this.procs.delete(proc);
    if (proc !== this.current) return;
    this.current = undefined;
    this.lastProc = proc;
    this.telemetry.clear();
    this.fx.removePidFile(this.pidPath);
    this.lastExit = { ...info, at: this.fx.now() };
    this.lastExitCode = info.code ?? (info.signal ? 128 + (osConstants.signals[info.signal] ?? 0) : null);
    const details = { pid: proc.pid, ...exitFields(info) };
    const how = describeExit(info.code, info.signal);
    // Stopping: the stop operation records the end. Reloading: the new process may still take over.
    if (this.phase === 'stopping' || proc.stopRequested) return;
    if (this.phase === 'reloading') {
      const exit = { type: 'exit', outcome: { kind: 'stopped' } } as const;
      this.dispatch(exit, 'exit', `exited during a reload (${how})`, details);
      return;
    }
    const outcome = this.decide(this.lastExit);
    const reason = outcome.kind === 'restart' ? `crashed (${how})` : `${how}; ${this.lastDecisionReason}`;
    this.dispatch(
      { type: 'exit', outcome },
      outcome.kind === 'errored' ? 'errored' : 'exit',
      reason,
      details,
    );
  }

  /** The restart policy's call on an exit nobody asked for (restart-policy.ts). */
  decide(exit: ExitInfo & { at: number }): ExitOutcome {
    const d = decideOnExit(this.cfg, this.counts, exit);
    this.counts = d.counters;
    if (d.action === 'restart') return { kind: 'restart', delay: d.delay };
    this.lastDecisionReason = d.reason;
    return { kind: d.action === 'errored' ? 'errored' : 'stopped' };
  }

  /** History details of the process that exited last. */
  exitDetails(): HistoryDetails {
    return this.lastProc ? { pid: this.lastProc.pid, ...exitFields(this.lastExit) } : {};
  }

  /** "stopped (code 0)" for the process that was current when the stop began, else the reason. */
  stoppedText(had: ProcessHandle | undefined, reason: string): string {
    return had && this.lastProc === had
      ? `stopped (${describeExit(this.lastExit.code, this.lastExit.signal)})`
      : `stopped (${reason})`;
  }

  /** PM2's agent protocol: metrics and actions belong to the current process only. */
  onMessage(proc: ProcessHandle, raw: unknown): void {
    if (!isAxmMessage(raw)) return;
    if (proc === this.current) {
      const handled = this.telemetry.handle(raw);
      if (handled) this.events.reply(handled.reply);
      return;
    }
    // A process being tried (reload) keeps what it declares until it takes over; replies go through.
    const reply = new AppTelemetry().handle(raw);
    if (reply) this.events.reply(reply.reply);
    else proc.keepEarlyMessage(raw);
  }
}

function exitFields(info: ExitInfo): HistoryDetails {
  const out: HistoryDetails = {};
  if (info.code !== null) out.exit_code = info.code;
  if (info.signal !== null) out.signal = info.signal;
  return out;
}
