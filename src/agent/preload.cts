/**
 * Steward's in-app agent for Node apps, preloaded with `--require` (so it works for CommonJS and
 * ESM apps alike, and leaves `require.main`, `process.argv` and the cwd as plain `node` has them).
 * It talks to the daemon over the IPC channel and is deliberately tiny: no dependencies, a few
 * listeners, nothing on the hot path.
 *
 * - Tells the daemon when the app has loaded (first turn of the event loop) and when a server starts
 *   listening (readiness for start and reload).
 * - In cluster mode, turns `server.listen(port)` into a listen on a socket shared by every instance
 *   of the app: the daemon binds it once and hands the same socket to each instance, so an unmodified
 *   `http.createServer().listen(3000)` app is load-balanced by the kernel and reloads never rebind.
 * - On `steward:drain` it stops accepting, answers the requests still coming on open connections
 *   with `Connection: close`, and reports `steward:drained` once no connection is left, so that an
 *   app with no shutdown code at all loses no request on reload.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Server, Socket } from 'node:net';
import type { AgentHost } from './host.cjs';
import type * as Http from 'node:http';
import type * as PerfHooks from 'node:perf_hooks';
import type * as Diagnostics from 'node:diagnostics_channel';
import netMod = require('node:net');

// Loaded when first needed, not at preload: every module required at the top is paid by every
// start and restart of every Node app (http alone was ~1 ms of CPU before the app's first line;
// net is loaded by Node's IPC setup anyway). Metrics start after the app's first tick.
const httpMod = () => require('node:http') as typeof Http;
const perfHooksMod = () => require('node:perf_hooks') as typeof PerfHooks;
const diagnosticsMod = () => require('node:diagnostics_channel') as typeof Diagnostics;

type Msg = { type?: unknown; [k: string]: unknown };

const channel = () => (process as { channel?: { ref(): void; unref(): void } }).channel;

const send = (msg: Msg, handle?: unknown): void => {
  try {
    // A callback swallows ERR_IPC_CHANNEL_CLOSED when the daemon is gone.
    (process.send as (m: unknown, h: unknown, o: unknown, cb: (e: unknown) => void) => boolean)(
      msg,
      handle,
      {},
      () => undefined,
    );
  } catch {
    // no channel: nothing to tell
  }
};

/**
 * The object `steward/agent` (api.ts) registers its metrics into (host.cts); the key is the same
 * there. Created now, before the app, so that the API finds out that this agent reports them.
 */
function agentHost(): AgentHost | undefined {
  const g = globalThis as unknown as Record<symbol, AgentHost | undefined>;
  const key = Symbol.for('steward.agent');
  const h = (g[key] ??= { v: 1, metrics: new Map() });
  return h.v === 1 ? h : undefined;
}

if (typeof process.send === 'function' && process.env.STEWARD_AGENT !== '0') {
  const cluster = process.env.STEWARD_CLUSTER === '1';
  const every = Number(process.env.STEWARD_METRICS_INTERVAL ?? 2000);
  const host = every > 0 ? agentHost() : undefined;
  if (host) host.reporter = 'preload';
  const servers = new Set<Server>();
  const sockets = new Map<Server, Set<Socket>>();
  let nextReq = 0;
  const pending = new Map<number, (handle: unknown, error?: string) => void>();
  let draining = false;

  whenMainRan(() => {
    send({ type: 'steward:loaded' });
    if (every > 0) startMetrics(every, host);
  });

  // eslint-disable-next-line @typescript-eslint/unbound-method -- always called with .call/.apply on a server
  const origListen = netMod.Server.prototype.listen;
  const track = (server: Server) => {
    if (servers.has(server)) return;
    servers.add(server);
    const set = new Set<Socket>();
    sockets.set(server, set);
    server.on('connection', (s) => {
      set.add(s);
      s.once('close', () => {
        set.delete(s);
        if (draining) maybeDrained();
      });
    });
    server.once('listening', () => {
      const a = server.address();
      send({
        type: 'steward:listening',
        address: typeof a === 'string' ? a : a ? { port: a.port, address: a.address } : null,
      });
    });
  };

  /** Once draining, every response asks its client to close: keep-alive clients move to another instance. */
  const closeOnDrain = (_req: IncomingMessage, res: ServerResponse) => {
    if (!res.headersSent) res.setHeader('Connection', 'close');
  };

  netMod.Server.prototype.listen = function (this: Server, ...args: unknown[]): Server {
    track(this);
    const first = args[0];
    let port: number | undefined;
    let host: string | undefined;
    if (typeof first === 'number' || (typeof first === 'string' && /^\d+$/.test(first))) {
      port = Number(first);
      if (typeof args[1] === 'string') host = args[1];
    } else if (
      first &&
      typeof first === 'object' &&
      !('fd' in first) &&
      !('_handle' in first) &&
      'port' in first
    ) {
      const o = first as { port?: unknown; host?: unknown; path?: unknown };
      if (o.path === undefined && (typeof o.port === 'number' || typeof o.port === 'string')) {
        port = Number(o.port);
        if (typeof o.host === 'string') host = o.host;
      }
    }
    if (!cluster || port === undefined || !Number.isInteger(port) || port === 0) {
      return origListen.apply(this, args as Parameters<typeof origListen>);
    }
    const cb = args.find((a) => typeof a === 'function') as (() => void) | undefined;
    const id = (nextReq += 1);
    // Until the socket arrives nothing else may keep the app alive: hold the channel open meanwhile.
    channel()?.ref();
    pending.set(id, (handle, error) => {
      if (pending.size === 0) channel()?.unref();
      if (error || !handle) {
        const err = Object.assign(
          new Error(`listen: Steward could not share port ${port}: ${error ?? 'no socket'}`),
          {
            code: 'EADDRINUSE',
          },
        );
        this.emit('error', err);
        return;
      }
      origListen.call(this, handle as never, cb);
    });
    send({ type: 'steward:socket', id, port, host: host ?? null });
    return this;
  } as typeof origListen;

  const maybeDrained = () => {
    for (const set of sockets.values()) if (set.size > 0) return;
    send({ type: 'steward:drained' });
  };

  process.on('message', (msg: unknown, handle: unknown) => {
    const m = msg as Msg;
    if (!m || typeof m !== 'object') return;
    if (m.type === 'steward:socket' && typeof m.id === 'number') {
      const done = pending.get(m.id);
      pending.delete(m.id);
      done?.(handle, typeof m.error === 'string' ? m.error : undefined);
    } else if (m.type === 'steward:drain') {
      draining = true;
      // Added only now: a 'request' listener on the hot path would cost every request.
      const { Server: HttpServer } = httpMod();
      for (const s of servers) if (s instanceof HttpServer) s.prependListener('request', closeOnDrain);
      // Stop accepting (net.Server's close: http.Server's would also cut idle keep-alive
      // connections, racing with a request the client may be sending on them).
      for (const s of servers) if (s.listening) netMod.Server.prototype.close.call(s);
      // Idle keep-alive connections get a short grace to carry one last request, then close.
      const idleMs = Number(m.idle_ms ?? 250);
      setTimeout(() => {
        for (const s of servers) if (s instanceof HttpServer) s.closeIdleConnections();
      }, idleMs).unref();
      maybeDrained();
    }
  });
  // The channel must not keep an app alive that would otherwise exit.
  channel()?.unref();
}

