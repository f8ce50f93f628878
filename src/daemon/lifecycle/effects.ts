import type { AppConfig } from '../../config/app-config.js';

/**
 * Everything the lifecycle does to the outside world, behind one interface: the clock and timers,
 * launching and ending processes, pid files, the daemon log. The daemon passes the real one
 * (process/real-effects.ts); unit tests pass a fake with a manual clock and scripted processes
 * (test/unit/daemon/lifecycle/fake-effects.ts), so every interleaving can be driven step by step.
 */
export interface LifecycleEffects {
  now(): number;
  /** A one-shot timer; the instance keeps at most one (its deadline). */
  setTimer(ms: number, fire: () => void): TimerHandle;
  clearTimer(t: TimerHandle): void;
  /** Resolves after `ms` (never keeps the daemon alive on its own). */
  sleep(ms: number): Promise<void>;
  /** Starts one process of an instance; resolves with it, or with the reason it could not run. */
  launch(req: LaunchRequest): Promise<ProcessHandle | string>;
  /**
   * Ends a process and everything it started (signal, kill_timeout, SIGKILL of the tree). Calling it
   * again for the same process returns the same promise.
   */
  terminate(proc: ProcessHandle, cfg: AppConfig, drain: boolean): Promise<void>;
  writePidFile(path: string, pid: number): void;
  removePidFile(path: string): void;
  log(msg: string): void;
}

export interface TimerHandle {
  readonly id: unknown;
}

export interface LaunchRequest {
  config: AppConfig;
  pm_id: number;
  index: number;
  /** Messages from the process (IPC), routed back to its instance. */
  onMessage: (proc: ProcessHandle, msg: unknown) => void;
}

export interface ExitInfo {
  code: number | null;
  signal: NodeJS.Signals | null;
}

/** What the lifecycle knows of one OS process. During a reload an instance briefly has two. */
export interface ProcessHandle {
  readonly pid: number;
  /** Start time in clock ticks since boot (/proc), with the pid the process's identity. */
  readonly startTime: number;
  readonly spawnedAt: number;
  readonly exited: Promise<ExitInfo>;
  /** Exited and every output pipe closed: all its output has reached the log files. */
  readonly closed: Promise<void>;
  readonly readiness: ReadinessView;
  /** The app's agent reported that it listens on a socket. */
  readonly listening: boolean;
  /** The process has an IPC channel to the daemon (a Node app). */
  readonly connected: boolean;
  readonly alive: boolean;
  /** Steward itself is ending this process: its exit is not a crash. */
  stopRequested: boolean;
  /** `axm:*` messages sent before this process became its instance's (during a reload). */
  takeEarlyMessages(): unknown[];
  keepEarlyMessage(msg: unknown): void;
  recentLines(n: number): string[];
  send(msg: unknown): boolean;
  signal(sig: NodeJS.Signals): boolean;
  writeStdin(line: string): boolean;
}

/** How a process tells it is ready (wait_ready, readiness fd, log pattern, probe) or has loaded. */
export interface ReadinessView {
  /** The app declared a readiness signal: it is `launching` until it gives it. */
  readonly required: boolean;
  describe(): string;
  whenReady(): Promise<void>;
  /** The agent saw the app's main module run. */
  whenLoaded(): Promise<void>;
  whenListening(): Promise<void>;
}
