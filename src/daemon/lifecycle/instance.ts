import type { AppConfig } from '../../config/app-config.js';
import { logPathsFor, type LogPaths } from '../logs/log-paths.js';
import type { AxmAction } from '../process/app-ipc.js';
import type { LifecycleEffects } from './effects.js';
import type { HistoryEntry, HistoryKind } from './history.js';
import { Lane } from './lane.js';
import {
  reloadOp,
  restartOp,
  startOp,
  stopOp,
  timerOp,
  type ReloadResult,
  type StartOptions,
} from './operations.js';
import type { RestartCounters } from './restart-policy.js';
import { Slot } from './slot.js';
import { checkStart, type LateStartFailure } from './start-check.js';
import { statusOf, type Phase, type Status } from './state-machine.js';
import { withSharedEnv } from './shared-env.js';

export type { HistoryEntry } from './history.js';
export type { ReloadResult, StartOptions } from './operations.js';

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

/**
 * One supervised process slot (PM2's "process" with its pm_id), as the rest of the daemon sees it:
 * read-only fields, and operations that go through its lane (lane.ts: one at a time; stop and
 * delete supersede). The state lives in a Slot (slot.ts), changed only by the operations
 * (operations.ts) through the transition table (state-machine.ts).
 */
export class Instance {
  private readonly slot: Slot;
  private readonly lane: Lane;
  private readonly fx: LifecycleEffects;

  constructor(
    readonly pm_id: number,
    config: AppConfig,
    readonly index: number,
    private readonly hooks: InstanceHooks,
    restored?: InstanceSnapshot,
  ) {
    this.fx = hooks.effects;
    this.slot = new Slot(pm_id, withSharedEnv(config), index, this.fx, hooks.pidsDir, {
      changed: (event, reason) => hooks.changed(this, event, reason),
      reply: (data) => hooks.reply(this, data),
      deadline: () => {
        const op = this.lane.run('automatic restart', 'queue', (signal) => timerOp(this.slot, signal));
        // this.slot.cfg, not the `config` argument: a closure over `config` would keep the
        // first config (and its environment) alive for as long as the instance lives.
        op.catch((e: unknown) => this.fx.log(`[${this.slot.cfg.name}:${pm_id}] ${(e as Error).message}`));
      },
    });
    this.lane = new Lane(() => this.slot.label);
    if (restored) {
      const s = this.slot;
      s.restarts = restored.restart_time;
      s.lastExitCode = restored.exit_code;
      s.history.push(...restored.history);
      s.counts = { ...restored.counters, pm_uptime: 0 };
      s.phase = restored.status === 'errored' ? 'errored' : 'stopped';
    }
  }

  // ---- what the rest of the daemon reads ----

  get config(): AppConfig {
    return this.slot.cfg;
  }
  get status(): Status {
    return statusOf(this.slot.phase);
  }
  /** The finer lifecycle phase (e.g. `reloading`, shown as `online`). */
  get lifecyclePhase(): Phase {
    return this.slot.phase;
  }
  get pid(): number {
    return this.slot.current?.pid ?? 0;
  }
  get pidStart(): number {
    return this.slot.current?.startTime ?? 0;
  }
  get restart_time(): number {
    return this.slot.restarts;
  }
  get exit_code(): number | null {
    return this.slot.lastExitCode;
  }
  get next_restart_at(): number | null {
    return this.slot.deadline;
  }
  get history(): readonly HistoryEntry[] {
    return this.slot.history;
  }
  get counters(): Readonly<RestartCounters> {
    return this.slot.counts;
  }
  get metrics(): Readonly<Record<string, Record<string, unknown>>> {
    return this.slot.telemetry.metrics;
  }
  get actions(): readonly AxmAction[] {
    return this.slot.telemetry.actions;
  }
  get axmOptions(): Readonly<Record<string, unknown>> {
    return this.slot.telemetry.options;
  }
  get pidPath(): string {
    return this.slot.pidPath;
  }

  /** The log file paths, worked out again only when the config object changes. */
  get logPaths(): Readonly<LogPaths> {
    const m = this.logPathsMemo;
    if (m && m.config === this.config) return m.paths;
    const paths = logPathsFor(this.config, this.pm_id, this.hooks.logsDir);
    this.logPathsMemo = { config: this.config, paths };
    return paths;
  }
  // `jlist` reads the paths of every instance on each call: rebuilding them was ~1.5 ms of a 50-app jlist.
  private logPathsMemo: { config: AppConfig; paths: LogPaths } | undefined;

  // ---- what the rest of the daemon may ask for ----

  /** A new config (e.g. `--update-env`, an ecosystem file); the running process keeps its own until restarted. */
  setConfig(cfg: AppConfig): void {
    this.slot.cfg = withSharedEnv(cfg);
  }

  /** Zeroes the crash counters (and `restart_time` too for `steward reset`). */
  resetCounters(opts: { restartTime?: boolean } = {}): void {
    this.slot.resetCounters();
    if (opts.restartTime) {
      this.slot.restarts = 0;
      this.slot.record('reset', 'counters reset');
    }
  }

