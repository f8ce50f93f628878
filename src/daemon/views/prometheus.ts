import type * as Http from 'node:http';
import type * as Crypto from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import type { Server } from 'node:http';
import { lazyBuiltin } from '../../common/lazy-builtin.js';
import type { Instance } from '../lifecycle/instance.js';
import type { Usage } from './sampler.js';

// Loaded once the endpoint is turned on (see lazy-builtin.ts).
const crypto = lazyBuiltin<typeof Crypto>('node:crypto');
const http = lazyBuiltin<typeof Http>('node:http');

/**
 * Prometheus text exposition of every process: Steward's own numbers (up, cpu, memory, restarts,
 * uptime) and what the app reports (Steward's agent, or @pm2/io custom metrics). Served only when
 * enabled (`steward set prometheus_port 9209`), on 127.0.0.1 unless told otherwise, and only to a
 * client that presents the token in STEWARD_HOME/prometheus.token (`Authorization: Bearer …`).
 */
const esc = (v: string) => v.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');

/** Agent metric name → Prometheus name and factor to base units. */
const KNOWN: Record<string, { name: string; help: string; factor: number }> = {
  'Used Heap Size': { name: 'steward_nodejs_heap_used_bytes', help: 'V8 heap used', factor: 1048576 },
  'Heap Size': { name: 'steward_nodejs_heap_total_bytes', help: 'V8 heap total', factor: 1048576 },
  'Event Loop Latency': {
    name: 'steward_nodejs_eventloop_lag_p50_seconds',
    help: 'event-loop delay, median',
    factor: 0.001,
  },
  'Event Loop Latency p95': {
    name: 'steward_nodejs_eventloop_lag_p95_seconds',
    help: 'event-loop delay, 95th percentile',
    factor: 0.001,
  },
  'Active handles': { name: 'steward_nodejs_active_handles', help: 'active libuv handles', factor: 1 },
  'Active requests': { name: 'steward_nodejs_active_requests', help: 'active libuv requests', factor: 1 },
  HTTP: { name: 'steward_http_requests_per_minute', help: 'HTTP requests served per minute', factor: 1 },
  'HTTP Mean Latency': {
    name: 'steward_http_latency_p50_seconds',
    help: 'HTTP response time, median',
    factor: 0.001,
  },
  'HTTP P95 Latency': {
    name: 'steward_http_latency_p95_seconds',
    help: 'HTTP response time, 95th percentile',
    factor: 0.001,
  },
  'GC Pause': {
    name: 'steward_nodejs_gc_pause_seconds',
    help: 'time spent in GC during the last period',
    factor: 0.001,
  },
};

/** steward/agent histograms: a summary, quantiles over the latest values, `_sum` and `_count` since the start. */
const SUMMARY = 'steward_app_histogram';
const SUMMARY_HELP = 'a histogram the app reports (steward/agent)';
const QUANTILES = [
  ['0.5', 'p50'],
  ['0.95', 'p95'],
  ['0.99', 'p99'],
] as const;

