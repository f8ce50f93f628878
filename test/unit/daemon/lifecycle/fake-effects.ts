import type { AppConfig } from '../../../../src/config/app-config.js';
import type {
  ExitInfo,
  LaunchRequest,
  LifecycleEffects,
  ProcessHandle,
  ReadinessView,
  TimerHandle,
} from '../../../../src/daemon/lifecycle/effects.js';
import type { InstanceHooks } from '../../../../src/daemon/lifecycle/instance.js';

/** Lets all pending promise callbacks run (several turns: chains of awaits). */
export async function flush(turns = 20): Promise<void> {
  for (let k = 0; k < turns; k += 1) await new Promise<void>((r) => setImmediate(r));
}

function deferred<T = void>(): { promise: Promise<T>; resolve: (v: T) => void } {
  let resolve: (v: T) => void = () => undefined;
  const promise = new Promise<T>((r) => {
    resolve = r;
  });
  return { promise, resolve };
}

export class FakeReadiness implements ReadinessView {
  private readonly readyD = deferred();
  private readonly loadedD = deferred();
  private readonly listenD = deferred();
  constructor(readonly required: boolean) {}
  describe(): string {
    return 'a fake signal';
  }
  whenReady(): Promise<void> {
    return this.readyD.promise;
  }
  whenLoaded(): Promise<void> {
    return this.loadedD.promise;
  }
  whenListening(): Promise<void> {
    return this.listenD.promise;
  }
  ready(): void {
    this.readyD.resolve();
    this.loadedD.resolve();
    this.listenD.resolve();
  }
}

/** A scripted process: it exits when the test says, or when terminated (unless it ignores signals). */
export class FakeProcess implements ProcessHandle {
  readonly startTime: number;
  readonly exited: Promise<ExitInfo>;
  readonly closed: Promise<void>;
  readonly readiness: FakeReadiness;
  listening = false;
  connected = true;
  alive = true;
  stopRequested = false;
  /** Ignores the stop signal: only SIGKILL (after kill_timeout) ends it. */
  stubborn = false;
  terminating: Promise<void> | undefined;
  readonly sent: unknown[] = [];
  private readonly exitD = deferred<ExitInfo>();
  private early: unknown[] = [];

  constructor(
    readonly pid: number,
    readonly spawnedAt: number,
    readyRequired: boolean,
  ) {
    this.startTime = pid * 10;
    this.readiness = new FakeReadiness(readyRequired);
    this.exited = this.exitD.promise;
    this.closed = this.exited.then(() => undefined);
  }

  /** The process ends (a crash when nobody asked it to). */
  exit(code: number | null, signal: NodeJS.Signals | null = null): void {
    if (!this.alive) return;
    this.alive = false;
    this.exitD.resolve({ code, signal });
  }

  takeEarlyMessages(): unknown[] {
    return this.early.splice(0);
  }
  keepEarlyMessage(msg: unknown): void {
    this.early.push(msg);
  }
  recentLines(): string[] {
    return [];
  }
  send(msg: unknown): boolean {
    this.sent.push(msg);
    return this.alive;
  }
  signal(): boolean {
    return this.alive;
  }
  writeStdin(): boolean {
    return this.alive;
  }
}

interface FakeTimer {
  id: number;
  at: number;
  fire: () => void;
}

/**
 * The lifecycle's effects with a manual clock and scripted processes. `launch` can be held
 * (`holdLaunches`) to stand in the window where a process is being spawned, made to fail, or to
 * give processes that need a readiness signal.
 */
export class FakeEffects implements LifecycleEffects {
  clock = 1_000_000;
  private timers: FakeTimer[] = [];
  private nextTimer = 1;
  private nextPid = 1000;
  /** Every process ever launched, in order. */
  readonly spawned: FakeProcess[] = [];
  readonly pidFiles = new Map<string, number>();
  readonly logs: string[] = [];
  /** The next launches fail with this reason. */
  failLaunches = 0;
  /** New processes need a readiness signal. */
  readyRequired = false;
  /** New processes ignore the stop signal. */
  stubborn = false;
  private held: Array<() => void> | undefined;

  now(): number {
    return this.clock;
  }

  setTimer(ms: number, fire: () => void): TimerHandle {
    const t = { id: this.nextTimer++, at: this.clock + ms, fire };
    this.timers.push(t);
    return { id: t.id };
  }

  clearTimer(h: TimerHandle): void {
    this.timers = this.timers.filter((t) => t.id !== h.id);
  }

  sleep(ms: number): Promise<void> {
    return new Promise((r) => this.setTimer(ms, r));
  }

  get pendingTimers(): number {
    return this.timers.length;
  }

  /** Moves the clock forward, firing due timers in order (with promise turns in between). */
  async advance(ms: number): Promise<void> {
    const end = this.clock + ms;
    for (;;) {
      await flush();
      const due = this.timers.filter((t) => t.at <= end).sort((a, b) => a.at - b.at || a.id - b.id)[0];
      if (!due) break;
      this.timers = this.timers.filter((t) => t !== due);
      this.clock = Math.max(this.clock, due.at);
      due.fire();
    }
    this.clock = end;
    await flush();
  }

  /** Launches wait until `releaseLaunches()`: the instance is `starting` with no process yet. */
  holdLaunches(): void {
    this.held ??= [];
  }

  releaseLaunches(): void {
    const waiting = this.held ?? [];
    this.held = undefined;
    for (const go of waiting) go();
  }

  async launch(req: LaunchRequest): Promise<ProcessHandle | string> {
    if (this.held) await new Promise<void>((r) => this.held?.push(r));
    await Promise.resolve();
    if (this.failLaunches > 0) {
      this.failLaunches -= 1;
      return `cannot run ${req.config.script}: fake failure`;
    }
    const p = new FakeProcess(this.nextPid++, this.clock, this.readyRequired);
    p.stubborn = this.stubborn;
    this.spawned.push(p);
    return p;
  }

  terminate(proc: ProcessHandle, cfg: AppConfig): Promise<void> {
    const p = proc as FakeProcess;
    p.stopRequested = true;
    p.terminating ??= (async () => {
      if (!p.alive) return;
      if (p.stubborn) {
        await Promise.race([p.exited, this.sleep(cfg.kill_timeout)]);
        p.exit(null, 'SIGKILL');
      } else {
        queueMicrotask(() => p.exit(0));
      }
      await p.exited;
    })();
    return p.terminating;
  }

  writePidFile(path: string, pid: number): void {
    this.pidFiles.set(path, pid);
  }

  removePidFile(path: string): void {
    this.pidFiles.delete(path);
  }

  log(msg: string): void {
    this.logs.push(msg);
  }

  /** Processes that have not exited. */
  live(): FakeProcess[] {
    return this.spawned.filter((p) => p.alive);
  }
}

/** Hooks for an Instance driven by fake effects. */
export function fakeHooks(fx: FakeEffects, changes: string[] = []): InstanceHooks {
  return {
    effects: fx,
    logsDir: '/h/logs',
    pidsDir: '/h/pids',
    changed: (_inst, event) => changes.push(event),
    reply: () => undefined,
  };
}
