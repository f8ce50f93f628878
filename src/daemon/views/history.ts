import type { InstanceHistory, MetricSeriesName } from '../../protocol/methods.js';

/**
 * The last hour of each instance's numbers, so that a dashboard page opened now has charts at once.
 * Two rings of Float32 per series, indexed by time slot (no timestamp arrays: the slot is the time):
 *
 * - fine: one point a second for the last FINE_SLOTS seconds;
 * - coarse: the mean of each COARSE_MS bucket for the last hour.
 *
 * A slot not written (the app was stopped, the daemon was busy) is NaN: a gap in the chart.
 * CPU and memory always; the agent's series (event-loop lag, heap, HTTP rate and latency) are only
 * allocated once an instance reports them. Bytes per instance: BYTES_BASE (4,200), plus BYTES_AGENT
 * (7,680) with an agent: 200 apps hold 0.8 MB, or 2.3 MB when all have the agent (docs/dashboard.md).
 */
export const FINE_MS = 1000;
export const FINE_SLOTS = 120;
export const COARSE_MS = 10_000;
export const COARSE_SLOTS = 360;

const BASE: MetricSeriesName[] = ['cpu', 'memory'];
const AGENT: MetricSeriesName[] = ['loop_lag', 'heap', 'http_rate', 'http_latency'];
/** Agent metric names (src/agent/preload.cts) → series. */
const AGENT_KEYS: Record<string, MetricSeriesName> = {
  'Event Loop Latency': 'loop_lag',
  'Used Heap Size': 'heap',
  HTTP: 'http_rate',
  'HTTP Mean Latency': 'http_latency',
};

/** Per series: the fine ring and the coarse ring of bucket means, Float32. */
const SERIES_BYTES = (FINE_SLOTS + COARSE_SLOTS) * 4;
/** Per instance: how many samples each coarse bucket holds (shared by its series, sampled together). */
const COUNT_BYTES = COARSE_SLOTS;
export const BYTES_BASE = BASE.length * SERIES_BYTES + COUNT_BYTES;
export const BYTES_AGENT = AGENT.length * SERIES_BYTES;

class Series {
  readonly fine = new Float32Array(FINE_SLOTS).fill(NaN);
  /** The running mean of each bucket (NaN: no sample of this series in it). */
  readonly coarse = new Float32Array(COARSE_SLOTS).fill(NaN);
}

export type Sample = Partial<Record<MetricSeriesName, number>>;

export class InstanceRings {
  private readonly series = new Map<MetricSeriesName, Series>();
  private readonly counts = new Uint8Array(COARSE_SLOTS);
  /** The last fine and coarse slot numbers written (absolute: time / step). */
  private lastFine = -1;
  private lastCoarse = -1;

  constructor() {
    for (const s of BASE) this.series.set(s, new Series());
  }

  /**
   * Adds the sample taken at `at` (ms); a second sample in the same second replaces the first.
   * Every series is sampled at once: a series missing from a sample is a gap in its fine ring.
   */
  record(at: number, sample: Sample): void {
    const fineSlot = Math.floor(at / FINE_MS);
    const coarseSlot = Math.floor(at / COARSE_MS);
    if (fineSlot < this.lastFine) return; // the clock went back: drop rather than corrupt
    const sameSecond = fineSlot === this.lastFine;
    this.clearFine(fineSlot);
    this.clearCoarse(coarseSlot);
    this.lastFine = fineSlot;
    this.lastCoarse = coarseSlot;
    if (sample.loop_lag !== undefined || sample.heap !== undefined) {
      // The agent's series appear all at once, with its first report.
      for (const a of AGENT) if (!this.series.has(a)) this.series.set(a, new Series());
    }
    const fi = fineSlot % FINE_SLOTS;
    const ci = coarseSlot % COARSE_SLOTS;
    const n = this.counts[ci] ?? 0;
    // A replaced sample takes its predecessor's place in the mean.
    const count = sameSecond && n > 0 ? n : Math.min(n + 1, 255);
    for (const [name, s] of this.series) {
      const value = sample[name];
      const prev = s.fine[fi] ?? NaN;
      if (value === undefined || !Number.isFinite(value)) {
        if (!sameSecond) s.fine[fi] = NaN;
        continue;
      }
      const mean = s.coarse[ci] ?? NaN;
      if (Number.isNaN(mean)) s.coarse[ci] = value;
      else if (sameSecond && !Number.isNaN(prev)) s.coarse[ci] = mean + (value - prev) / count;
      else s.coarse[ci] = mean + (value - mean) / count;
      s.fine[fi] = value;
    }
    this.counts[ci] = count;
  }

