import type * as Https from 'node:https';
import type * as Http from 'node:http';
import { connect } from 'node:net';
import type { AppConfig } from '../../config/app-config.js';
import { lazyBuiltin } from '../../common/lazy-builtin.js';
import type { ReadinessView } from './effects.js';

// Only apps with an HTTP readiness probe need these (see lazy-builtin.ts).
const http = lazyBuiltin<typeof Http>('node:http');
const https = lazyBuiltin<typeof Https>('node:https');

/** Ways an app can say it is ready (issue: readiness for any language). */
export type ReadySource = 'message' | 'fd' | 'pattern' | 'probe';

const PROBE_EVERY_MS = 100;
const PROBE_TIMEOUT_MS = 1000;

/**
 * Readiness of one process: PM2's `process.send('ready')` (`wait_ready`), a newline on the
 * readiness fd (s6 style, `STEWARD_READY_FD`), a log line matching `ready_pattern`, or a TCP/HTTP
 * `ready_probe`. Also what the agent reports: loaded (main module ran) and listening.
 */
export class Readiness implements ReadinessView {
  readonly required: boolean;
  private ready = false;
  private loaded = false;
  private listening = false;
  private readonly waiters: Array<() => void> = [];
  private readonly loadWaiters: Array<() => void> = [];
  private readonly listenWaiters: Array<() => void> = [];
  private readonly pattern: RegExp | undefined;
  private partial = '';
  private probeTimer: NodeJS.Timeout | undefined;
  private stopped = false;

  constructor(
    private readonly sources: ReadySource[],
    private readonly cfg: AppConfig,
  ) {
    this.required = sources.length > 0;
    this.pattern = cfg.ready_pattern ? new RegExp(cfg.ready_pattern) : undefined;
  }

  describe(): string {
    const names: Record<ReadySource, string> = {
      message: "process.send('ready')",
      fd: 'a newline on STEWARD_READY_FD',
      pattern: `a log line matching /${this.cfg.ready_pattern ?? ''}/`,
      probe: `a successful probe of ${this.cfg.ready_probe ?? ''}`,
    };
    return this.sources
      .filter((s) => s !== 'fd' || !this.sources.includes('message'))
      .map((s) => names[s])
      .join(' or ');
  }

  signal(src: ReadySource): void {
    if (this.ready || !this.sources.includes(src)) return;
    this.ready = true;
    this.stop();
    for (const w of this.waiters.splice(0)) w();
  }

  noteLoaded(): void {
    this.loaded = true;
    for (const w of this.loadWaiters.splice(0)) w();
  }

  noteListening(): void {
    this.listening = true;
    for (const w of this.listenWaiters.splice(0)) w();
  }

  whenLoaded(): Promise<void> {
    return this.loaded ? Promise.resolve() : new Promise((r) => this.loadWaiters.push(r));
  }

  whenListening(): Promise<void> {
    return this.listening ? Promise.resolve() : new Promise((r) => this.listenWaiters.push(r));
  }

  whenReady(): Promise<void> {
    return this.ready ? Promise.resolve() : new Promise((r) => this.waiters.push(r));
  }

  onOutput(chunk: Buffer): void {
    if (!this.pattern || this.ready) return;
    const text = this.partial + chunk.toString('utf8');
    const lines = text.split('\n');
    this.partial = (lines.pop() ?? '').slice(-4096);
    if (lines.some((l) => this.pattern?.test(l))) this.signal('pattern');
  }

  startProbe(): void {
    const target = this.cfg.ready_probe;
    if (!target || !this.sources.includes('probe')) return;
    const tick = () => {
      if (this.stopped || this.ready) return;
      void probe(target).then((ok) => {
        if (ok) this.signal('probe');
        else if (!this.stopped) this.probeTimer = setTimeout(tick, PROBE_EVERY_MS);
      });
    };
    tick();
  }

  stop(): void {
    this.stopped = true;
    if (this.probeTimer) clearTimeout(this.probeTimer);
  }
}

/** One probe: a TCP connect, or an HTTP GET answered with a status below 400. */
export function probe(target: string, timeoutMs = PROBE_TIMEOUT_MS): Promise<boolean> {
  return new Promise((resolve) => {
    const done = (ok: boolean) => resolve(ok);
    if (target.startsWith('tcp://')) {
      const m = /^tcp:\/\/(\[[^\]]+\]|[^:/]+):(\d+)$/.exec(target);
      if (!m) return done(false);
      const s = connect({ host: (m[1] ?? '').replace(/^\[|\]$/g, ''), port: Number(m[2]) });
      s.setTimeout(timeoutMs, () => {
        s.destroy();
        done(false);
      });
      s.once('connect', () => {
        s.destroy();
        done(true);
      });
      s.once('error', () => done(false));
      return;
    }
    const req = (target.startsWith('https:') ? https().request : http().request)(
      target,
      { method: 'GET', timeout: timeoutMs },
      (res) => {
        res.resume();
        done((res.statusCode ?? 500) < 400);
      },
    );
    req.once('timeout', () => req.destroy());
    req.once('error', () => done(false));
    req.end();
  });
}
