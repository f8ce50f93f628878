import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, mkdirSync, unlinkSync, writeFileSync } from 'node:fs';
import { Socket, type SocketConstructorOpts } from 'node:net';
import { constants as osConstants } from 'node:os';
import { dirname, join } from 'node:path';
import type { Readable } from 'node:stream';
import type { AppConfig } from '../../config/app-config.js';
import { messageOf } from '../../common/errors.js';
import { groupAlive, killSnapshot, signalGroup, signalPid, snapshotTree, type ProcIdentity } from '../process/kill.js';
import type { InstanceOutput } from '../logs/instance-output.js';
import { readStat } from '../process/procfs.js';
import { Readiness, type ReadySource } from './readiness.js';
import { decideOnExit, type RestartCounters } from './restart-policy.js';
import { buildSpawnSpec, type SpawnContext } from '../process/spawn-spec.js';
import { transition, type LifecycleEvent, type Status } from './state-machine.js';

export interface HistoryEntry {
  at: number;
  event: string;
  reason?: string;
}

/** A shared listening socket as the daemon holds it: a raw libuv handle, never accepted on here. */
export interface SocketHandle {
  fd: number;
  close(): void;
}

export interface InstanceContext {
  home: string;
  logsDir: string;
  pidsDir: string;
  spawn: SpawnContext;
  /** Opens the output (log files, live bus) of one process of this instance. */
  openOutput: (inst: Instance) => InstanceOutput;
  /** A kernel pipe for a child's stdout or stderr (see pipes.ts), or null for libuv's socketpair. */
  pipe?: () => Promise<{ read: number; write: number } | null>;
  /** The app's declared listening sockets (`listen`), bound before the first spawn. */
  listenSockets: (inst: Instance) => Promise<SocketHandle[]>;
  /** A socket shared by the app's instances for `server.listen(port)` in cluster mode. */
  sharedSocket: (inst: Instance, port: number, host: string | null) => Promise<SocketHandle>;
  now: () => number;
  log: (msg: string) => void;
  /** Called after every status or pid change (journal, event bus). */
  changed: (inst: Instance, event: string, reason?: string) => void;
  /** An app answered an action (`axm:reply`). */
  reply: (inst: Instance, data: unknown) => void;
}

/** Everything about an instance that survives a daemon restart (journal and dump). */
export interface InstanceSnapshot {
  pm_id: number;
  index: number;
  config: AppConfig;
  status: Status;
  pid: number;
  pid_start: number;
  restart_time: number;
  exit_code: number | null;
  counters: RestartCounters;
  history: HistoryEntry[];
}

