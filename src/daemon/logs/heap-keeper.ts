import { getHeapStatistics, setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

/**
 * Keeps the daemon's V8 heap from creeping up after bursts of work: apps logging flat out to a
 * `logs` follower, and bursts of requests (a deploy script starting 200 apps, `jlist` polls).
 *
 * Each chunk sent to a follower waits in its socket's queue (up to 256 KiB) for a moment; with the
 * daemon's 1 MB young generation that is long enough for the chunk's objects to be promoted to the
 * old generation, where they stay as garbage until V8 decides on a full collection. Measured with
 * `bench/cases/logs.js` (1 GB, follower attached), V8 let the old generation grow by ~3 MB before
 * collecting, which put the daemon's RSS past the ±10 % target. Requests leave the same kind of
 * garbage: after 200 apps were started and listed, the heap held 16.6 MB of which 9.8 MB were
 * live, and V8 had not collected it 60 s later (issue 21). So while output flows or requests come
 * in (`traffic()`), once a second the heap is checked, and once it has grown `SLACK` past what the
 * last collection left, it is collected now (a full collection of this ~10 MB heap takes a few ms,
 * at most once a second).
 *
 * Two collections in a row: after one, the heap's committed size stayed at 16.4 MB for a minute;
 * after two (the second finds the first one's sweeping done and gives the empty pages back), 13.7 MB.
 */
const CHECK_MS = 1000;
const SLACK = 2 * 1024 * 1024;

/** What the keeper reads and calls; tests give their own. */
export interface HeapKeeperDeps {
  /** A full collection; default: gc() (see collector()). */
  gc?: () => void;
  /** Bytes of V8 heap in use. */
  usedHeap?: () => number;
}

export class HeapKeeper {
  private gc: (() => void) | undefined | null;
  private readonly usedHeap: () => number;
  private floor: number;
  private busy = false;
  private timer: NodeJS.Timeout | undefined;

  constructor(deps: HeapKeeperDeps = {}) {
    this.gc = deps.gc ?? null;
    this.usedHeap = deps.usedHeap ?? (() => getHeapStatistics().used_heap_size);
    this.floor = this.usedHeap();
  }

  /**
   * gc() as the daemon's `--expose-gc` flag gives it (src/client/start-daemon.ts). Without the flag
   * (a daemon started some other way) the documented fallback: turn the flag on, then take gc()
   * from a new context. Only looked up at the first traffic, since a second context costs ~0.6 MB
   * of private memory for as long as the daemon runs.
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

  /** Called for output that went to followers and for every request answered; cheap (a flag). */
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
    const used = this.usedHeap();
    if (used > this.floor + SLACK) {
      this.gc?.();
      this.gc?.();
      this.floor = this.usedHeap();
    } else if (used < this.floor) this.floor = used;
  }
}