/** How often, and how long at most, `whenMainRan` waits for module reads to finish. */
const LOAD_POLL_MS = 1;
const LOAD_POLL_CAP_MS = 2000;
/** File requests in flight (a read, or the close after it): the loader may not be done. */
const FILE_WORK = new Set(['FSReqPromise', 'FSReqCallback', 'CloseReq']);

/**
 * Calls `done` once the app's main module has run (what `steward start` waits for: an app that
 * crashes while loading fails the start). A CommonJS main has run by the first immediate. An ES
 * module main runs only after Node's loader has read it and its imports through fs/promises, which
 * can take several turns of the loop: while such a read is pending (`FSReqPromise`), it may not
 * have run yet. (An app's own file reads at start-up delay the report too, which only makes the
 * start check more careful; after LOAD_POLL_CAP_MS the report goes anyway.) Not covered: a loader
 * that reads in its hooks thread (tsx on Node < 22.18), where the main thread waits on a message
 * port; a crash of such an app while loading is reported late (docs/restart-policy.md).
 */
function whenMainRan(done: () => void): void {
  setImmediate(() => {
    const since = Date.now();
    const check = () => {
      const reading = process.getActiveResourcesInfo().some((r) => FILE_WORK.has(r));
      if (reading && Date.now() - since < LOAD_POLL_CAP_MS) setTimeout(check, LOAD_POLL_MS).unref();
      else done();
    };
    check();
  });
}

/** The event-loop monitor's timer wakes the app this often: rarely, to stay cheap when idle. */
const LAG_RESOLUTION_MS = 100;
/** At most this many HTTP latencies are kept per report. */
const LATENCY_SAMPLES = 10_000;
/** One request in this many (a power of two) may be timed for latency; all are counted. */
const TIME_EVERY = 16;
/**
 * HTTP rate and latency from Node's `http.server.request.start` diagnostics channel (no listener on
 * the servers). Every request costs one publish (Node allocates its message) and a counter. Latency:
 * one request in TIME_EVERY, and one at a time, gets a `finish` listener on its response (a
 * function made once; the response object's shape stays the same, only its `finish` entry becomes
 * a two-element list), timed from the publish to `finish`.
 *
 * Measured (callgrind, instructions per request, hello-world app, 20 000 requests after 10 000,
 * two runs each; session 6): no agent 49 109 – 50 123; the previous design, which also subscribed
 * to `http.server.response.finish` (a second publish and message per request) and timed one
 * request at a time, 50 065 – 50 102; this one 49 619 – 49 630. Tried before and not kept: marking
 * the response (a symbol property on each sampled ServerResponse gave those objects a second shape
 * and slowed Node's own HTTP code: µs of app CPU per request 27.5 against 25.5 without an agent);
 * subscribing for a window of each period (Node swaps the channel's prototype on every
 * (un)subscribe, which deoptimizes).
 */
