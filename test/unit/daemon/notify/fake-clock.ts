import type { Clock } from '../../../../src/daemon/notify/types.js';

/** A manual clock for the notifier (the style of lifecycle/fake-effects.ts): timers fire on advance(). */
export class FakeClock implements Clock {
  t = 1_000_000;
  private nextId = 0;
  private timers: Array<{ id: number; at: number; fire: () => void }> = [];

  now = (): number => this.t;

  setTimer = (ms: number, fire: () => void): unknown => {
    const id = this.nextId++;
    this.timers.push({ id, at: this.t + ms, fire });
    return id;
  };

  clearTimer = (h: unknown): void => {
    this.timers = this.timers.filter((x) => x.id !== h);
  };

  get pending(): number {
    return this.timers.length;
  }

  /** Moves the clock forward, firing due timers in order, with promise turns in between. */
  async advance(ms: number): Promise<void> {
    const end = this.t + ms;
    for (;;) {
      await turns();
      const due = this.timers.filter((x) => x.at <= end).sort((a, b) => a.at - b.at || a.id - b.id)[0];
      if (!due) break;
      this.timers = this.timers.filter((x) => x !== due);
      this.t = Math.max(this.t, due.at);
      due.fire();
    }
    this.t = end;
    await turns();
  }
}

export async function turns(n = 10): Promise<void> {
  for (let k = 0; k < n; k += 1) await new Promise<void>((r) => setImmediate(r));
}
