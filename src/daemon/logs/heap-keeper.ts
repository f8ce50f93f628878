import { getHeapStatistics, setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

/**
 * Keeps the daemon's V8 heap from creeping up while apps log flat out to a `logs` follower.
 *
 * Each chunk sent to a follower waits in its socket's queue (up to 256 KiB) for a moment; with the
 * daemon's 1 MB young generation that is long enough for the chunk's objects to be promoted to the
 * old generation, where they stay as garbage until V8 decides on a full collection. Measured with
 * `bench/cases/logs.js` (1 GB, follower attached), V8 let the old generation grow by ~3 MB before
 * collecting, which put the daemon's RSS past the ±10 % target. So while output flows, once a second
 * the heap is checked, and once it has grown `SLACK` past what the last collection left, it is
 * collected now (a full collection of this ~10 MB heap takes a few ms, at most once a second).
 */
const CHECK_MS = 1000;
const SLACK = 2 * 1024 * 1024;

export class HeapKeeper {
  private gc: (() => void) | undefined | null = null;
  private floor = getHeapStatistics().used_heap_size;
  private busy = false;
  private timer: NodeJS.Timeout | undefined;

  /**
   * gc() as the daemon's `--expose-gc` flag gives it (src/client/start-daemon.ts). Without the flag
   * (a daemon started some other way) the documented fallback: turn the flag on, then take gc()
   * from a new context. Only looked up once a follower gets output, since a second context costs
   * ~0.6 MB of private memory for as long as the daemon runs.
   */
  private collector(): (() => void) | undefined {
    if (this.gc !== null) return this.gc;
    const exposed = (globalThis as { gc?: unknown }).gc;
    if (typeof exposed === 'function') return (this.gc = exposed as () => void);
    try {
      setFlagsFromString('--expose-gc');
      this.gc = runInNewContext('gc') as () => void;
    } catch {
      this.gc = undefined;
    }
    return this.gc;
  }

  /** Called for output that went to followers; cheap (a flag). */
  traffic(): void {
    if (this.busy || !this.collector()) return;
    this.busy = true;
    this.timer ??= setInterval(() => this.check(), CHECK_MS).unref();
  }

  private check(): void {
    if (!this.busy) {
      clearInterval(this.timer);
      this.timer = undefined;
      return;
    }
    this.busy = false;
    const used = getHeapStatistics().used_heap_size;
    if (used > this.floor + SLACK) {
      this.gc?.();
      this.floor = getHeapStatistics().used_heap_size;
    } else if (used < this.floor) this.floor = used;
  }
}