export function renderMetrics(insts: Instance[], usage: (i: Instance) => Usage, now: number): string {
  const families = new Map<string, { help: string; type: string; lines: string[] }>();
  const add = (name: string, help: string, type: string, labels: string, value: number, sample = name) => {
    let f = families.get(name);
    if (!f) {
      f = { help, type, lines: [] };
      families.set(name, f);
    }
    f.lines.push(`${sample}{${labels}} ${Number.isFinite(value) ? value : 0}`);
  };
  for (const i of insts) {
    const base = `app="${esc(i.config.name)}",id="${i.pm_id}",namespace="${esc(i.config.namespace)}"`;
    const online = i.status === 'online';
    const u = online ? usage(i) : { cpu: 0, memory: 0 };
    add('steward_process_up', '1 when the process is online', 'gauge', base, online ? 1 : 0);
    add('steward_process_cpu_percent', 'CPU of the process tree, percent of one core', 'gauge', base, u.cpu);
    add('steward_process_memory_bytes', 'resident memory of the process tree', 'gauge', base, u.memory);
    add(
      'steward_process_restarts_total',
      'restarts counted by Steward (restart_time)',
      'counter',
      base,
      i.restart_time,
    );
    add(
      'steward_process_unstable_restarts',
      'unstable restarts in the current run',
      'gauge',
      base,
      i.counters.unstable_restarts,
    );
    add(
      'steward_process_uptime_seconds',
      'seconds since the process started',
      'gauge',
      base,
      online ? Math.max(0, (now - i.counters.pm_uptime) / 1000) : 0,
    );
    for (const [k, m] of Object.entries(i.metrics)) {
      const unit = typeof m.unit === 'string' ? m.unit : '';
      const labels = `${base},metric="${esc(k)}",unit="${esc(unit)}"`;
      // steward/agent says what kind a metric is; @pm2/io's metrics (no `kind`) stay gauges.
      if (m.kind === 'histogram' && typeof m.count === 'number' && typeof m.sum === 'number') {
        for (const [q, field] of QUANTILES)
          add(SUMMARY, SUMMARY_HELP, 'summary', `${labels},quantile="${q}"`, Number(m[field]));
        add(SUMMARY, SUMMARY_HELP, 'summary', labels, m.sum, `${SUMMARY}_sum`);
        add(SUMMARY, SUMMARY_HELP, 'summary', labels, m.count, `${SUMMARY}_count`);
        continue;
      }
      const value = typeof m.value === 'number' ? m.value : Number(m.value);
      if (!Number.isFinite(value)) continue;
      const known = KNOWN[k];
      if (known && m.type === 'steward') add(known.name, known.help, 'gauge', base, value * known.factor);
      else if (m.kind === 'counter')
        add(
          'steward_app_counter_total',
          'a counter the app reports (steward/agent)',
          'counter',
          labels,
          value,
        );
      else
        add(
          'steward_app_metric',
          'a metric the app reports (@pm2/io or steward/agent)',
          'gauge',
          labels,
          value,
        );
    }
  }
  const out: string[] = [];
  for (const [name, f] of families)
    out.push(`# HELP ${name} ${f.help}`, `# TYPE ${name} ${f.type}`, ...f.lines);
  return out.join('\n') + '\n';
}

/** The scrape token: created on first use, 0600. */
export function metricsToken(path: string): string {
  try {
    const t = readFileSync(path, 'utf8').trim();
    if (t.length >= 16) return t;
  } catch {
    // created below
  }
  const t = crypto().randomBytes(24).toString('hex');
  writeFileSync(path, `${t}\n`, { mode: 0o600 });
  return t;
}

export class MetricsServer {
  private server: Server | undefined;
  private bound = '';

  constructor(
    private readonly render: () => string,
    private readonly token: () => string,
    private readonly log: (msg: string) => void,
  ) {}

  /** Starts, moves or stops the endpoint to match the settings (port 0 = off). */
  async apply(host: string, port: number): Promise<void> {
    const want = port > 0 ? `${host}:${port}` : '';
    if (want === this.bound) return;
    await this.close();
    if (!want) return;
    const token = Buffer.from(this.token());
    const server = http().createServer((req, res) => {
      const auth = req.headers.authorization ?? '';
      const given = Buffer.from(auth.startsWith('Bearer ') ? auth.slice(7).trim() : '');
      if (given.length !== token.length || !crypto().timingSafeEqual(given, token)) {
        res.writeHead(401, { 'WWW-Authenticate': 'Bearer', 'Content-Type': 'text/plain' });
        res.end('token required: Authorization: Bearer <STEWARD_HOME/prometheus.token>\n');
        return;
      }
      if (req.url !== '/metrics') {
        res.writeHead(404, { 'Content-Type': 'text/plain' });
        res.end('see /metrics\n');
        return;
      }
      res.writeHead(200, { 'Content-Type': 'text/plain; version=0.0.4; charset=utf-8' });
      res.end(this.render());
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, host.replace(/^\[|\]$/g, ''), () => resolve());
    });
    this.server = server;
    this.bound = want;
    this.log(`metrics endpoint on http://${want}/metrics`);
  }

  close(): Promise<void> {
    const s = this.server;
    this.server = undefined;
    this.bound = '';
    if (!s) return Promise.resolve();
    return new Promise((r) => s.close(() => r()));
  }
}
