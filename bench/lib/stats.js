// Small statistics and formatting helpers.

export function median(xs) {
  if (xs.length === 0) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 === 1 ? s[m] : (s[m - 1] + s[m]) / 2;
}

/** Nearest-rank percentile, p in [0, 100]. */
export function percentile(xs, p) {
  if (xs.length === 0) return NaN;
  const s = [...xs].sort((a, b) => a - b);
  const rank = Math.min(s.length - 1, Math.max(0, Math.ceil((p / 100) * s.length) - 1));
  return s[rank];
}

/** median, min, max and count of a sample, for the detail section of the report. */
export function summarize(xs) {
  return {
    median: median(xs),
    min: Math.min(...xs),
    max: Math.max(...xs),
    p90: percentile(xs, 90),
    n: xs.length,
  };
}

export function fmtMs(v) {
  if (!Number.isFinite(v)) return 'n/a';
  if (v >= 10_000) return `${(v / 1000).toFixed(1)} s`;
  if (v >= 1000) return `${(v / 1000).toFixed(2)} s`;
  if (v >= 100) return `${v.toFixed(0)} ms`;
  return `${v.toFixed(1)} ms`;
}

export function fmtMb(v) {
  return Number.isFinite(v) ? `${v.toFixed(1)} MB` : 'n/a';
}

export function fmtRatio(v) {
  if (!Number.isFinite(v)) return 'n/a';
  return v >= 10 ? `${v.toFixed(1)}×` : `${v.toFixed(2)}×`;
}

/**
 * Percentile bootstrap confidence interval of `stat` (default: the median) over the sample `xs`:
 * `iters` resamples with replacement, the interval holding the middle `level` of their statistics.
 * The resampling uses a fixed-seed generator (mulberry32), so the same sample gives the same
 * interval in every run of the report.
 */
export function bootstrapCi(xs, { stat = median, iters = 4000, level = 0.9, seed = 1 } = {}) {
  if (xs.length < 2) return { lo: NaN, hi: NaN };
  let t = seed >>> 0;
  const rand = () => {
    t = (t + 0x6d2b79f5) >>> 0;
    let r = Math.imul(t ^ (t >>> 15), 1 | t);
    r = (r + Math.imul(r ^ (r >>> 7), 61 | r)) ^ r;
    return ((r ^ (r >>> 14)) >>> 0) / 4294967296;
  };
  const stats = [];
  const sample = new Array(xs.length);
  for (let i = 0; i < iters; i += 1) {
    for (let j = 0; j < xs.length; j += 1) sample[j] = xs[Math.floor(rand() * xs.length)];
    stats.push(stat(sample));
  }
  stats.sort((a, b) => a - b);
  const tail = (1 - level) / 2;
  return {
    lo: stats[Math.floor(tail * iters)],
    hi: stats[Math.min(iters - 1, Math.ceil((1 - tail) * iters) - 1)],
  };
}
