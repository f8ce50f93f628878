import { constants as osConstants } from 'node:os';
import type { AppConfig } from '../../config/app-config.js';
import { StewardError } from '../../common/errors.js';
import { logPathsFor, pidPathFor, type LogPaths } from '../logs/log-paths.js';
import { AppTelemetry, isAxmMessage, type AxmAction } from '../process/app-ipc.js';
import type { ExitInfo, LifecycleEffects, ProcessHandle, TimerHandle } from './effects.js';
import {
  appendHistory,
  describeExit,
  type HistoryDetails,
  type HistoryEntry,
  type HistoryKind,
} from './history.js';
import { ABORTED, checkpoint, Lane, until } from './lane.js';
import { waitForReload } from './reload-readiness.js';
import { decideOnExit, freshCounters, type RestartCounters } from './restart-policy.js';
import {
  hasProcess,
  statusOf,
  transition,
  type ExitOutcome,
  type LifecycleEvent,
  type Phase,
  type Status,
} from './state-machine.js';

export type { HistoryEntry } from './history.js';

/** What an instance needs from the daemon around it. */
export interface InstanceHooks {
  effects: LifecycleEffects;
  logsDir: string;
  pidsDir: string;
  /** Called after every change of phase, pid or history (journal, event bus, guards). */
  changed: (inst: Instance, event: string, reason?: string) => void;
  /** An app answered an action (`axm:reply`). */
  reply: (inst: Instance, data: unknown) => void;
}

/** Everything about an instance that survives a daemon restart (journal and dump). */
export interface InstanceSnapshot {
  pm_id: number;
  index: number;
  config: AppConfig;
  status: Status;
  pid: number;
  pid_start: number;
  restart_time: number;
  exit_code: number | null;
  counters: RestartCounters;
  history: HistoryEntry[];
}

export interface ReloadResult {
  ok: boolean;
  /** Why the new process was not taken (it exited, or was not ready in time). */
  reason?: string;
  /** The new process's last output lines. */
  tail?: string[];
}

export interface StartOptions {
  /** Zero the crash counters first (a manual start, restart, reload or `resurrect`). */
  resetCounters?: boolean;
  /** Count it in `restart_time` (recovery after the daemon died). */
  countRestart?: boolean;
  /** A running instance is restarted instead (`steward start <app>` on a running app). */
  restartIfRunning?: boolean;
}

/** How long a started process is watched for a quick crash when it cannot say it has loaded. */
const LOAD_CAP_MS = 10_000;

/**
 * One supervised process slot (PM2's "process" with its pm_id). Every operation goes through its
 * lane (lane.ts: one at a time; stop and delete supersede), every change of phase through
 * `transition` (state-machine.ts), every effect through `LifecycleEffects`. Nothing outside this
 * class changes its fields: the rest of the daemon reads them through getters and asks for changes.
 */
export class Instance {
  private phase: Phase = 'stopped';
  private cfg: AppConfig;
  private restarts = 0;
  private lastExitCode: number | null = null;
  private lastExit: ExitInfo & { at: number } = { code: null, signal: null, at: 0 };
  private deadline: number | null = null;
  private timer: TimerHandle | undefined;
  private readonly log: HistoryEntry[] = [];
  private counts: RestartCounters;
  /** The process the table shows; during a reload a second one is in `procs` too. */
  private current: ProcessHandle | undefined;
  /** Every process of this instance that has not exited (what a stop must end). */
  private readonly procs = new Set<ProcessHandle>();
  private lastProc: ProcessHandle | undefined;
  private readonly telemetry = new AppTelemetry();
  private readonly lane: Lane;
  private readonly upWaiters: Array<() => void> = [];
  private readonly fx: LifecycleEffects;

  constructor(
    readonly pm_id: number,
    config: AppConfig,
    readonly index: number,
    private readonly hooks: InstanceHooks,
    restored?: InstanceSnapshot,
  ) {
    this.fx = hooks.effects;
    this.cfg = config;
    this.counts = freshCounters(this.fx.now());
    this.lane = new Lane(() => `${this.cfg.name} (id ${this.pm_id})`);
    if (restored) {
      this.restarts = restored.restart_time;
      this.lastExitCode = restored.exit_code;
      this.log.push(...restored.history);
      this.counts = { ...restored.counters, pm_uptime: 0 };
      this.phase = restored.status === 'errored' ? 'errored' : 'stopped';
    }
  }