/** An action an app declared (PM2's shape). */
export interface AxmAction {
  action_name: string;
  action_type?: string;
  arity?: number;
  opts?: unknown;
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

export interface ReloadResult {
  ok: boolean;
  /** Why the new process was not taken (it exited, or was not ready in time). */
  reason?: string;
  /** The new process's last output lines. */
  tail?: string[];
}

const HISTORY_MAX = 50;
const POLL_MS = 25;
/** How long a started process is watched for a quick crash when it cannot say it has loaded. */
const LOAD_CAP_MS = 10_000;

/**
 * Read app output in batches: after each chunk the pipe is left alone until the next event-loop
 * turn (~1 ms), so a chatty app's lines pile up in the pipe and arrive as one 64 KiB read instead
 * of one read per line. Measured on 200 000 lines of 100 bytes: 10 000 reads → 660, and the
 * daemon's CPU for them 0.49 s → 0.22 s; the app is not slowed (a pipe holds 64 KiB). One timer
 * resumes every paused stream.
 */
const paused = new Set<Readable>();
let resumeTimer: NodeJS.Timeout | undefined;
function coalesce(s: Readable): void {
  s.pause();
  paused.add(s);
  resumeTimer ??= setTimeout(() => {
    resumeTimer = undefined;
    const all = [...paused];
    paused.clear();
    for (const p of all) p.resume();
  }, 0);
}

/**
 * Reading a kernel pipe (pipes.ts) with `onread`: into one buffer shared by every pipe (each read
 * is copied out in the callback, which is synchronous), and with exact pauses: returning false
 * stops reading at once (readStop), where a paused Readable goes on reading into its own buffer.
 * That exactness matters: after a *full* read (the pipe was full, so the app is blocked on it) the
 * next read comes on the next turn of the event loop, which lets a bulk writer run at disk speed,
 * while a line-by-line writer's reads stay batched by the timer above. With a paused Readable the
 * same early resume made a line-by-line writer 4× slower (many one-line reads).
 */
const READ_BUF = Buffer.allocUnsafe(64 * 1024);
/** A read this big means the pipe (64 KiB) was full. */
const FULL_READ = 32 * 1024;
/**
 * Once reading a bulk writer, a read this big keeps the pace: right after a full read the app
 * needs a moment to wake up and write again, so the next read finds less than a pipeful. Waiting
 * a timer tick then cost 0.8 ms per 64 KiB (300 MB took 3.5 s); a line-by-line writer's next read
 * is a few lines (< 4 KiB), which still goes to the timer.
 */
const BULK_READ = 8 * 1024;
function readPipe(
  fd: number,
  onChunk: (chunk: Buffer) => boolean,
  whenWritten: (cb: () => void) => void,
): Socket {
  let bulk = false;
  // `onread` is a documented option of net.connect() that the Socket constructor takes too
  // (Node ≥ 12); @types/node lists it for connect only, hence the widened type.
  const opts: SocketConstructorOpts & { onread: unknown } = {
    fd,
    readable: true,
    writable: false,
    onread: {
      buffer: READ_BUF,
      callback: (n: number, buf: Uint8Array) => {
        const behind = onChunk(Buffer.from(buf.subarray(0, n)));
        bulk = n >= (bulk ? BULK_READ : FULL_READ);
        if (behind) whenWritten(() => sock.resume());
        else if (bulk) setImmediate(() => sock.resume());
        else coalesce(sock);
        return false;
      },
    },
  };
  const sock = new Socket(opts);
  sock.resume();
  return sock;
}

export interface LogPaths {
  out: string | null;
  err: string | null;
  combined: string | null;
}

export function logPathsFor(cfg: AppConfig, pmId: number, logsDir: string): LogPaths {
  const suffix = (p: string) => (cfg.merge_logs ? p : p.replace(/(\.log)?$/, `-${pmId}$1`));
  const safe = cfg.name.replace(/[^a-zA-Z0-9.-]/g, '-');
  const pick = (given: string | null, dflt: string): string | null =>
    given === null ? null : suffix(given === '' ? join(logsDir, dflt) : given);
  return {
    out: pick(cfg.out_file, `${safe}-out.log`),
    err: pick(cfg.error_file, `${safe}-error.log`),
    combined: cfg.log_file === null ? null : suffix(cfg.log_file),
  };
}

/** One OS process of an instance. During a reload an instance briefly has two. */
export class Proc {
  readonly pid: number;
  readonly startTime: number;
  readonly spawnedAt: number;
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** Every pipe of the process is closed: all its output has reached the log files. */
  closed: Promise<void>;
  readonly readiness: Readiness;
  /** The app told the agent it has loaded (its main module ran). */
  loaded = false;
  listening = false;
  drained = false;
  /** Steward itself is ending this process (stop, restart, delete): its exit is not a crash. */
  stopRequested = false;
  /** `axm:*` messages sent before this process became the instance's (during a reload). */
  earlyAxm: unknown[] = [];
  private drainWaiters: Array<() => void> = [];

