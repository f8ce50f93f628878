import { relative, sep } from 'node:path';
import type { FSWatcher } from 'chokidar';

/**
 * Watch-and-restart, in two parts: a pure policy (debounce and restart-loop detection, tested with
 * a fake clock) and a runner around chokidar (native fs events, no polling).
 */
export const DEFAULT_QUIET_MS = 200;
const LOOP_RESTARTS = 5;
const LOOP_WINDOW_MS = 60_000;
/** An event this soon after a restart finished was most likely written by the app itself. */
const LOOP_AFTER_START_MS = 5_000;

export type WatchDecision = { kind: 'restart'; paths: string[] } | { kind: 'loop'; paths: string[] };

export class WatchPolicy {
  private pending: string[] = [];
  private lastEventAt = 0;
  private firstEventAt = 0;
  private restartedAt: number;
  /** Restarts caused by events that came right after the previous start. */
  private quickRestarts: number[] = [];

  /** `startedAt`: when the app was started (its first writes count as "right after a start" too). */
  constructor(
    private readonly quietMs: number,
    startedAt = -Infinity,
  ) {
    this.restartedAt = startedAt;
  }

  /** Records a change; returns when the restart should happen if nothing else changes. */
  onEvent(path: string, now: number): number {
    if (this.pending.length === 0) this.firstEventAt = now;
    if (this.pending.length < 1000) this.pending.push(path);
    this.lastEventAt = now;
    return now + this.quietMs;
  }

  /** Called when the timer fires: a restart once the tree has been quiet for quietMs. */
  decide(now: number): WatchDecision | { kind: 'wait'; until: number } | null {
    if (this.pending.length === 0) return null;
    if (now < this.lastEventAt + this.quietMs)
      return { kind: 'wait', until: this.lastEventAt + this.quietMs };
    const paths = [...new Set(this.pending)];
    this.pending = [];
    if (this.firstEventAt - this.restartedAt < LOOP_AFTER_START_MS) {
      this.quickRestarts = [...this.quickRestarts.filter((t) => t > now - LOOP_WINDOW_MS), now];
      if (this.quickRestarts.length >= LOOP_RESTARTS) {
        this.quickRestarts = [];
        return { kind: 'loop', paths };
      }
    } else {
      this.quickRestarts = [];
    }
    return { kind: 'restart', paths };
  }

  /** When the changes noted so far should be acted upon, or null when there are none. */
  nextAt(): number | null {
    return this.pending.length > 0 ? this.lastEventAt + this.quietMs : null;
  }

  /** The restart it asked for is done (the app is starting again). */
  restarted(now: number): void {
    this.restartedAt = now;
  }
}

/** Built-in ignores, added to (never replaced by) `ignore_watch`: dotfiles, node_modules, logs. */
export function makeIgnore(
  root: string,
  ignoreWatch: string[],
  extraPaths: string[],
): (path: string) => boolean {
  const rules = ignoreWatch.map((pattern) => {
    if (/[*?]/.test(pattern)) {
      const re = new RegExp(
        '^' +
          pattern
            .replace(/[.+^${}()|[\]\\]/g, '\\$&')
            .replace(/\*\*\/?/g, '\u0001GLOBSTAR\u0001')
            .replace(/\*/g, '[^/]*')
            .replace(/\?/g, '[^/]')
            .split('\u0001GLOBSTAR\u0001')
            .join('.*') +
          '$',
      );
      return (rel: string) =>
        re.test(rel) || rel.split('/').some((_, i, parts) => re.test(parts.slice(i).join('/')));
    }
    if (!pattern.includes('/')) return (rel: string) => rel.split('/').includes(pattern);
    const prefix = pattern.replace(/^\.\//, '').replace(/\/$/, '');
    return (rel: string) => rel === prefix || rel.startsWith(`${prefix}/`);
  });
  return (path: string) => {
    if (extraPaths.some((p) => path === p || path.startsWith(`${p}.`) || path.startsWith(`${p}${sep}`)))
      return true;
    const rel = relative(root, path).split(sep).join('/');
    if (rel === '' || rel.startsWith('..')) return false;
    const parts = rel.split('/');
    if (parts.some((p) => p === 'node_modules' || (p.startsWith('.') && p !== '.' && p !== '..')))
      return true;
    return rules.some((r) => r(rel));
  };
}

export interface WatchOptions {
  paths: string[];
  root: string;
  ignoreWatch: string[];
  /** Files the app itself writes (its logs, pid file): never a reason to restart. */
  ownFiles: string[];
  quietMs: number;
  restart: (paths: string[]) => Promise<void>;
  loop: (paths: string[]) => void;
}

/** Watches an app's tree and restarts it after a burst of changes has settled. */
export class AppWatcher {
  private watcher: FSWatcher | undefined;
  private timer: NodeJS.Timeout | undefined;
  private readonly policy: WatchPolicy;
  private busy = false;
  private closed = false;

  constructor(private readonly opts: WatchOptions) {
    this.policy = new WatchPolicy(opts.quietMs, Date.now());
  }

  async start(): Promise<void> {
    const { watch } = await import('chokidar');
    if (this.closed) return;
    const ignored = makeIgnore(this.opts.root, this.opts.ignoreWatch, this.opts.ownFiles);
    this.watcher = watch(this.opts.paths, { ignored, ignoreInitial: true, persistent: true });
    this.watcher.on('all', (_event, path) => this.onEvent(path));
    this.watcher.on('error', () => undefined);
    await new Promise<void>((resolve) => this.watcher?.once('ready', () => resolve()));
  }

  private onEvent(path: string): void {
    if (this.closed) return;
    const at = this.policy.onEvent(path, Date.now());
    this.schedule(at);
  }

  private schedule(at: number): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = setTimeout(() => void this.fire(), Math.max(0, at - Date.now()));
  }

  private async fire(): Promise<void> {
    if (this.busy || this.closed) return;
    const d = this.policy.decide(Date.now());
    if (!d) return;
    if (d.kind === 'wait') return this.schedule(d.until);
    if (d.kind === 'loop') return this.opts.loop(d.paths);
    this.busy = true;
    try {
      await this.opts.restart(d.paths);
    } finally {
      this.busy = false;
      this.policy.restarted(Date.now());
    }
    // Changes made while restarting are handled now.
    const next = this.policy.nextAt();
    if (next !== null) this.schedule(next);
  }

  async close(): Promise<void> {
    this.closed = true;
    if (this.timer) clearTimeout(this.timer);
    await this.watcher?.close();
  }
}
