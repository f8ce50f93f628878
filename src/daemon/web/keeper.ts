import { spawn, type ChildProcess } from 'node:child_process';
import { accessSync, constants as fsConstants, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import type * as Readline from 'node:readline';
import { writeFileAtomic } from '../../common/atomic-write.js';
import { errnoCode, messageOf, StewardError } from '../../common/errors.js';
import type { WebSettings, WebStatus } from '../../protocol/methods.js';
import { ensureToken, isLoopback } from '../../web/tokens.js';
import { SUPERVISOR_MARK } from '../process/spawn-spec.js';
import { lazyBuiltin } from '../../common/lazy-builtin.js';

// Only once the dashboard is on (see lazy-builtin.ts).
const readline = lazyBuiltin<typeof Readline>('node:readline');

/** How long a web server may take to say it listens (or why not). */
const READY_TIMEOUT_MS = 10_000;
/** Restart back-off after a crash: doubles from the first, capped; reset after a minute up. */
const BACKOFF_FIRST_MS = 500;
const BACKOFF_MAX_MS = 30_000;
const STABLE_MS = 60_000;
const STOP_GRACE_MS = 3000;

export interface KeeperOptions {
  home: string;
  nodePath: string;
  /** dist/web.js */
  entry: string;
  log: (msg: string) => void;
}

/**
 * `steward web` on the daemon's side: the dashboard runs in its own process (dist/web.js), a client
 * of the daemon like the CLI, so that a page open never runs in the daemon's loop and a web crash
 * cannot take the daemon down. The keeper starts it, restarts it with back-off when it dies, and
 * stops it with the daemon. Its settings live in STEWARD_HOME/web.json, so every daemon start
 * (boot, `update`, recovery after a crash) brings it back.
 *
 * The child exits when its stdin (a pipe from the daemon) closes, so even a `kill -9` of the daemon
 * does not leave it behind; it also carries the home's supervisor mark, so recovery ends it.
 */
export class WebKeeper {
  private child: ChildProcess | undefined;
  private settings: WebSettings | null;
  private url: string | null = null;
  private lastError: string | null = null;
  private restarts = 0;
  private backoff = BACKOFF_FIRST_MS;
  private timer: NodeJS.Timeout | undefined;
  private closing = false;

  constructor(private readonly o: KeeperOptions) {
    this.settings = loadWebSettings(this.file);
  }

  private get file(): string {
    return join(this.o.home, 'web.json');
  }

  /** At daemon start: brings the web server back when it was on. Never throws. */
  resume(): void {
    if (!this.settings) return;
    this.launch(this.settings).catch((e: unknown) => this.o.log(`web: ${messageOf(e)}`));
  }

  /** Is the dashboard on (saved in web.json), running or about to be? */
  get enabled(): boolean {
    return this.settings !== null;
  }

  status(): WebStatus {
    return {
      enabled: this.settings !== null,
      settings: this.settings,
      pid: this.child?.pid ?? 0,
      url: this.url,
      last_error: this.lastError,
      restarts: this.restarts,
    };
  }

  /** Saves the settings and (re)starts the server with them; resolves once it listens. */
  async start(s: WebSettings): Promise<WebStatus> {
    checkSettings(s);
    // `steward web` again with the same settings: keep the running server (and its sessions).
    if (this.child && this.url && JSON.stringify(s) === JSON.stringify(this.settings)) return this.status();
    const prev = this.settings;
    this.save(this.file, s);
    this.settings = s;
    await this.halt();
    this.restarts = 0;
    this.backoff = BACKOFF_FIRST_MS;
    try {
      await this.launch(s);
    } catch (e) {
      // A start that fails (a port taken, a bad certificate) changes nothing: what ran before runs again.
      await this.halt();
      this.save(this.file, prev);
      this.settings = prev;
      if (prev) this.launch(prev).catch((err: unknown) => this.o.log(`web: ${messageOf(err)}`));
      throw e;
    }
    return this.status();
  }

  /** Writes settings to a file (0600), or removes it for none. */
  private save(path: string, s: WebSettings | null): void {
    if (s) writeFileAtomic(path, JSON.stringify(s, null, 2) + '\n');
    else rmSync(path, { force: true });
  }

  /** `steward web --stop`: stops the server and forgets it (the next daemon does not start it). */
  async stop(): Promise<WebStatus> {
    this.save(this.file, null);
    this.settings = null;
    await this.halt();
    this.lastError = null;
    return this.status();
  }

  /** `steward save`: the dashboard's settings go with the process list (dump-web.json beside dump.json). */
  saveDump(): void {
    this.save(join(this.o.home, 'dump-web.json'), this.settings);
  }

  /** `steward resurrect`: a dashboard that was on at `save` and is off now starts again. Never throws. */
  async resurrect(): Promise<void> {
    const saved = loadWebSettings(join(this.o.home, 'dump-web.json'));
    if (!saved || this.settings) return;
    await this.start(saved).catch((e: unknown) => this.o.log(`web (resurrect): ${messageOf(e)}`));
  }

  /** Daemon shutdown: the server stops, its settings stay for the next daemon. */
  async close(): Promise<void> {
    this.closing = true;
    await this.halt();
  }

  private async halt(): Promise<void> {
    clearTimeout(this.timer);
    const c = this.child;
    this.child = undefined;
    this.url = null;
    if (!c || c.exitCode !== null || c.signalCode !== null) return;
    const gone = new Promise<void>((resolve) => c.once('exit', () => resolve()));
    c.kill('SIGTERM');
    const t = setTimeout(() => c.kill('SIGKILL'), STOP_GRACE_MS);
    await gone;
    clearTimeout(t);
  }

  /** Spawns the server; resolves when it reports that it listens, rejects with its reason if not. */
  private launch(s: WebSettings): Promise<void> {
    ensureToken(this.o.home, 'admin');
    ensureToken(this.o.home, 'read');
    const child = spawn(this.o.nodePath, [this.o.entry], {
      cwd: this.o.home,
      env: {
        ...process.env,
        STEWARD_HOME: this.o.home,
        [SUPERVISOR_MARK]: this.o.home,
        STEWARD_WEB_SETTINGS: JSON.stringify(s),
      },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    this.child = child;
    const startedAt = Date.now();
    child.stdin?.on('error', () => undefined);
    readline()
      .createInterface({ input: child.stderr })
      .on('line', (l) => this.o.log(`web: ${l}`));
    return new Promise<void>((resolve, reject) => {
      let settled = false;
      const settle = (err?: string) => {
        if (settled) return;
        settled = true;
        clearTimeout(t);
        if (err === undefined) resolve();
        else reject(new StewardError('E_BAD_OPTION', `web server: ${err}`, { hint: hintFor(err) }));
      };
      const t = setTimeout(() => {
        settle(`did not start within ${READY_TIMEOUT_MS / 1000} s`);
        child.kill('SIGKILL');
      }, READY_TIMEOUT_MS);
      const lines = readline().createInterface({ input: child.stdout });
      lines.once('line', (l) => {
        const msg = parseReady(l);
        if (msg.ok) {
          this.url = msg.url;
          this.lastError = null;
          this.o.log(`web: listening on ${msg.url} (pid ${child.pid})`);
          settle();
        } else {
          this.lastError = msg.error;
          settle(msg.error);
        }
      });
      child.once('error', (e) => {
        this.lastError = e.message;
        settle(e.message);
      });
      child.once('exit', (code, signal) => {
        const why = signal ? `signal ${signal}` : `code ${code}`;
        settle(this.lastError ?? `exited with ${why} before it listened`);
        if (this.child !== child) return; // stopped on purpose
        this.child = undefined;
        this.url = null;
        if (this.closing || !this.settings) return;
        // Crashed (or failed to listen): try again later, slower each time it does not last.
        if (Date.now() - startedAt > STABLE_MS) this.backoff = BACKOFF_FIRST_MS;
        this.lastError = this.lastError ?? `exited with ${why}`;
        this.o.log(`web: exited with ${why}; starting again in ${this.backoff} ms`);
        const settings = this.settings;
        this.timer = setTimeout(() => {
          this.restarts += 1;
          this.launch(settings).catch((e: unknown) => this.o.log(`web: ${messageOf(e)}`));
        }, this.backoff);
        this.timer.unref();
        this.backoff = Math.min(this.backoff * 2, BACKOFF_MAX_MS);
      });
    });
  }
}

function parseReady(line: string): { ok: true; url: string } | { ok: false; error: string } {
  try {
    const m = JSON.parse(line) as { ok?: unknown; url?: unknown; error?: unknown };
    if (m.ok === true && typeof m.url === 'string') return { ok: true, url: m.url };
    return { ok: false, error: typeof m.error === 'string' ? m.error : line };
  } catch {
    return { ok: false, error: `unexpected output: ${line.slice(0, 200)}` };
  }
}

function hintFor(err: string): string {
  if (/EADDRINUSE/.test(err)) return 'the port is taken: choose another with --port';
  if (/EACCES/.test(err)) return 'ports below 1024 need privileges: choose another with --port';
  if (/tls|cert|key|PEM/i.test(err)) return 'check the files given to --tls-cert and --tls-key';
  return 'see the daemon log (STEWARD_HOME/daemon.log)';
}

/** A non-loopback address needs TLS, or the explicit opt-out. */
export function checkSettings(s: WebSettings): void {
  if ((s.tls_cert === undefined) !== (s.tls_key === undefined)) {
    throw new StewardError('E_BAD_OPTION', 'web: --tls-cert and --tls-key go together', {
      hint: 'give both files (PEM), or neither',
    });
  }
  for (const [flag, file] of [
    ['--tls-cert', s.tls_cert],
    ['--tls-key', s.tls_key],
  ] as const) {
    if (file === undefined) continue;
    try {
      accessSync(file, fsConstants.R_OK);
    } catch (e) {
      throw new StewardError(
        'E_BAD_OPTION',
        `web: cannot read ${flag} ${file}: ${errnoCode(e) ?? messageOf(e)}`,
        {
          hint: `give ${flag} a readable PEM file (an absolute path: the daemon reads it)`,
        },
      );
    }
  }
  if (!isLoopback(s.host) && s.tls_cert === undefined && !s.insecure) {
    throw new StewardError(
      'E_BAD_OPTION',
      `web: ${s.host} is reachable from other machines and would carry the token in plain text`,
      { hint: 'give --tls-cert and --tls-key, or --insecure-no-tls if a proxy in front does TLS' },
    );
  }
}

export function loadWebSettings(path: string): WebSettings | null {
  try {
    const raw = JSON.parse(readFileSync(path, 'utf8')) as Partial<WebSettings>;
    if (typeof raw.port !== 'number' || typeof raw.host !== 'string') return null;
    return raw as WebSettings;
  } catch {
    return null;
  }
}
