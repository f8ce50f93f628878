import { Sampler } from '../../views/sampler.js';
import type { Instance } from '../../lifecycle/instance.js';

/**
 * CPU or memory above an app's threshold (`notify.cpu_above`, `notify.memory_above`) for
 * `above_for` ms: one event, then none until it has gone back under. Samples once a second with
 * its own /proc sampler, and only while some running app has a threshold (no timer otherwise).
 */
const TICK_MS = 1000;

export interface Breach {
  inst: Instance;
  kind: 'cpu_high' | 'memory_high';
  reason: string;
}

export class ThresholdWatch {
  private timer: NodeJS.Timeout | undefined;
  private readonly sampler = new Sampler(Date.now);
  /** Since when each instance (by pid) has been above, per kind; `fired` once reported. */
  private readonly above = new Map<string, { since: number; fired: boolean }>();

  constructor(
    private readonly instances: () => Instance[],
    private readonly onBreach: (b: Breach) => void,
  ) {}

  /** Starts or stops sampling to follow the table (called on every table change). */
  sync(active: boolean): void {
    const need =
      active &&
      this.instances().some(
        (i) =>
          i.status === 'online' &&
          i.config.notify?.enabled === true &&
          (i.config.notify.cpu_above !== null || i.config.notify.memory_above !== null),
      );
    if (need && !this.timer) {
      this.timer = setInterval(() => this.tick(), TICK_MS);
      this.timer.unref();
    } else if (!need && this.timer) {
      clearInterval(this.timer);
      this.timer = undefined;
      this.above.clear();
    }
  }

  private tick(): void {
    const watched = this.instances().filter(
      (i) => i.status === 'online' && i.pid > 0 && i.config.notify?.enabled,
    );
    this.sampler.run(watched.map((i) => i.pid));
    const now = Date.now();
    const seen = new Set<string>();
    for (const i of watched) {
      const n = i.config.notify;
      if (!n) continue;
      const u = this.sampler.get(i.pid);
      const mb = (b: number) => `${Math.round(b / 1024 / 1024)}MB`;
      if (n.cpu_above !== null)
        this.check(
          seen,
          i,
          'cpu_high',
          u.cpu > n.cpu_above,
          now,
          n.above_for,
          `CPU ${u.cpu}% above ${n.cpu_above}% for ${Math.round(n.above_for / 1000)}s`,
        );
      if (n.memory_above !== null)
        this.check(
          seen,
          i,
          'memory_high',
          u.memory > n.memory_above,
          now,
          n.above_for,
          `memory ${mb(u.memory)} above ${mb(n.memory_above)} for ${Math.round(n.above_for / 1000)}s`,
        );
    }
    for (const k of this.above.keys()) if (!seen.has(k)) this.above.delete(k);
  }

  private check(
    seen: Set<string>,
    inst: Instance,
    kind: Breach['kind'],
    over: boolean,
    now: number,
    forMs: number,
    reason: string,
  ): void {
    const key = `${inst.pid}:${kind}`;
    if (!over) return;
    seen.add(key);
    const st = this.above.get(key) ?? { since: now, fired: false };
    this.above.set(key, st);
    if (!st.fired && now - st.since >= forMs) {
      st.fired = true;
      this.onBreach({ inst, kind, reason });
    }
  }

  close(): void {
    this.sync(false);
  }
}
