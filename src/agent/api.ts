/**
 * `steward/agent`: Steward's typed in-app API for Node apps — custom metrics, actions for
 * `steward trigger`, and readiness. It speaks the daemon's existing IPC messages (PM2's
 * `axm:monitor`, `axm:action`, `axm:reply`, and `'ready'`), so what an app reports shows in `jlist`,
 * `show`, `monit` and Prometheus like `@pm2/io`'s metrics do.
 *
 * Outside Steward (no IPC channel, or a parent that is not Steward) every function is a no-op that
 * never throws: handles still count, nothing is sent, no timer or listener is added. Importing it
 * costs a few small modules and no dependency.
 *
 * Packaging: the package is ESM ("type": "module"), and Node 20 before 20.19 cannot `require()` ESM,
 * so the build also bundles this module into `api.cjs` for the `require` condition of the `./agent`
 * export, and copies its declarations as `api.d.cts`: keep every public type in this file, so that
 * they import nothing. The two copies share their state through one object on `globalThis`
 * (host.cts), which is also how the preloaded agent reports these metrics in its own message.
 *
 * @example
 * ```ts
 * import { counter, histogram, action, ready } from 'steward/agent';
 *
 * const jobs = counter('jobs done');
 * const latency = histogram('job latency', { unit: 'ms' });
 * action('flush cache', async () => ({ flushed: await cache.flush() }));
 * server.listen(3000, () => ready());
 * ```
 */
import { declareAction } from './actions.js';
import { host, signalReady, startReporter } from './channel.js';
import type { HostMetric } from './host.cjs';
import { Reservoir, SlidingRate } from './stats.js';

/** What kind of metric a handle is; Prometheus shows counters as `counter`, histograms as `summary`. */
export type MetricKind = 'gauge' | 'counter' | 'meter' | 'histogram';

export interface MetricOptions {
  /** Shown after the value (`show`, `monit`) and as the `unit` label in Prometheus: `'ms'`, `'req/s'`. */
  unit?: string | undefined;
}

/** What every metric handle has. */
export interface Metric {
  readonly name: string;
  readonly kind: MetricKind;
  /** The value that is reported now (NaN for a gauge that was never set). */
  readonly value: number;
}

/** A value that goes up and down, set by the app. */
export interface Gauge extends Metric {
  set(value: number): void;
}

/** A count. Prometheus shows it as a counter: prefer a gauge for something that also goes down. */
export interface Counter extends Metric {
  /** Adds `n` (default 1). */
  inc(n?: number): void;
  /** Subtracts `n` (default 1). */
  dec(n?: number): void;
  /** Back to 0. */
  reset(): void;
}

export interface MeterOptions extends MetricOptions {
  /** The sliding window in seconds (default 60, as `@pm2/io`). */
  timeframe?: number | undefined;
}

/** A rate: events per second over a sliding window. */
export interface Meter extends Metric {
  /** Records `n` events (default 1). */
  mark(n?: number): void;
}

/** Which statistic is a histogram's `value` (what `show` and `monit` print). */
export type HistogramMeasurement =
  'mean' | 'median' | 'p50' | 'p95' | 'p99' | 'min' | 'max' | 'count' | 'sum';

export interface HistogramOptions extends MetricOptions {
  /** Default `'mean'`, as `@pm2/io`. Every statistic is reported anyway. */
  measurement?: HistogramMeasurement | undefined;
}

/** `count` and `sum` since the histogram was created; the others over its latest 1024 values. */
export interface HistogramStats {
  count: number;
  sum: number;
  min: number;
  max: number;
  mean: number;
  p50: number;
  p95: number;
  p99: number;
}

/** The distribution of values (latencies, sizes), in bounded memory. */
export interface Histogram extends Metric {
  update(value: number): void;
  /** The statistics now, or undefined before the first value. */
  stats(): HistogramStats | undefined;
}

/**
 * Runs on `steward trigger <app> <action> [param]`; what it returns (or resolves to) is the reply
 * the command prints, as JSON. A throw or a rejection is replied as an error.
 */