  // ---- what the rest of the daemon reads ----

  get config(): AppConfig {
    return this.cfg;
  }
  get status(): Status {
    return statusOf(this.phase);
  }
  /** The finer lifecycle phase (e.g. `reloading`, shown as `online`). */
  get lifecyclePhase(): Phase {
    return this.phase;
  }
  get pid(): number {
    return this.current?.pid ?? 0;
  }
  get pidStart(): number {
    return this.current?.startTime ?? 0;
  }
  get restart_time(): number {
    return this.restarts;
  }
  get exit_code(): number | null {
    return this.lastExitCode;
  }
  get next_restart_at(): number | null {
    return this.deadline;
  }
  get history(): readonly HistoryEntry[] {
    return this.log;
  }
  get counters(): Readonly<RestartCounters> {
    return this.counts;
  }
  get metrics(): Readonly<Record<string, Record<string, unknown>>> {
    return this.telemetry.metrics;
  }
  get actions(): readonly AxmAction[] {
    return this.telemetry.actions;
  }
  get axmOptions(): Readonly<Record<string, unknown>> {
    return this.telemetry.options;
  }
  /** Pids of every live process of this instance (two during a reload). */
  get pids(): number[] {
    return [...this.procs].map((p) => p.pid);
  }
  /** The current process is a Node app with its IPC channel open (the agent can answer). */
  get connected(): boolean {
    return this.current?.connected ?? false;
  }

  get pidPath(): string {
    return pidPathFor(this.cfg, this.pm_id, this.hooks.pidsDir);
  }

  /** The log file paths, worked out again only when the config object changes. */
  get logPaths(): Readonly<LogPaths> {
    const m = this.logPathsMemo;
    if (m && m.config === this.cfg) return m.paths;
    const paths = logPathsFor(this.cfg, this.pm_id, this.hooks.logsDir);
    this.logPathsMemo = { config: this.cfg, paths };
    return paths;
  }
  // `jlist` reads the paths of every instance on each call: rebuilding them was ~1.5 ms of a 50-app jlist.
  private logPathsMemo: { config: AppConfig; paths: LogPaths } | undefined;

  // ---- what the rest of the daemon may ask for ----

  /** A new config (e.g. `--update-env`, an ecosystem file); the running process keeps its own until restarted. */
  setConfig(cfg: AppConfig): void {
    this.cfg = cfg;
  }

  /** Zeroes the crash counters (and `restart_time` too for `steward reset`). */
  resetCounters(opts: { restartTime?: boolean } = {}): void {
    this.counts = freshCounters(this.fx.now());
    if (opts.restartTime) {
      this.restarts = 0;
      this.record('reset', 'counters reset');
    }
  }

  /** Adds a line to the history (a guard explains why it restarts the app). */
  note(event: Extract<HistoryKind, 'guard' | 'watch'>, reason: string): void {
    this.record(event, reason);
  }

  // ---- operations (each through the lane) ----

  /**
   * Starts a stopped, errored or waiting instance. Resolves once its process is spawned (or could
   * not be); the operation itself goes on until the app is ready, holding the lane.
   */
  start(reason = 'start', opts: StartOptions = {}): Promise<void> {
    return this.untilSpawned('start', (signal, spawned) => this.startOp(signal, reason, opts, spawned));
  }

  /** Stop then start (or just start when nothing runs). Resolves once the new process is spawned. */
  restart(reason = 'restart'): Promise<void> {
    return this.untilSpawned('restart', async (signal, spawned) => {
      await this.restartOp(signal, reason, spawned);
    });
  }

  /**
   * Zero-downtime replacement when `zeroDowntime` (a socket the new process can take over) and the
   * instance is online: a new process is started next to the old one; once it is ready the old one
   * is drained and stopped. If the new one exits or is not ready within listen_timeout, it is
   * stopped and the old one keeps serving. Otherwise a restart.
   */
  reload(reason: string, zeroDowntime: boolean): Promise<ReloadResult> {
    return this.lane.run('reload', 'queue', (signal) => this.reloadOp(signal, reason, zeroDowntime));
  }

