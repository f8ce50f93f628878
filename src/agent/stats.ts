/**
 * The arithmetic behind `steward/agent`'s meters and histograms, in bounded memory and with the
 * clock passed in (so that it is tested with plain numbers). No timers: windows advance when they
 * are read or written.
 */
import type { HistogramStats } from './api.js';

/** Buckets of a meter's window: its resolution is timeframe / 60 (1 s for the default 60 s). */
const RATE_BUCKETS = 60;

/** Events per second over a sliding window (a ring of 60 buckets). */
export class SlidingRate {
  private readonly counts = new Float64Array(RATE_BUCKETS);
  private readonly width: number;
  /** Absolute index (time / width) of the newest bucket. */
  private head: number;

  constructor(
    timeframeMs: number,
    private readonly start: number,
  ) {
    this.width = timeframeMs / RATE_BUCKETS;
    this.head = Math.floor(start / this.width);
  }

  mark(n: number, now: number): void {
    this.advance(now);
    this.counts[this.head % RATE_BUCKETS] = (this.counts[this.head % RATE_BUCKETS] ?? 0) + n;
  }

  /** Events per second in the window; a young meter divides by its age (at least 1 s), not the timeframe. */
  rate(now: number): number {
    this.advance(now);
    let sum = 0;
    for (const c of this.counts) sum += c;
    const covered = Math.min(
      now - this.start,
      (RATE_BUCKETS - 1) * this.width + (now - this.head * this.width),
    );
    return sum / (Math.max(1000, covered) / 1000);
  }

  private advance(now: number): void {
    const b = Math.floor(now / this.width);
    if (b <= this.head) return;
    if (b - this.head >= RATE_BUCKETS) this.counts.fill(0);
    else for (let i = this.head + 1; i <= b; i += 1) this.counts[i % RATE_BUCKETS] = 0;
    this.head = b;
  }
}

/** How many latest values a histogram keeps for its percentiles (8 KiB). */
export const RESERVOIR_SIZE = 1024;

/**
 * The latest RESERVOIR_SIZE values (a ring), with cumulative count and sum. Percentiles are exact
 * over the ring (nearest rank), computed when read and cached until the next update.
 */
export class Reservoir {
  private values: Float64Array | undefined;
  private count = 0;
  private sum = 0;
  private cached: HistogramStats | undefined;

  constructor(private readonly size = RESERVOIR_SIZE) {}

  update(v: number): void {
    this.values ??= new Float64Array(this.size);
    this.values[this.count % this.size] = v;
    this.count += 1;
    this.sum += v;
    this.cached = undefined;
  }

  /** The summary, or undefined before the first value. */
  summary(): HistogramStats | undefined {
    if (this.count === 0 || !this.values) return undefined;
    if (this.cached) return this.cached;
    const sorted = this.values.slice(0, Math.min(this.count, this.size)).sort();
    const n = sorted.length;
    const rank = (q: number) => sorted[Math.max(0, Math.ceil(q * n) - 1)] ?? 0;
    let windowSum = 0;
    for (const v of sorted) windowSum += v;
    this.cached = {
      count: this.count,
      sum: this.sum,
      min: sorted[0] ?? 0,
      max: sorted[n - 1] ?? 0,
      mean: windowSum / n,
      p50: rank(0.5),
      p95: rank(0.95),
      p99: rank(0.99),
    };
    return this.cached;
  }
}