  /** Empties the fine slots skipped since the last write (they are gaps, not old data). */
  private clearFine(slot: number): void {
    if (this.lastFine < 0) return;
    const gap = Math.min(slot - this.lastFine, FINE_SLOTS);
    for (let k = 1; k <= gap; k++) {
      const i = (this.lastFine + k) % FINE_SLOTS;
      for (const s of this.series.values()) s.fine[i] = NaN;
    }
  }

  private clearCoarse(slot: number): void {
    if (this.lastCoarse < 0) return;
    const gap = Math.min(slot - this.lastCoarse, COARSE_SLOTS);
    for (let k = 1; k <= gap; k++) {
      const i = (this.lastCoarse + k) % COARSE_SLOTS;
      this.counts[i] = 0;
      for (const s of this.series.values()) s.coarse[i] = NaN;
    }
  }

  get bytes(): number {
    return (this.series.size - BASE.length) * SERIES_BYTES + BYTES_BASE;
  }

  /** The rings in time order, oldest first, as of `now` (slots older than the rings hold are null). */
  read(now: number): Omit<InstanceHistory, 'pm_id' | 'name'> {
    const fineEnd = Math.floor(now / FINE_MS);
    const coarseEnd = Math.floor(now / COARSE_MS);
    const series: InstanceHistory['fine']['series'] = {};
    const coarse: InstanceHistory['coarse']['series'] = {};
    for (const [name, s] of this.series) {
      series[name] = unroll(FINE_SLOTS, fineEnd, this.lastFine, (i) => s.fine[i] ?? NaN);
      coarse[name] = unroll(COARSE_SLOTS, coarseEnd, this.lastCoarse, (i) => s.coarse[i] ?? NaN);
    }
    return {
      fine: { step_ms: FINE_MS, start: (fineEnd - FINE_SLOTS + 1) * FINE_MS, series },
      coarse: { step_ms: COARSE_MS, start: (coarseEnd - COARSE_SLOTS + 1) * COARSE_MS, series: coarse },
    };
  }
}

/** `slots` values ending at absolute slot `end`; slots after `last` (never written) are null. */
function unroll(slots: number, end: number, last: number, at: (i: number) => number): Array<number | null> {
  const out: Array<number | null> = new Array<number | null>(slots);
  for (let k = 0; k < slots; k++) {
    const abs = end - slots + 1 + k;
    const v = abs > last || abs <= last - slots ? NaN : at(((abs % slots) + slots) % slots);
    out[k] = Number.isNaN(v) ? null : Math.round(v * 100) / 100;
  }
  return out;
}

/** The agent's latest numbers as a sample (its metrics are `{ value, unit }` objects). */
export function agentSample(metrics: Readonly<Record<string, Record<string, unknown>>>): Sample {
  const out: Sample = {};
  for (const [key, series] of Object.entries(AGENT_KEYS)) {
    const v = metrics[key]?.value;
    if (typeof v === 'number') out[series] = v;
  }
  return out;
}

/** Every instance's rings, by pm_id. */
export class MetricsHistory {
  private readonly rings = new Map<number, InstanceRings>();

  record(pmId: number, at: number, sample: Sample): void {
    let r = this.rings.get(pmId);
    if (!r) {
      r = new InstanceRings();
      this.rings.set(pmId, r);
    }
    r.record(at, sample);
  }

  get(pmId: number): InstanceRings | undefined {
    return this.rings.get(pmId);
  }

  /** Drops the rings of instances no longer in the table. */
  keepOnly(ids: ReadonlySet<number>): void {
    for (const id of this.rings.keys()) if (!ids.has(id)) this.rings.delete(id);
  }

  get bytes(): number {
    let n = 0;
    for (const r of this.rings.values()) n += r.bytes;
    return n;
  }
}