  /** Stops gracefully; interrupts whatever operation runs and ends every process of the instance. */
  stop(reason = 'stop', opts: { drain?: boolean } = {}): Promise<void> {
    return this.lane.run('stop', 'supersede', (signal) => this.stopOp(signal, reason, opts.drain ?? false));
  }

  /**
   * Stops for good (delete, scale down, daemon shutdown): like stop, and every later operation is
   * refused ("cannot restart api: it is being deleted").
   */
  async retire(reason: string, how: { drain?: boolean; refusal: string; after: string }): Promise<void> {
    const done = this.lane.run(reason, 'supersede', (signal) =>
      this.stopOp(signal, reason, how.drain ?? false),
    );
    this.lane.close(how.refusal);
    try {
      await done;
    } finally {
      this.lane.reason(how.after);
      this.disarm();
    }
  }

  /** Resolves once every operation queued so far has ended. */
  idle(): Promise<void> {
    return this.lane.idle();
  }

  // ---- operation bodies ----

  private untilSpawned(
    name: string,
    body: (signal: AbortSignal, spawned: () => void) => Promise<void>,
  ): Promise<void> {
    let spawned: () => void = () => undefined;
    const atSpawn = new Promise<void>((r) => {
      spawned = r;
    });
    const op = this.lane.run(name, 'queue', (signal) => body(signal, spawned));
    // Errors after the spawn (an interruption while waiting for readiness) are the next op's news.
    op.catch(() => undefined);
    return Promise.race([op, atSpawn]);
  }

  private async startOp(
    signal: AbortSignal,
    reason: string,
    opts: StartOptions,
    spawned: () => void,
  ): Promise<void> {
    if (hasProcess(this.phase)) {
      if (opts.restartIfRunning) await this.restartOp(signal, reason, spawned);
      else spawned();
      return;
    }
    if (opts.resetCounters) this.counts = freshCounters(this.fx.now());
    if (opts.countRestart) this.restarts += 1;
    await this.launch(signal, { type: 'start' }, reason, spawned);
  }

  private async restartOp(signal: AbortSignal, reason: string, spawned: () => void): Promise<void> {
    const wasRunning = hasProcess(this.phase);
    if (wasRunning) {
      if (this.phase !== 'stopping') this.dispatch({ type: 'stop' }, 'stopping', reason);
      const had = this.current;
      const ended = await until(signal, this.endAll(false));
      if (ended === ABORTED) checkpoint(signal);
      this.dispatch({ type: 'stopped' }, 'exit', this.stoppedText(had, reason), this.exitDetails());
    } else if (this.phase === 'waiting') {
      this.dispatch({ type: 'stop' }, 'stopping', reason);
    }
    this.counts = freshCounters(this.fx.now());
    if (wasRunning) this.restarts += 1;
    checkpoint(signal);
    await this.launch(signal, { type: 'start' }, reason, spawned);
  }

  /** The restart timer fired: an automatic restart, queued like any operation. */
  private onDeadline(): void {
    this.timer = undefined;
    const op = this.lane.run('automatic restart', 'queue', async (signal) => {
      if (this.phase !== 'waiting') return;
      this.restarts += 1;
      await this.launch(signal, { type: 'timer' }, 'automatic restart', () => undefined);
    });
    op.catch((e: unknown) => this.fx.log(`[${this.cfg.name}:${this.pm_id}] ${(e as Error).message}`));
  }