  constructor(
    readonly child: ChildProcess,
    readonly output: InstanceOutput,
    at: number,
    readiness: Readiness,
  ) {
    this.pid = child.pid ?? 0;
    this.startTime = readStat(this.pid)?.startTime ?? 0;
    this.spawnedAt = at;
    this.readiness = readiness;
    this.exited = new Promise((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
    this.closed = this.exited.then(() => undefined);
  }

  /** The process's stdout and stderr as the daemon reads them: `closed` waits for them too. */
  track(streams: Readable[]): void {
    // Exited, and every output pipe closed (a grandchild may hold them open after the exit).
    this.closed = Promise.all([
      this.exited,
      ...streams.map((st) => new Promise<void>((resolve) => st.once('close', () => resolve()))),
    ]).then(() => undefined);
  }

  get alive(): boolean {
    return this.child.exitCode === null && this.child.signalCode === null;
  }

  /** The last few KiB of its output, for error reports (the log file may not be flushed yet). */
  private recent = '';
  noteOutput(chunk: Buffer): void {
    this.recent = (this.recent + chunk.toString('utf8', Math.max(0, chunk.length - 4096))).slice(-4096);
  }
  recentLines(n: number): string[] {
    return this.recent
      .split('\n')
      .filter((l) => l !== '')
      .slice(-n);
  }

  markDrained(): void {
    this.drained = true;
    for (const w of this.drainWaiters.splice(0)) w();
  }

  whenDrained(): Promise<void> {
    return this.drained ? Promise.resolve() : new Promise((r) => this.drainWaiters.push(r));
  }
}

/** One supervised process slot (PM2's "process" with its pm_id). */
export class Instance {
  status: Status = 'stopped';
  restart_time = 0;
  exit_code: number | null = null;
  next_restart_at: number | null = null;
  history: HistoryEntry[] = [];
  counters: RestartCounters;
  private proc: Proc | undefined;
  private timer: NodeJS.Timeout | undefined;
  private stopping: Promise<void> | undefined;
  private reloading: Promise<ReloadResult> | undefined;
  private readonly upWaiters: Array<() => void> = [];
  /** The process that exited last (its output tail, for `start` failure reports). */
  private lastOutput: Proc | undefined;
  /** PM2's `axm_monitor`: metrics the app (or Steward's agent) reports; cleared when the process exits. */
  metrics: Record<string, Record<string, unknown>> = {};
  /** PM2's `axm_actions`: actions the app declared (`trigger`). */
  actions: AxmAction[] = [];
  axmOptions: Record<string, unknown> = {};

  constructor(
    readonly pm_id: number,
    public config: AppConfig,
    public index: number,
    private readonly ctx: InstanceContext,
  ) {
    this.counters = this.freshCounters();
  }

  private freshCounters(): RestartCounters {
    return {
      created_at: this.ctx.now(),
      pm_uptime: 0,
      unstable_restarts: 0,
      prev_restart_delay: 0,
      crash_times: [],
    };
  }

  get pid(): number {
    return this.proc?.pid ?? 0;
  }

  get pidStart(): number {
    return this.proc?.startTime ?? 0;
  }

  /** The current process (for the supervisor: memory checks, signals, messages). */
  get current(): Proc | undefined {
    return this.proc;
  }

  /** PM2's pid file: `pids/<name>-<id>.pid` (or `pid_file` with `-<id>` inserted). */
  get pidPath(): string {
    const safe = this.config.name.replace(/[^a-zA-Z0-9.-]/g, '-');
    const given = this.config.pid_file;
    return given
      ? given.replace(/(\.pid)?$/, `-${this.pm_id}$1`)
      : join(this.ctx.pidsDir, `${safe}-${this.pm_id}.pid`);
  }

  /** The log file paths, worked out again only when the config object changes. */
  get logPaths(): Readonly<LogPaths> {
    const m = this.logPathsMemo;
    if (m && m.config === this.config) return m.paths;
    const paths = logPathsFor(this.config, this.pm_id, this.ctx.logsDir);
    this.logPathsMemo = { config: this.config, paths };
    return paths;
  }
  // `jlist` reads the paths of every instance on each call: rebuilding them was ~1.5 ms of a 50-app jlist.
  private logPathsMemo: { config: AppConfig; paths: LogPaths } | undefined;

  private apply(event: LifecycleEvent, name: string, reason?: string): boolean {
    const next = transition(this.status, event);
    if (next === null) {
      this.ctx.log(`[${this.config.name}:${this.pm_id}] ignored ${event.type} while ${this.status}`);
      return false;
    }
    this.status = next;
    this.record(name, reason);
    if (next !== 'launching') for (const w of this.upWaiters.splice(0)) w();
    return true;
  }

  /** Resolves once the instance has left `launching` (ready, or exited), or after `timeoutMs`. */
  whenUp(timeoutMs: number): Promise<void> {
    if (this.status !== 'launching') return Promise.resolve();
    return Promise.race([new Promise<void>((r) => this.upWaiters.push(r)), delay(timeoutMs)]);
  }

  record(event: string, reason?: string): void {
    const entry: HistoryEntry =
      reason === undefined ? { at: this.ctx.now(), event } : { at: this.ctx.now(), event, reason };
    this.history.push(entry);
    if (this.history.length > HISTORY_MAX) this.history.splice(0, this.history.length - HISTORY_MAX);
    this.ctx.changed(this, event, reason);
  }

  /** Starts a stopped/errored/waiting instance. Resolves once the process is spawned (or failed to). */
  start(reason = 'start'): Promise<void> {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    this.next_restart_at = null;
    if (!this.apply({ type: 'start' }, 'start', reason)) return Promise.resolve();
    return this.launch();
  }

  /** Resets the crash counters, as a manual restart, reload or `reset` does. */
  resetCounters(): void {
    this.counters = this.freshCounters();
  }

  /** How this app says it is ready: PM2's wait_ready message, a readiness fd, a log line, a probe. */
  private readySources(): ReadySource[] {
    const c = this.config;
    const out: ReadySource[] = [];
    if (c.wait_ready) out.push('message', 'fd');
    if (c.ready_pattern) out.push('pattern');
    if (c.ready_probe) out.push('probe');
    return out;
  }

  /** Spawns one process of this instance; resolves with it, or with the reason it could not run. */
  private async spawnProc(): Promise<Proc | string> {
    const cfg = this.config;
    let sockets: SocketHandle[] = [];
    if (cfg.listen.length > 0) {
      try {
        sockets = await this.ctx.listenSockets(this);
      } catch (e) {
        return `cannot bind ${cfg.listen.join(', ')}: ${messageOf(e)}`;
      }
    }
    const sources = this.readySources();
    const spec = buildSpawnSpec(cfg, this.pm_id, this.index, this.ctx.spawn, {
      listenFds: sockets.map((s) => s.fd),
      listenNames: cfg.listen,
      readyPipe: sources.includes('fd'),
    });
    const output = this.ctx.openOutput(this);
    // stdout and stderr through kernel pipes when the daemon has them (pipes.ts says why).
    const pipes = this.ctx.pipe ? await Promise.all([this.ctx.pipe(), this.ctx.pipe()]) : [null, null];
    const stdio = [...spec.stdio];
    pipes.forEach((p, k) => {
      if (p) stdio[k + 1] = p.write;
    });
    const closeWriteEnds = () => {
      for (const p of pipes) if (p) closeSync(p.write);
    };
    let child: ChildProcess;
    try {
      child = spawn(spec.file, spec.args, {
        cwd: spec.cwd,
        env: spec.env,
        detached: true,
        stdio,
        serialization: 'json',
        ...(cfg.uid !== null ? { uid: cfg.uid } : {}),
        ...(cfg.gid !== null ? { gid: cfg.gid } : {}),
      });
    } catch (e) {
      closeWriteEnds();
      for (const p of pipes) if (p) closeSync(p.read);
      output.note(messageOf(e));
      output.close();
      return messageOf(e);
    }
    // The child has its own copies now; ours would keep the pipes open after it exits.
    closeWriteEnds();
    const spawned = await new Promise<string | null>((resolve) => {
      child.once('spawn', () => resolve(null));
      child.once('error', (e) => resolve(`cannot run ${spec.file}: ${e.message}`));
    });
    if (spawned !== null) {
      for (const p of pipes) if (p) closeSync(p.read);
      output.note(spawned);
      output.close();
      return spawned;
    }
    const readiness = new Readiness(sources, cfg, this.ctx.now);
    const proc = new Proc(child, output, this.ctx.now(), readiness);
    /** One chunk of output; true when its log file is behind (stop reading until written). */
    const onChunk = (type: 'out' | 'err', chunk: Buffer): boolean => {
      const behind = output.write(type, chunk);
      proc.noteOutput(chunk);
      readiness.onOutput(chunk);
      return behind;
    };
    const whenWritten = (cb: () => void) => output.whenWritten(cb);
    const streams: Readable[] = (['out', 'err'] as const).flatMap((type, k) => {
      const p = pipes[k];
      if (p) return [readPipe(p.read, (c) => onChunk(type, c), whenWritten)];
      // No pipes: libuv's socketpair, read as a stream.
      const st = k === 0 ? child.stdout : child.stderr;
      if (!st) return [];
      st.on('data', (chunk: Buffer) => {
        if (onChunk(type, chunk)) {
          st.pause();
          whenWritten(() => st.resume());
        } else {
          coalesce(st);
        }
      });
      return [st];
    });
    for (const st of streams) st.on('error', () => undefined);
    proc.track(streams);
    child.on('error', (e) => this.ctx.log(`[${cfg.name}:${this.pm_id}] child error: ${e.message}`));
    child.stdin?.on('error', () => undefined);
    if (spec.readyFd !== null) {
      const pipe = child.stdio[spec.readyFd] as Readable | null;
      pipe?.on('data', (d: Buffer) => {
        if (d.includes(0x0a)) readiness.signal('fd');
      });
      pipe?.on('error', () => undefined);
    }
    child.on('message', (msg: unknown) => this.onMessage(proc, msg));
    // Output can still arrive after 'exit' (a grandchild may hold the pipes): the files are let
    // go once every pipe of this process is closed.
    void proc.closed.then(() => output.close());
    readiness.startProbe();
    void proc.exited.then(() => readiness.stop());
    try {
      mkdirSync(dirname(this.pidPath), { recursive: true, mode: 0o700 });
      writeFileSync(this.pidPath, `${proc.pid}\n`, { mode: 0o600 });
    } catch (e) {
      this.ctx.log(`[${cfg.name}:${this.pm_id}] pid file: ${messageOf(e)}`);
    }
    return proc;
  }

  private onMessage(proc: Proc, raw: unknown): void {
    if (raw === 'ready') {
      proc.readiness.signal('message');
      return;
    }
    if (typeof raw !== 'object' || raw === null) return;
    const msg = raw as { type?: unknown; id?: unknown; port?: unknown; host?: unknown; data?: unknown };
    // App metrics and actions belong to the current process only. A process being tried (reload)
    // keeps what it declares until it takes over (actions are declared once, at start).
    if (proc !== this.proc && typeof msg.type === 'string' && msg.type.startsWith('axm:')) {
      if (msg.type !== 'axm:reply' && proc.earlyAxm.length < 100) proc.earlyAxm.push(raw);
      return;
    }
    switch (msg.type) {
      // PM2's in-app agent protocol (@pm2/io), which Steward's agent speaks too.
      case 'axm:monitor':
        if (isRecord(msg.data)) {
          for (const [k, v] of Object.entries(msg.data)) if (isRecord(v)) this.metrics[k] = v;
        }
        break;
      case 'axm:action':
        if (isRecord(msg.data) && typeof msg.data.action_name === 'string') {
          const name = msg.data.action_name;
          this.actions = [
            ...this.actions.filter((a) => a.action_name !== name),
            { ...msg.data, action_name: name },
          ];
        }
        break;
      case 'axm:option:configuration':
        if (isRecord(msg.data)) this.axmOptions = { ...this.axmOptions, ...msg.data };
        break;
      case 'axm:reply':
        this.ctx.reply(this, msg.data);
        break;
      case 'steward:loaded':
        proc.loaded = true;
        proc.readiness.noteLoaded();
        break;
      case 'steward:listening':
        proc.listening = true;
        proc.readiness.noteListening();
        break;
      case 'steward:drained':
        proc.markDrained();
        break;
      case 'steward:socket': {
        const port = Number(msg.port);
        const host = typeof msg.host === 'string' ? msg.host : null;
        this.ctx.sharedSocket(this, port, host).then(
          (handle) => {
            if (proc.child.connected)
              proc.child.send({ type: 'steward:socket', id: msg.id }, handle as never);
          },
          (e: unknown) => {
            if (proc.child.connected)
              proc.child.send({ type: 'steward:socket', id: msg.id, error: messageOf(e) });
          },
        );
        break;
      }
      default:
        break;
    }
  }

  /** Start path: spawn, then online (at once, or when ready if the app says when it is ready). */
  private async launch(): Promise<void> {
    const proc = await this.spawnProc();
    if (typeof proc === 'string') {
      this.ctx.log(`[${this.config.name}:${this.pm_id}] ${proc}`);
      this.apply({ type: 'spawn_failed' }, 'errored', proc);
      return;
    }
    this.proc = proc;
    this.counters = { ...this.counters, pm_uptime: proc.spawnedAt };
    void proc.exited.then(({ code, signal }) => this.onExit(proc, code, signal));
    if (!proc.readiness.required) {
      this.apply({ type: 'spawned' }, 'online');
      return;
    }
    this.record('spawned', `pid ${proc.pid}, waiting until ready (${proc.readiness.describe()})`);
    void proc.readiness.wait(this.config.listen_timeout).then((outcome) => {
      if (this.proc !== proc || this.status !== 'launching') return;
      // As in PM2, an app that does not say it is ready in time is put online anyway — noted.
      this.apply(
        { type: 'spawned' },
        'online',
        outcome === 'ready'
          ? 'ready'
          : `not ready after listen_timeout ${this.config.listen_timeout}ms; online anyway`,
      );
    });
  }

  private onExit(proc: Proc, code: number | null, signal: NodeJS.Signals | null): void {
    if (this.proc !== proc) return;
    this.proc = undefined;
    this.lastOutput = proc;
    this.metrics = {};
    this.actions = [];
    try {
      unlinkSync(this.pidPath);
    } catch {
      // already gone
    }
    const at = this.ctx.now();
    this.exit_code = code ?? (signal ? 128 + (osConstants.signals[signal] ?? 0) : null);
    const how = signal ? `signal ${signal}` : `code ${code}`;
    if (this.status === 'stopping') {
      this.apply({ type: 'exit', outcome: 'stopped' }, 'exit', `stopped (${how})`);
      return;
    }
    const decision = decideOnExit(this.config, this.counters, { code, signal, at });
    this.counters = decision.counters;
    if (decision.action === 'restart') {
      this.next_restart_at = at + decision.delay;
      this.apply({ type: 'exit', outcome: 'restart' }, 'exit', `crashed (${how})`);
      this.timer = setTimeout(() => this.fireRestart(), decision.delay);
    } else if (decision.action === 'errored') {
      this.apply({ type: 'exit', outcome: 'errored' }, 'errored', `${how}; ${decision.reason}`);
    } else {
      this.apply({ type: 'exit', outcome: 'stopped' }, 'exit', `${how}; ${decision.reason}`);
    }
  }

  private fireRestart(): void {
    this.timer = undefined;
    this.next_restart_at = null;
    if (!this.apply({ type: 'timer' }, 'restart', 'automatic restart')) return;
    this.restart_time += 1;
    void this.launch();
  }

  /**
   * Watches a just-started process until it has loaded: a Node app with the agent says so (its
   * main module ran); others get `windowMs`. Resolves false when it exited in that time.
   */
  async settled(windowMs: number): Promise<boolean> {
    const proc = this.proc;
    if (!proc) return this.status === 'online' || this.status === 'launching';
    const agent = this.config.agent && proc.child.connected;
    const loaded = agent ? proc.readiness.whenLoaded() : new Promise<void>((r) => setTimeout(r, windowMs));
    const cap = new Promise<void>((r) => setTimeout(r, agent ? LOAD_CAP_MS : windowMs).unref());
    const res = await Promise.race([
      proc.exited.then(() => 'exited' as const),
      Promise.race([loaded, cap]).then(() => 'ok' as const),
    ]);
    // Stopped on purpose in the window (a cron or watch restart, `stop`, `delete`): not a failed start.
    if (res === 'exited') return proc.stopRequested;
    if (agent) {
      // A short grace after loading catches a crash in the first tick (an async listen error).
      const grace = await Promise.race([
        proc.exited.then(() => 'exited' as const),
        new Promise<'ok'>((r) => setTimeout(() => r('ok'), Math.min(windowMs, 100))),
      ]);
      return grace === 'ok' || proc.stopRequested;
    }
    return true;
  }

  /**
   * Zero-downtime replacement of the process: a new one is started next to the old one; once it is
   * ready the old one is drained and stopped. If the new one exits or is not ready within
   * listen_timeout, it is stopped and the old one keeps serving.
   */
  reload(reason = 'reload'): Promise<ReloadResult> {
    this.reloading ??= this.doReload(reason).finally(() => {
      this.reloading = undefined;
    });
    return this.reloading;
  }

  private async doReload(reason: string): Promise<ReloadResult> {
    const old = this.proc;
    if (!old || this.status !== 'online') {
      await this.restartNow(reason);
      return { ok: true };
    }
    const next = await this.spawnProc();
    if (typeof next === 'string') {
      this.record('reload failed', next);
      return { ok: false, reason: next };
    }
    const outcome = await next.readiness.waitForReload(
      this.config.listen_timeout,
      old.listening,
      next.exited,
    );
    if (outcome !== 'ready') {
      const why =
        outcome === 'exited'
          ? `the new process exited before it was ready (${await describeExit(next)})`
          : `the new process was not ready within listen_timeout ${this.config.listen_timeout}ms`;
      await this.terminate(next, false);
      // Let its last output reach the error log, which the CLI shows.
      await Promise.race([next.closed, delay(1000)]);
      this.record('reload failed', why);
      return { ok: false, reason: why, tail: next.recentLines(15) };
    }
    // Swap: the new process is the instance from now on; the old one leaves without a restart.
    this.proc = next;
    this.metrics = {};
    this.actions = [];
    this.axmOptions = {};
    for (const m of next.earlyAxm.splice(0)) this.onMessage(next, m);
    this.counters = { ...this.freshCounters(), pm_uptime: next.spawnedAt };
    this.restart_time += 1;
    void next.exited.then(({ code, signal }) => this.onExit(next, code, signal));
    try {
      writeFileSync(this.pidPath, `${next.pid}\n`, { mode: 0o600 });
    } catch {
      // best effort
    }
    this.record('reload', `${reason}: pid ${old.pid} → ${next.pid}`);
    await this.terminate(old, true);
    return { ok: true };
  }

  /** Stop then start (a restart), used when a reload cannot be zero-downtime. */
  private async restartNow(reason: string): Promise<void> {
    const wasRunning = this.status === 'online' || this.status === 'launching';
    await this.stop(reason);
    this.resetCounters();
    if (wasRunning) this.restart_time += 1;
    await this.start(reason);
  }

  /** Stops for good after draining open connections first (scale down). */
  retire(reason: string): Promise<void> {
    return this.stop(reason, true);
  }

  /** Stops gracefully: signal (or `shutdown` message), then SIGKILL of the whole tree after kill_timeout. */
  stop(reason = 'stop', drain = false): Promise<void> {
    if (this.stopping) return this.stopping;
    if (this.status === 'waiting restart' || this.status === 'one-launch-status') {
      if (this.timer) clearTimeout(this.timer);
      this.timer = undefined;
      this.next_restart_at = null;
      this.apply({ type: 'stop' }, 'stop', reason);
      return Promise.resolve();
    }
    const proc = this.proc;
    if (!proc || (this.status !== 'online' && this.status !== 'launching')) return Promise.resolve();
    this.apply({ type: 'stop' }, 'stopping', reason);
    this.stopping = this.terminate(proc, drain).finally(() => {
      this.stopping = undefined;
    });
    return this.stopping;
  }

  /**
   * Ends one process and everything it started. With `drain`, a Node app with the agent first stops
   * accepting and finishes its open connections (bounded by kill_timeout) before the signal.
   */
  private async terminate(proc: Proc, drain: boolean): Promise<void> {
    const pid = proc.pid;
    proc.stopRequested = true;
    if (!proc.alive) return;
    const cfg = this.config;
    const tree: ProcIdentity[] = snapshotTree(pid);
    if (drain && proc.child.connected && proc.listening) {
      proc.child.send({ type: 'steward:drain' });
      await Promise.race([proc.whenDrained(), proc.exited, delay(cfg.kill_timeout)]);
    }
    if (cfg.shutdown_with_message && proc.child.connected) {
      proc.child.send('shutdown', (err) => {
        if (err) signalGroup(pid, cfg.kill_signal as NodeJS.Signals);
      });
    } else if (cfg.treekill) {
      signalGroup(pid, cfg.kill_signal as NodeJS.Signals);
    } else {
      signalPid(pid, cfg.kill_signal as NodeJS.Signals);
    }
    const deadline = this.ctx.now() + cfg.kill_timeout;
    let timedOut = false;
    const timeout = delay(cfg.kill_timeout).then(() => {
      timedOut = true;
    });
    await Promise.race([proc.exited, timeout]);
    // The main process is gone (or overdue); give the rest of its group the remaining grace.
    while (!timedOut && groupAlive(pid) && this.ctx.now() < deadline) {
      await delay(POLL_MS);
    }
    if (groupAlive(pid) || proc.alive) signalGroup(pid, 'SIGKILL');
    killSnapshot(tree);
    await proc.exited;
  }

  /** The last output lines of the current process, or of the one that exited last. */
  recentLines(n: number): string[] {
    return (this.proc ?? this.lastOutput)?.recentLines(n) ?? [];
  }

  /** Sends a signal to the current process (`sendSignal`). */
  signal(sig: NodeJS.Signals): boolean {
    return this.proc ? signalPid(this.proc.pid, sig) : false;
  }

  /** Runs a declared action (PM2's `trigger`): the name alone, or `{ msg, opts }` with a parameter. */
  trigger(action: string, params: string | undefined): boolean {
    const ch = this.proc?.child;
    if (!ch?.connected || !this.actions.some((a) => a.action_name === action)) return false;
    ch.send(params === undefined ? action : { msg: action, opts: params });
    return true;
  }

  /** Writes a line to the app's stdin (PM2's `send`). */
  writeStdin(line: string): boolean {
    const stdin = this.proc?.child.stdin;
    if (!stdin || stdin.destroyed) return false;
    stdin.write(line.endsWith('\n') ? line : `${line}\n`);
    return true;
  }

  /** Called when the instance is removed from the table. */
  dispose(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    this.proc?.output.close();
  }

  snapshot(): InstanceSnapshot {
    return {
      pm_id: this.pm_id,
      index: this.index,
      config: this.config,
      status: this.status,
      pid: this.pid,
      pid_start: this.pidStart,
      restart_time: this.restart_time,
      exit_code: this.exit_code,
      counters: this.counters,
      history: this.history,
    };
  }
}

function delay(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms).unref());
}

async function describeExit(p: Proc): Promise<string> {
  const { code, signal } = await p.exited;
  return signal ? `signal ${signal}` : `code ${code}`;
}
