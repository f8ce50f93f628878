import { Cron } from 'croner';
import { LogFile, type LogFileHooks, type RotationPolicy } from './log-file.js';

/** Cron patterns for the named intervals. */
export const INTERVALS: Record<string, string> = { daily: '0 0 * * *', hourly: '0 * * * *' };

/**
 * Every log file the daemon has open, shared by path (instances with `merge_logs` write to one
 * file through one stream, so their lines never interleave mid-line), with time-based rotation.
 */
export class LogFiles {
  private readonly files = new Map<string, LogFile>();
  private readonly timers = new Map<string, Cron>();

  constructor(private readonly hooks: LogFileHooks) {}

  acquire(path: string, policy: RotationPolicy): void {
    const cur = this.files.get(path);
    if (cur) {
      cur.refs += 1;
      cur.policy = policy;
    } else {
      this.files.set(path, new LogFile(path, policy, this.hooks));
    }
    if (policy.interval) this.schedule(policy.interval);
  }

  release(path: string): void {
    const f = this.files.get(path);
    if (!f) return;
    f.refs -= 1;
    if (f.refs <= 0) {
      this.files.delete(path);
      void f.close();
    }
  }

  /** Writes; true when the file is behind (see LogFile.behind). */
  write(path: string, buf: Buffer, at: number): boolean {
    const f = this.files.get(path);
    if (!f) return false;
    f.write(buf, at);
    return f.behind;
  }

  get(path: string): LogFile | undefined {
    return this.files.get(path);
  }

  private schedule(interval: string): void {
    if (this.timers.has(interval)) return;
    const pattern = INTERVALS[interval] ?? interval;
    const job = new Cron(pattern, { unref: true }, () => {
      for (const f of this.files.values()) if (f.policy.interval === interval) f.rotate();
    });
    this.timers.set(interval, job);
  }

  reopenAll(): void {
    for (const f of this.files.values()) f.reopen();
  }

  truncate(paths: Iterable<string>): void {
    for (const p of paths) this.files.get(p)?.truncate();
  }

  async closeAll(): Promise<void> {
    for (const t of this.timers.values()) t.stop();
    this.timers.clear();
    const all = [...this.files.values()];
    this.files.clear();
    await Promise.all(all.map((f) => f.close()));
  }
}