class HttpSampler {
  private count = 0;
  private since = Date.now();
  /**
   * Latencies (ms) in a buffer allocated once: a plain array boxed every sample as a heap number
   * that lived until the next report, a steady trickle of objects promoted to the old generation
   * under load. (The GC observer below is another such source; V8's GCProfiler instead, tried in
   * session 4, cost 4.7 % more instructions per request and 16.8 M per report, so it was not kept.)
   */
  private readonly lat = new Float64Array(LATENCY_SAMPLES);
  private latN = 0;

  constructor() {
    const perf = perfHooksMod().performance;
    /** The response being timed (one at a time) and when its request started. */
    let timed: ServerResponse | undefined;
    let timedAt = 0;
    const onFinish = () => {
      timed = undefined;
      if (this.latN < LATENCY_SAMPLES) this.lat[this.latN++] = perf.now() - timedAt;
    };
    diagnosticsMod().subscribe('http.server.request.start', (msg) => {
      // The 1st, 17th, 33rd… of each period: a quiet app still gets its first request timed.
      if ((++this.count & (TIME_EVERY - 1)) !== 1) return;
      // A response destroyed before it finished (client gone) never emits `finish`: time another.
      if (timed !== undefined && !timed.destroyed) return;
      const res = (msg as { response?: ServerResponse }).response;
      if (!res) return;
      timed = res;
      timedAt = perf.now();
      res.on('finish', onFinish);
    });
  }

  /** The numbers since the last call: requests per minute and latencies (ms). */
  take(): { perMinute: number; p50: number; p95: number } {
    const now = Date.now();
    // A typed array sorts numerically, in place.
    const l = this.lat.subarray(0, this.latN).sort();
    const pick = (q: number) => (l.length ? (l[Math.min(l.length - 1, Math.floor(q * l.length))] ?? 0) : 0);
    const out = {
      perMinute: (this.count / Math.max(1, now - this.since)) * 60_000,
      p50: pick(0.5),
      p95: pick(0.95),
    };
    this.count = 0;
    this.since = now;
    this.latN = 0;
    return out;
  }
}

/**
 * Reports runtime metrics every STEWARD_METRICS_INTERVAL ms (default 2000) as PM2's `axm:monitor`
 * message, under the names PM2's agent uses: event-loop lag, heap, active handles and requests,
 * HTTP rate and latency, GC pauses; and, in the same message, the app's `steward/agent` metrics.
 * One message per period; the hot path costs one diagnostics publish and a counter per HTTP
 * request, and a listener and two clock reads per timed one.
 */
function startMetrics(every: number, host: AgentHost | undefined): void {
  const perf = perfHooksMod();
  const lag = perf.monitorEventLoopDelay({ resolution: LAG_RESOLUTION_MS });
  lag.enable();
  const http = new HttpSampler();
  let gcMs = 0;
  let gcCount = 0;
  try {
    const obs = new perf.PerformanceObserver((list) => {
      for (const e of list.getEntries()) {
        gcMs += e.duration;
        gcCount += 1;
      }
    });
    obs.observe({ entryTypes: ['gc'] });
  } catch {
    // no GC entries on this runtime
  }
  const timer = setInterval(() => {
    const mem = process.memoryUsage();
    const hs = http.take();
    const resources = process.getActiveResourcesInfo?.() ?? [];
    const m = (value: number, unit: string) => ({
      value: Math.round(value * 100) / 100,
      unit,
      type: 'steward',
      historic: true,
    });
    const data: Record<string, unknown> = {
      'Heap Size': m(mem.heapTotal / 1048576, 'MiB'),
      'Used Heap Size': m(mem.heapUsed / 1048576, 'MiB'),
      'Heap Usage': m((mem.heapUsed / mem.heapTotal) * 100, '%'),
      // The histogram holds the timer's whole interval: the lag is what exceeds the resolution.
      'Event Loop Latency': m(Math.max(0, lag.percentile(50) / 1e6 - LAG_RESOLUTION_MS), 'ms'),
      'Event Loop Latency p95': m(Math.max(0, lag.percentile(95) / 1e6 - LAG_RESOLUTION_MS), 'ms'),
      'Active handles': m(resources.filter((r) => r !== 'TTYWrap' && !r.endsWith('Request')).length, ''),
      'Active requests': m(resources.filter((r) => r.endsWith('Request')).length, ''),
      HTTP: m(hs.perMinute, 'req/min'),
      'HTTP Mean Latency': m(hs.p50, 'ms'),
      'HTTP P95 Latency': m(hs.p95, 'ms'),
      'GC Pause': m(gcMs, 'ms'),
      'GC Count': m(gcCount, ''),
    };
    for (const [name, custom] of host?.metrics ?? []) {
      if (name in data) continue;
      try {
        const e = custom.read();
        if (e) data[name] = e;
      } catch {
        // a sampler that throws is left out of this report
      }
    }
    send({ type: 'axm:monitor', data });
    lag.reset();
    gcMs = 0;
    gcCount = 0;
  }, every);
  timer.unref();
}