  /** Spawns a process and takes it as the current one, then waits (in the lane) until it is ready. */
  private async launch(
    signal: AbortSignal,
    first: LifecycleEvent,
    reason: string,
    spawned: () => void,
  ): Promise<void> {
    this.dispatch(first, first.type === 'timer' ? 'restart' : 'start', reason);
    const proc = await this.spawn();
    spawned();
    if (typeof proc === 'string') {
      this.fx.log(`[${this.cfg.name}:${this.pm_id}] ${proc}`);
      this.dispatch({ type: 'spawn_failed' }, 'errored', proc);
      return;
    }
    // Interrupted while spawning: the superseding stop ends it (it is in `procs`).
    checkpoint(signal);
    this.current = proc;
    this.counts = { ...this.counts, pm_uptime: proc.spawnedAt };
    this.fx.writePidFile(this.pidPath, proc.pid);
    const ready = !proc.readiness.required;
    this.dispatch(
      { type: 'spawned', ready },
      ready ? 'online' : 'spawned',
      ready ? undefined : `waiting until ready (${proc.readiness.describe()})`,
      { pid: proc.pid },
    );
    if (ready) return;
    const timeout = this.cfg.listen_timeout;
    const outcome = await until(
      signal,
      Promise.race([
        proc.readiness.whenReady().then(() => 'ready' as const),
        proc.exited.then(() => 'exited' as const),
        this.fx.sleep(timeout).then(() => 'timeout' as const),
      ]),
    );
    if (outcome === ABORTED) checkpoint(signal);
    if (outcome === 'exited' || this.current !== proc || this.phase !== 'launching') return;
    // As in PM2, an app that does not say it is ready in time is put online anyway — noted.
    this.dispatch(
      { type: 'ready' },
      'online',
      outcome === 'ready' ? 'ready' : `not ready after listen_timeout ${timeout}ms; online anyway`,
      outcome === 'ready' ? { pid: proc.pid } : { pid: proc.pid, not_ready: true },
    );
  }

  private async reloadOp(signal: AbortSignal, reason: string, zeroDowntime: boolean): Promise<ReloadResult> {
    const old = this.current;
    if (!zeroDowntime || !old || this.phase !== 'online') {
      await this.restartOp(signal, reason, () => undefined);
      return { ok: true };
    }
    this.dispatch({ type: 'reload' }, 'reload', `${reason}: starting a new process next to pid ${old.pid}`);
    const next = await this.spawn();
    if (typeof next === 'string') return this.reloadFailed(next);
    checkpoint(signal);
    const outcome = await until(
      signal,
      waitForReload(next, old.listening, this.cfg.listen_timeout, (ms) => this.fx.sleep(ms)),
    );
    if (outcome === ABORTED) checkpoint(signal);
    if (outcome !== 'ready') {
      const why =
        outcome === 'exited'
          ? `the new process exited before it was ready (${await exitText(next)})`
          : `the new process was not ready within listen_timeout ${this.cfg.listen_timeout}ms`;
      await this.fx.terminate(next, this.cfg, false);
      // Let its last output reach the error log, which the CLI shows.
      await Promise.race([next.closed, this.fx.sleep(1000)]);
      return { ...this.reloadFailed(why), tail: next.recentLines(15) };
    }
    // Swap: the new process is the instance from now on; the old one (if still there) leaves quietly.
    const previous = this.current;
    this.current = next;
    this.telemetry.clear();
    for (const m of next.takeEarlyMessages()) this.onMessage(next, m);
    this.counts = { ...freshCounters(this.fx.now()), pm_uptime: next.spawnedAt };
    this.restarts += 1;
    this.fx.writePidFile(this.pidPath, next.pid);
    this.dispatch({ type: 'reload_done' }, 'reload', `${reason}: pid ${old.pid} → ${next.pid}`, {
      pid: next.pid,
    });
    if (previous) {
      const ended = await until(signal, this.fx.terminate(previous, this.cfg, true));
      if (ended === ABORTED) checkpoint(signal);
    }
    return { ok: true };
  }

  private reloadFailed(why: string): ReloadResult {
    // The old process exited meanwhile: what follows is the restart policy's call, as for a crash.
    let outcome: ExitOutcome | undefined;
    if (!this.current) outcome = this.decide(this.lastExit);
    this.dispatch(
      outcome ? { type: 'reload_failed', outcome } : { type: 'reload_failed' },
      'reload failed',
      why,
    );
    return { ok: false, reason: why };
  }

