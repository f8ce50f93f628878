import type { Clock, NotifyEvent } from './types.js';

/**
 * Never a storm: per app and kind, the first event goes out at once and opens a window; the
 * events that follow within it are counted and go out as one summary when it closes (which opens
 * the next window). So N events of one kind within T ms make at most 1 + ceil(T / window)
 * messages. A timer exists only while a window has events waiting.
 */
export interface Group {
  first: NotifyEvent | undefined;
  last: NotifyEvent | undefined;
  pending: number;
  windowEnd: number;
  timer: unknown;
}

export type Emit = (ev: NotifyEvent, count: number, firstAt: number) => void;

export class Grouper {
  private readonly groups = new Map<string, Group>();

  constructor(
    private readonly clock: Clock,
    private readonly windowMs: () => number,
    private readonly emit: Emit,
  ) {}

  add(ev: NotifyEvent): void {
    // A recovering daemon restarts every app at once: one window for the host, not one per app.
    const key = `${ev.kind === 'daemon_recovered' ? '' : ev.app}\0${ev.kind}`;
    const now = this.clock.now();
    const g = this.groups.get(key);
    if (!g || now >= g.windowEnd) {
      if (g?.timer !== undefined) this.clock.clearTimer(g.timer);
      this.groups.set(key, {
        first: undefined,
        last: undefined,
        pending: 0,
        windowEnd: now + this.windowMs(),
        timer: undefined,
      });
      this.emit(ev, 1, ev.at);
      return;
    }
    g.pending += 1;
    g.first ??= ev;
    g.last = ev;
    g.timer ??= this.clock.setTimer(Math.max(0, g.windowEnd - now), () => this.close(key));
  }

  private close(key: string): void {
    const g = this.groups.get(key);
    if (!g) return;
    g.timer = undefined;
    if (g.pending === 0 || !g.last || !g.first) {
      this.groups.delete(key);
      return;
    }
    const { last, first, pending } = g;
    g.pending = 0;
    g.first = undefined;
    g.last = undefined;
    g.windowEnd = this.clock.now() + this.windowMs();
    this.emit(last, pending, first.at);
  }

  /** Sends every waiting summary now (daemon shutdown: they go to the persistent queue). */
  flushAll(): void {
    for (const [key, g] of [...this.groups]) {
      if (g.timer !== undefined) this.clock.clearTimer(g.timer);
      this.close(key);
    }
    this.groups.clear();
  }

  /** Open windows (for tests and notifyStatus). */
  get size(): number {
    return this.groups.size;
  }
}
