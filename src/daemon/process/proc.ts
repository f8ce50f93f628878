import type { ChildProcess } from 'node:child_process';
import type { Readable } from 'node:stream';
import type { ExitInfo, ProcessHandle } from '../lifecycle/effects.js';
import type { Readiness } from '../lifecycle/readiness.js';
import type { InstanceOutput } from '../logs/instance-output.js';
import { signalPid } from './kill.js';
import { readStat } from './procfs.js';

/** One OS process launched by the daemon: its child handle, output, readiness and IPC state. */
export class Proc implements ProcessHandle {
  readonly pid: number;
  readonly startTime: number;
  readonly exited: Promise<ExitInfo>;
  closed: Promise<void>;
  /** The app told the agent it has loaded (its main module ran). */
  loaded = false;
  listening = false;
  drained = false;
  stopRequested = false;
  /** Set by terminate(): the one ending of this process, shared by every caller. */
  terminating: Promise<void> | undefined;
  private early: unknown[] = [];
  private drainWaiters: Array<() => void> = [];
  /** The last few KiB of its output, for error reports (the log file may not be flushed yet). */
  private recent = '';

  constructor(
    readonly child: ChildProcess,
    readonly output: InstanceOutput,
    readonly spawnedAt: number,
    readonly readiness: Readiness,
  ) {
    this.pid = child.pid ?? 0;
    this.startTime = readStat(this.pid)?.startTime ?? 0;
    this.exited = new Promise((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
    this.closed = this.exited.then(() => undefined);
  }

  /** The process's stdout and stderr as the daemon reads them: `closed` waits for them too. */
  track(streams: Readable[]): void {
    // Exited, and every output pipe closed (a grandchild may hold them open after the exit).
    this.closed = Promise.all([
      this.exited,
      ...streams.map((st) => new Promise<void>((resolve) => st.once('close', () => resolve()))),
    ]).then(() => undefined);
  }

  get alive(): boolean {
    return this.child.exitCode === null && this.child.signalCode === null;
  }

  get connected(): boolean {
    return this.child.connected;
  }

  noteOutput(chunk: Buffer): void {
    this.recent = (this.recent + chunk.toString('utf8', Math.max(0, chunk.length - 4096))).slice(-4096);
  }

  recentLines(n: number): string[] {
    return this.recent
      .split('\n')
      .filter((l) => l !== '')
      .slice(-n);
  }

  takeEarlyMessages(): unknown[] {
    return this.early.splice(0);
  }

  keepEarlyMessage(msg: unknown): void {
    if (this.early.length < 100) this.early.push(msg);
  }

  markDrained(): void {
    this.drained = true;
    for (const w of this.drainWaiters.splice(0)) w();
  }

  whenDrained(): Promise<void> {
    return this.drained ? Promise.resolve() : new Promise((r) => this.drainWaiters.push(r));
  }

  send(msg: unknown): boolean {
    if (!this.child.connected) return false;
    this.child.send(msg as never);
    return true;
  }

  signal(sig: NodeJS.Signals): boolean {
    return signalPid(this.pid, sig);
  }

  writeStdin(line: string): boolean {
    const stdin = this.child.stdin;
    if (!stdin || stdin.destroyed) return false;
    stdin.write(line.endsWith('\n') ? line : `${line}\n`);
    return true;
  }
}