export type ActionHandler = (param?: string) => unknown;

const now = (): number => performance.now();
const num = (v: unknown, dflt: number): number => {
  const n = v === undefined ? dflt : Number(v);
  return Number.isFinite(n) ? n : 0;
};
/** Computed values (rates, means) to 6 significant digits: no float noise in `jlist`. */
const round = (v: number): number => (Number.isFinite(v) ? Number(v.toPrecision(6)) : v);

function entry(kind: MetricKind, value: number, unit: string | undefined, extra: object = {}) {
  return { value, ...(unit ? { unit } : {}), kind, historic: true, ...extra };
}

function checkName(name: unknown, what: string): asserts name is string {
  if (typeof name !== 'string' || name === '') throw new TypeError(`steward/agent: ${what} needs a name`);
}

/**
 * Registers a metric, or gives back the handle already registered under this name when it is the
 * same kind (`fits`): two modules asking for `counter('requests')` share one counter.
 */
function register<H extends Metric>(
  name: string,
  kind: MetricKind,
  fits: ((h: unknown) => boolean) | undefined,
  make: () => { handle: H; read: HostMetric['read'] },
): H {
  checkName(name, `a ${kind}`);
  const h = host();
  const existing = h.metrics.get(name);
  if (existing && existing.kind === kind && fits?.(existing.handle)) return existing.handle as H;
  if (existing && existing.kind !== kind) {
    process.emitWarning(`steward/agent: metric "${name}" was a ${existing.kind}, it is now a ${kind}`, {
      code: 'STEWARD_AGENT_METRIC',
    });
  }
  const { handle, read } = make();
  h.metrics.delete(name);
  h.metrics.set(name, { kind, handle, read });
  startReporter(h);
  return handle;
}

const hasMethod = (name: string) => (h: unknown) =>
  typeof h === 'object' && h !== null && typeof (h as Record<string, unknown>)[name] === 'function';

/**
 * A gauge: a value the app sets, or a function Steward samples at each report (every
 * `STEWARD_METRICS_INTERVAL` ms, default 2000). A sampler that throws or returns a non-number is
 * left out of that report.
 *
 * @example
 * ```ts
 * const users = metric('realtime users', { unit: 'users' });
 * users.set(42);
 * metric('queue length', () => queue.length);
 * ```
 */
export function metric(name: string, opts?: MetricOptions): Gauge;
export function metric(name: string, sample: () => number, opts?: MetricOptions): Metric;
export function metric(
  name: string,
  sampleOrOpts?: (() => number) | MetricOptions,
  opts?: MetricOptions,
): Gauge | Metric {
  if (typeof sampleOrOpts === 'function') {
    const sample = sampleOrOpts;
    const unit = opts?.unit;
    // A sampler always replaces the previous one of that name.
    return register(name, 'gauge', undefined, () => ({
      handle: {
        name,
        kind: 'gauge',
        get value() {
          return Number(sample());
        },
      },
      read: () => {
        const v = Number(sample());
        return Number.isFinite(v) ? entry('gauge', v, unit) : undefined;
      },
    }));
  }
  const unit = sampleOrOpts?.unit;
  return register<Gauge>(name, 'gauge', hasMethod('set'), () => {
    let current = NaN;
    return {
      handle: {
        name,
        kind: 'gauge',
        get value() {
          return current;
        },
        set(v: number) {
          current = Number(v);
        },
      },
      read: () => (Number.isFinite(current) ? entry('gauge', current, unit) : undefined),
    };
  });
}

/**
 * A counter, reported from 0. In Prometheus it is a `counter` (`steward_app_counter_total`):
 * `dec()` makes it go down, which Prometheus reads as a reset.
 *
 * @example
 * ```ts
 * const jobs = counter('jobs done');
 * jobs.inc();
 * jobs.inc(5);
 * ```
 */