  private async stopOp(_signal: AbortSignal, reason: string, drain: boolean): Promise<void> {
    // Nothing else runs now: an interrupted operation has ended (its processes are in `procs`).
    if (this.phase === 'stopped' || this.phase === 'errored') {
      if (this.procs.size > 0) await this.endAll(drain);
      return;
    }
    if (this.phase === 'waiting') {
      this.dispatch({ type: 'stop' }, 'stopping', reason);
      return;
    }
    if (this.phase !== 'stopping') this.dispatch({ type: 'stop' }, 'stopping', reason);
    const had = this.current;
    await this.endAll(drain);
    this.dispatch({ type: 'stopped' }, 'exit', this.stoppedText(had, reason), this.exitDetails());
  }

  /** "stopped (code 0)" or "stopped (signal SIGKILL)" for the process that was current, else the reason. */
  private stoppedText(had: ProcessHandle | undefined, reason: string): string {
    return had && this.lastProc === had
      ? `stopped (${describeExit(this.lastExit.code, this.lastExit.signal)})`
      : `stopped (${reason})`;
  }

  /** Ends every process of the instance (the current one drained first when asked). */
  private async endAll(drain: boolean): Promise<void> {
    while (this.procs.size > 0) {
      const all = [...this.procs];
      await Promise.all(
        all.map(async (p) => {
          await this.fx.terminate(p, this.cfg, drain && p === this.current);
          await p.exited;
          this.procs.delete(p);
        }),
      );
    }
  }

  // ---- processes ----

