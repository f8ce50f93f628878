import type * as FsPromises from 'node:fs/promises';
import { watch as fsWatch, type FSWatcher } from 'node:fs';
import { basename, dirname, join, relative, sep } from 'node:path';
import { lazyBuiltin } from '../../common/lazy-builtin.js';

// Only apps with `watch` on need it; fs/promises also loads readline (see lazy-builtin.ts).
const fsp = lazyBuiltin<typeof FsPromises>('node:fs/promises');

/**
 * Watch-and-restart, in three parts: a pure policy (debounce and restart-loop detection, tested
 * with a fake clock), a tree watcher (native events, no polling) and a runner joining the two.
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
  /** A problem worth telling the user about (the inotify limit reached, say). */
  warn?: (message: string) => void;
}

interface DirWatch {
  watcher: FSWatcher;
  /** The whole directory (and its subdirectories), or only these names in it (a watched file). */
  names: Set<string> | null;
}

/**
 * One non-recursive `fs.watch` (one inotify watch) per directory, not per file.
 *
 * Why not chokidar (used before): it keeps one watcher and one stat record per *file*; on a tree of
 * 20 000 files that was 20 022 inotify watches and 73 MB of daemon RSS (bench/cases/health.js),
 * against a target of 30 MB. A directory's inotify watch already reports every change to the
 * files in it, so one per directory (20 here) is enough. And not Node's own `recursive: true`:
 * on Linux, Node 20 implements it in JavaScript with a stat watcher per file.
 *
 * A watched *file* is watched through its directory, filtered to its name, so an editor that
 * saves by writing a new file and renaming it over the old one is still seen. Directories created
 * later are walked and watched when their creation is seen; removed ones are dropped.
 */
export class TreeWatcher {
  private readonly dirs = new Map<string, DirWatch>();
  private closed = false;
  private warned = false;

  constructor(
    private readonly ignored: (path: string) => boolean,
    private readonly onChange: (path: string) => void,
    private readonly warn: (message: string) => void = () => undefined,
  ) {}

  /** Starts watching a file or directory tree; resolves once the initial walk is done. */
  async add(path: string): Promise<void> {
    const st = await fsp()
      .lstat(path)
      .catch(() => null);
    if (!st || this.closed) return;
    if (st.isDirectory()) return this.walk(path);
    const dir = dirname(path);
    const cur = this.dirs.get(dir);
    if (cur) {
      cur.names?.add(basename(path));
      return;
    }
    this.watchDir(dir, new Set([basename(path)]));
  }

  /** How many directories are watched (one inotify watch each). */
  get size(): number {
    return this.dirs.size;
  }

  private async walk(dir: string): Promise<void> {
    if (this.closed || this.ignored(dir)) return;
    const cur = this.dirs.get(dir);
    if (cur?.names === null) return;
    if (cur) {
      // It was watched for one file only: now for everything.
      cur.watcher.close();
      this.dirs.delete(dir);
    }
    if (!this.watchDir(dir, null)) return;
    const entries = await fsp()
      .readdir(dir, { withFileTypes: true })
      .catch(() => []);
    for (const e of entries) if (e.isDirectory()) await this.walk(join(dir, e.name));
  }

  private watchDir(dir: string, names: Set<string> | null): boolean {
    let watcher: FSWatcher;
    try {
      watcher = fsWatch(dir, { persistent: true }, (event, name) => this.onEvent(dir, event, name));
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if (code === 'ENOSPC' && !this.warned) {
        this.warned = true;
        this.warn(
          `watch: the system's inotify watch limit is reached (${dir} is not watched); raise fs.inotify.max_user_watches with sysctl, or add directories to ignore_watch`,
        );
      }
      return false;
    }
    // The directory itself was removed (or became unreadable): stop watching it.
    watcher.on('error', () => this.drop(dir));
    this.dirs.set(dir, { watcher, names });
    return true;
  }

  private onEvent(dir: string, event: string, name: string | Buffer | null): void {
    if (this.closed) return;
    const w = this.dirs.get(dir);
    if (!w) return;
    if (name === null) {
      // The kernel's queue overflowed, or the event has no name: something changed in there.
      if (w.names === null) this.onChange(dir);
      return;
    }
    const base = typeof name === 'string' ? name : name.toString();
    if (w.names !== null && !w.names.has(base)) return;
    const path = join(dir, base);
    if (this.ignored(path)) return;
    this.onChange(path);
    if (event === 'rename' && w.names === null) void this.renamed(path);
  }

  /** A name appeared or went away: watch a new directory, forget a removed one. */
  private async renamed(path: string): Promise<void> {
    const st = await fsp()
      .lstat(path)
      .catch(() => null);
    if (this.closed) return;
    if (st?.isDirectory()) {
      if (!this.dirs.has(path)) await this.walk(path);
    } else {
      this.drop(path);
    }
  }

  /** Stops watching a directory and everything under it. */
  private drop(dir: string): void {
    const prefix = dir + sep;
    for (const [d, w] of this.dirs) {
      if (d === dir || d.startsWith(prefix)) {
        w.watcher.close();
        this.dirs.delete(d);
      }
    }
  }

  close(): void {
    this.closed = true;
    for (const w of this.dirs.values()) w.watcher.close();
    this.dirs.clear();
  }
}

/** Watches an app's tree and restarts it after a burst of changes has settled. */
export class AppWatcher {
  private tree: TreeWatcher | undefined;
  private timer: NodeJS.Timeout | undefined;
  private readonly policy: WatchPolicy;
  private busy = false;
  private closed = false;

  constructor(private readonly opts: WatchOptions) {
    this.policy = new WatchPolicy(opts.quietMs, Date.now());
  }

  async start(): Promise<void> {
    if (this.closed) return;
    const ignored = makeIgnore(this.opts.root, this.opts.ignoreWatch, this.opts.ownFiles);
    this.tree = new TreeWatcher(ignored, (path) => this.onEvent(path), this.opts.warn);
    for (const p of this.opts.paths) await this.tree.add(p);
  }

  /** Directories watched (for tests and `show`). */
  get watchedDirs(): number {
    return this.tree?.size ?? 0;
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

  close(): void {
    this.closed = true;
    if (this.timer) clearTimeout(this.timer);
    this.tree?.close();
  }
}