export function counter(name: string, opts?: MetricOptions): Counter {
  const unit = opts?.unit;
  return register<Counter>(name, 'counter', hasMethod('inc'), () => {
    let n = 0;
    return {
      handle: {
        name,
        kind: 'counter',
        get value() {
          return n;
        },
        inc(by?: number) {
          n += num(by, 1);
        },
        dec(by?: number) {
          n -= num(by, 1);
        },
        reset() {
          n = 0;
        },
      },
      read: () => entry('counter', n, unit),
    };
  });
}

/**
 * A meter: events per second over a sliding window (`timeframe`, default 60 s, in 60 buckets).
 * A meter younger than its window divides by its age (at least 1 s).
 *
 * @example
 * ```ts
 * const rps = meter('requests', { unit: 'req/s' });
 * server.on('request', () => rps.mark());
 * ```
 */
export function meter(name: string, opts?: MeterOptions): Meter {
  const unit = opts?.unit;
  const seconds = num(opts?.timeframe, 60);
  return register<Meter>(name, 'meter', hasMethod('mark'), () => {
    const rate = new SlidingRate((seconds > 0 ? seconds : 60) * 1000, now());
    const value = () => round(rate.rate(now()));
    return {
      handle: {
        name,
        kind: 'meter',
        get value() {
          return value();
        },
        mark(n?: number) {
          rate.mark(num(n, 1), now());
        },
      },
      read: () => entry('meter', value(), unit),
    };
  });
}

/**
 * A histogram: count and sum since it was created, min, max, mean and the 50th, 95th and 99th
 * percentiles of its latest 1024 values (8 KiB). Its `value` is `measurement` (default the mean);
 * `jlist` carries every statistic, `show` prints them and Prometheus gets a `summary`
 * (`steward_app_histogram`). Reported from its first value.
 *
 * @example
 * ```ts
 * const latency = histogram('db latency', { unit: 'ms' });
 * const t0 = performance.now();
 * await db.query(sql);
 * latency.update(performance.now() - t0);
 * ```
 */
export function histogram(name: string, opts?: HistogramOptions): Histogram {
  const unit = opts?.unit;
  const measurement = opts?.measurement ?? 'mean';
  const field = measurement === 'median' ? 'p50' : measurement;
  return register<Histogram>(name, 'histogram', hasMethod('update'), () => {
    const r = new Reservoir();
    const stats = (): HistogramStats | undefined => {
      const s = r.summary();
      return s && { ...s, mean: round(s.mean) };
    };
    return {
      handle: {
        name,
        kind: 'histogram',
        get value() {
          return stats()?.[field] ?? NaN;
        },
        update(v: number) {
          const x = Number(v);
          if (Number.isFinite(x)) r.update(x);
        },
        stats,
      },
      read: () => {
        const s = stats();
        return s && entry('histogram', s[field], unit, { measurement, ...s });
      },
    };
  });
}

/**
 * Declares an action, run with `steward trigger <app> <name> [param]`, which prints the reply:
 * the handler's return value (or what its promise resolves to) as JSON. A throw or a rejection is
 * printed as an error (and `trigger` exits 1 when no process succeeded). Declaring a name again
 * replaces its handler.
 *
 * @example
 * ```ts
 * action('cache size', () => cache.size);
 * action('evict', async (key) => ({ evicted: await cache.delete(key ?? '') }));
 * ```
 */
export function action(name: string, handler: ActionHandler): void {
  checkName(name, 'an action');
  if (typeof handler !== 'function') throw new TypeError(`steward/agent: action "${name}" needs a handler`);
  declareAction(name, handler);
}

/**
 * Tells Steward the app is ready: with `wait_ready` (`--wait-ready`), `start` and `reload` wait for
 * it, and the app is online from then on. PM2's `process.send('ready')` over IPC, or a newline on the
 * readiness fd (`STEWARD_READY_FD`) when there is no IPC channel (a Node script run with
 * `--interpreter none`). Once per process; a no-op outside Steward.
 *
 * @example
 * ```ts
 * server.listen(3000, () => ready());
 * ```
 */
export function ready(): void {
  signalReady();
}