  private async spawn(): Promise<ProcessHandle | string> {
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

  private onExit(proc: ProcessHandle, info: ExitInfo): void {
    this.procs.delete(proc);
    if (proc !== this.current) return;
    this.current = undefined;
    this.lastProc = proc;
    this.telemetry.clear();
    this.fx.removePidFile(this.pidPath);
    const at = this.fx.now();
    this.lastExit = { ...info, at };
    this.lastExitCode = info.code ?? (info.signal ? 128 + (osConstants.signals[info.signal] ?? 0) : null);
    const details = { pid: proc.pid, ...exitFields(info) };
    const how = describeExit(info.code, info.signal);
    // Stopping: the stop operation records the end. Reloading: the new process may still take over.
    if (this.phase === 'stopping' || proc.stopRequested) return;
    if (this.phase === 'reloading') {
      this.dispatch(
        { type: 'exit', outcome: { kind: 'stopped' } },
        'exit',
        `exited during a reload (${how})`,
        details,
      );
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

  private lastDecisionReason = '';
  private decide(exit: ExitInfo & { at: number }): ExitOutcome {
    const d = decideOnExit(this.cfg, this.counts, exit);
    this.counts = d.counters;
    if (d.action === 'restart') return { kind: 'restart', delay: d.delay };
    this.lastDecisionReason = d.reason;
    return { kind: d.action === 'errored' ? 'errored' : 'stopped' };
  }

  private exitDetails(): HistoryDetails {
    return this.lastProc ? { pid: this.lastProc.pid, ...exitFields(this.lastExit) } : {};
  }

  private onMessage(proc: ProcessHandle, raw: unknown): void {
    if (!isAxmMessage(raw)) return;
    const handled = proc === this.current ? this.telemetry.handle(raw) : undefined;
    if (proc !== this.current) {
      // A process being tried (reload) keeps what it declares until it takes over.
      const r = new AppTelemetry().handle(raw);
      if (r) this.hooks.reply(this, r.reply);
      else proc.keepEarlyMessage(raw);
      return;
    }
    if (handled) this.hooks.reply(this, handled.reply);
  }

  // ---- the state machine ----

  private dispatch(
    event: LifecycleEvent,
    kind: HistoryKind,
    reason?: string,
    details: HistoryDetails = {},
  ): void {
    const step = transition(this.phase, event);
    if (step === null) {
      throw new StewardError(
        'E_STATE',
        `${this.cfg.name} (id ${this.pm_id}): ${event.type} is not allowed while ${this.phase}`,
        { hint: 'this is a bug in Steward; the daemon log has the history' },
      );
    }
    const before = this.phase;
    this.phase = step.next;
    for (const e of step.effects) {
      if (e.kind === 'arm') {
        this.disarm();
        this.deadline = this.fx.now() + e.ms;
        this.timer = this.fx.setTimer(e.ms, () => this.onDeadline());
      } else {
        this.disarm();
      }
    }
    if ((before === 'starting' || before === 'launching') && this.phase !== 'launching')
      for (const w of this.upWaiters.splice(0)) w();
    this.record(kind, reason, details);
  }

  private disarm(): void {
    if (this.timer) this.fx.clearTimer(this.timer);
    this.timer = undefined;
    this.deadline = null;
  }

  private record(event: HistoryKind, reason?: string, details: HistoryDetails = {}): void {
    const entry: HistoryEntry = { at: this.fx.now(), event, ...details };
    if (reason !== undefined) entry.reason = reason;
    appendHistory(this.log, entry);
    this.hooks.changed(this, event, reason);
  }

  // ---- queries ----

  /** Resolves once the instance has left `launching` (ready, or exited), or after `timeoutMs`. */
  whenUp(timeoutMs: number): Promise<void> {
    if (this.phase !== 'starting' && this.phase !== 'launching') return Promise.resolve();
    return Promise.race([new Promise<void>((r) => this.upWaiters.push(r)), this.fx.sleep(timeoutMs)]);
  }

  /** Was it put online without its readiness signal since it last started? */
  get putOnlineUnready(): boolean {
    for (let k = this.log.length - 1; k >= 0; k -= 1) {
      const h = this.log[k];
      if (h?.event === 'start' || h?.event === 'restart') return false;
      if (h?.event === 'online' && h.not_ready) return true;
    }
    return false;
  }

  /**
   * Watches a just-started process until it has loaded: a Node app with the agent says so (its
   * main module ran); others get `windowMs`. Resolves false when it exited in that time.
   */
  async settled(windowMs: number): Promise<boolean> {
    const proc = this.current;
    if (!proc) return this.phase === 'online' || this.phase === 'launching' || this.phase === 'starting';
    const agent = this.cfg.agent && proc.connected;
    const loaded = agent ? proc.readiness.whenLoaded() : this.fx.sleep(windowMs);
    const cap = this.fx.sleep(agent ? LOAD_CAP_MS : windowMs);
    const res = await Promise.race([
      proc.exited.then(() => 'exited' as const),
      Promise.race([loaded, cap]).then(() => 'ok' as const),
    ]);
    // Stopped on purpose in the window (a cron or watch restart, `stop`, `delete`): not a failed start.
    if (res === 'exited') return proc.stopRequested;
    if (agent) {
      // A short grace after loading catches a crash in the first tick (an async listen error).
      const grace = await Promise.race([
        proc.exited.then(() => 'exited' as const),
        this.fx.sleep(Math.min(windowMs, 100)).then(() => 'ok' as const),
      ]);
      return grace === 'ok' || proc.stopRequested;
    }
    return true;
  }

  /** The last output lines of the current process, or of the one that exited last. */
  recentLines(n: number): string[] {
    return (this.current ?? this.lastProc)?.recentLines(n) ?? [];
  }

  /** Sends a signal to the current process (`sendSignal`). */
  signal(sig: NodeJS.Signals): boolean {
    return this.current ? this.current.signal(sig) : false;
  }

  /** Runs a declared action (PM2's `trigger`): the name alone, or `{ msg, opts }` with a parameter. */
  trigger(action: string, params: string | undefined): boolean {
    const p = this.current;
    if (!p?.connected || !this.telemetry.actions.some((a) => a.action_name === action)) return false;
    return p.send(params === undefined ? action : { msg: action, opts: params });
  }

  /** Writes a line to the app's stdin (PM2's `send`). */
  writeStdin(line: string): boolean {
    return this.current?.writeStdin(line) ?? false;
  }

  snapshot(): InstanceSnapshot {
    return {
      pm_id: this.pm_id,
      index: this.index,
      config: this.cfg,
      status: this.status,
      pid: this.pid,
      pid_start: this.pidStart,
      restart_time: this.restarts,
      exit_code: this.lastExitCode,
      counters: this.counts,
      history: this.log,
    };
  }
}

function exitFields(info: ExitInfo): HistoryDetails {
  const out: HistoryDetails = {};
  if (info.code !== null) out.exit_code = info.code;
  if (info.signal !== null) out.signal = info.signal;
  return out;
}

async function exitText(p: ProcessHandle): Promise<string> {
  const { code, signal } = await p.exited;
  return describeExit(code, signal);
}