  /** Adds a line to the history (a guard explains why it restarts the app). */
  note(event: Extract<HistoryKind, 'guard' | 'watch'>, reason: string): void {
    this.slot.record(event, reason);
  }

  // ---- operations (each through the lane) ----

  /**
   * Starts a stopped, errored or waiting instance. Resolves once its process is spawned (or could
   * not be); the operation itself goes on until the app is ready, holding the lane.
   */
  start(reason = 'start', opts: StartOptions = {}): Promise<void> {
    return this.untilSpawned('start', (signal, spawned) => startOp(this.slot, signal, reason, opts, spawned));
  }

  /** Stop then start (or just start when nothing runs). Resolves once the new process is spawned. */
  restart(reason = 'restart'): Promise<void> {
    return this.untilSpawned('restart', (signal, spawned) => restartOp(this.slot, signal, reason, spawned));
  }

  /** Zero-downtime when `zeroDowntime` and online (operations.ts: reloadOp), else a restart. */
  reload(reason: string, zeroDowntime: boolean): Promise<ReloadResult> {
    return this.lane.run('reload', 'queue', (signal) => reloadOp(this.slot, signal, reason, zeroDowntime));
  }

  /** Stops gracefully; interrupts whatever operation runs and ends every process of the instance. */
  stop(reason = 'stop', opts: { drain?: boolean } = {}): Promise<void> {
    return this.lane.run('stop', 'supersede', () => stopOp(this.slot, reason, opts.drain ?? false));
  }

  /**
   * Stops for good (delete, scale down, daemon shutdown): like stop, and every later operation is
   * refused ("cannot restart api (id 0): it is being deleted").
   */
  async retire(reason: string, how: { drain?: boolean; refusal: string; after: string }): Promise<void> {
    const done = this.lane.run(reason, 'supersede', () => stopOp(this.slot, reason, how.drain ?? false));
    this.lane.close(how.refusal);
    try {
      await done;
    } finally {
      this.lane.reason(how.after);
      this.slot.disarm();
    }
  }

  /** Resolves once every operation queued so far has ended. */
  idle(): Promise<void> {
    return this.lane.idle();
  }

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

  // ---- queries ----

  /** Resolves once the instance has left `launching` (ready, or exited), or after `timeoutMs`. */
  whenUp(timeoutMs: number): Promise<void> {
    const phase = this.slot.phase;
    if (phase !== 'starting' && phase !== 'launching') return Promise.resolve();
    return Promise.race([new Promise<void>((r) => this.slot.upWaiters.push(r)), this.fx.sleep(timeoutMs)]);
  }

  /** Was it put online without its readiness signal since it last started? */
  get putOnlineUnready(): boolean {
    const h = this.slot.history;
    for (let k = h.length - 1; k >= 0; k -= 1) {
      const e = h[k];
      if (e?.event === 'start' || e?.event === 'restart') return false;
      if (e?.event === 'online' && e.not_ready) return true;
    }
    return false;
  }

  /**
   * The start check (start-check.ts): resolves once the just-started process proved it is up
   * (true) or exited (false); the rest of `windowMs` is watched in the background.
   */
  settled(windowMs: number): Promise<boolean> {
    return checkStart(this.slot, windowMs);
  }

  /** A crash within the start window noticed after `start` had returned (until the next start). */
  get lateStartFailure(): Readonly<LateStartFailure> | undefined {
    return this.slot.lateStart;
  }

  /** The late start failure not yet told to a CLI command, marked told. */
  takeLateStartNotice(): LateStartFailure | undefined {
    if (!this.slot.lateStartUnreported) return undefined;
    this.slot.lateStartUnreported = false;
    return this.slot.lateStart;
  }

  /** The last output lines of the current process, or of the one that exited last. */
  recentLines(n: number): string[] {
    return (this.slot.current ?? this.slot.lastProc)?.recentLines(n) ?? [];
  }

  /** Sends a signal to the current process (`sendSignal`). */
  signal(sig: NodeJS.Signals): boolean {
    return this.slot.current?.signal(sig) ?? false;
  }

  /** Runs a declared action (PM2's `trigger`): the name alone, or `{ msg, opts }` with a parameter. */
  trigger(action: string, params: string | undefined): boolean {
    const p = this.slot.current;
    if (!p?.connected || !this.actions.some((a) => a.action_name === action)) return false;
    return p.send(params === undefined ? action : { msg: action, opts: params });
  }

  /** Writes a line to the app's stdin (PM2's `send`). */
  writeStdin(line: string): boolean {
    return this.slot.current?.writeStdin(line) ?? false;
  }

  snapshot(): InstanceSnapshot {
    return {
      pm_id: this.pm_id,
      index: this.index,
      config: this.config,
      status: this.status,
      pid: this.pid,
      pid_start: this.pidStart,
      restart_time: this.restart_time,
      exit_code: this.exit_code,
      counters: this.counters,
      history: this.slot.history,
    };
  }
}
