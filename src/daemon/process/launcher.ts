import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync } from 'node:fs';
import type { Readable } from 'node:stream';
import type { AppConfig } from '../../config/app-config.js';
import { messageOf } from '../../common/errors.js';
import type { LaunchRequest } from '../lifecycle/effects.js';
import { Readiness, type ReadySource } from '../lifecycle/readiness.js';
import type { InstanceOutput } from '../logs/instance-output.js';
import { coalesce, readPipe } from './output-reader.js';
import { Proc } from './proc.js';
import { buildSpawnSpec, missingTypescriptLoader, type SpawnContext } from './spawn-spec.js';

/** A shared listening socket as the daemon holds it: a raw libuv handle, never accepted on here. */
export interface SocketHandle {
  fd: number;
  close(): void;
}

/** What launching needs from the daemon around it. */
export interface LauncherContext {
  spawn: SpawnContext;
  now: () => number;
  log: (msg: string) => void;
  /** Opens the output (log files, live bus) of one process of an instance. */
  openOutput: (cfg: AppConfig, pmId: number) => InstanceOutput;
  /** A kernel pipe for a child's stdout or stderr (see pipes.ts), or null for libuv's socketpair. */
  pipe?: () => Promise<{ read: number; write: number } | null>;
  /** The app's declared listening sockets (`listen`), bound before the first spawn. */
  listenSockets: (cfg: AppConfig) => Promise<SocketHandle[]>;
  /** A socket shared by the app's instances for `server.listen(port)` in cluster mode. */
  sharedSocket: (cfg: AppConfig, port: number, host: string | null) => Promise<SocketHandle>;
}

/** How this app says it is ready: PM2's wait_ready message, a readiness fd, a log line, a probe. */
export function readySources(c: AppConfig): ReadySource[] {
  const out: ReadySource[] = [];
  if (c.wait_ready) out.push('message', 'fd');
  if (c.ready_pattern) out.push('pattern');
  if (c.ready_probe) out.push('probe');
  return out;
}

/** Spawns one process of an instance; resolves with it, or with the reason it could not run. */
export async function launchProcess(req: LaunchRequest, ctx: LauncherContext): Promise<Proc | string> {
  const cfg = req.config;
  let sockets: SocketHandle[] = [];
  if (cfg.listen.length > 0) {
    try {
      sockets = await ctx.listenSockets(cfg);
    } catch (e) {
      return `cannot bind ${cfg.listen.join(', ')}: ${messageOf(e)}`;
    }
  }
  const noLoader = missingTypescriptLoader(cfg, ctx.spawn);
  if (noLoader !== undefined) {
    const output = ctx.openOutput(cfg, req.pm_id);
    output.note(noLoader);
    output.close();
    return noLoader;
  }
  const sources = readySources(cfg);
  const spec = buildSpawnSpec(cfg, req.pm_id, req.index, ctx.spawn, {
    listenFds: sockets.map((s) => s.fd),
    listenNames: cfg.listen,
    readyPipe: sources.includes('fd'),
  });
  const output = ctx.openOutput(cfg, req.pm_id);
  // stdout and stderr through kernel pipes when the daemon has them (pipes.ts says why).
  const pipes = ctx.pipe ? await Promise.all([ctx.pipe(), ctx.pipe()]) : [null, null];
  const stdio = [...spec.stdio];
  pipes.forEach((p, k) => {
    if (p) stdio[k + 1] = p.write;
  });
  const closeWriteEnds = () => {
    for (const p of pipes) if (p) closeSync(p.write);
  };
  const fail = (why: string): string => {
    for (const p of pipes) if (p) closeSync(p.read);
    output.note(why);
    output.close();
    return why;
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
    return fail(messageOf(e));
  }
  // The child has its own copies now; ours would keep the pipes open after it exits.
  closeWriteEnds();
  const spawned = await new Promise<string | null>((resolve) => {
    child.once('spawn', () => resolve(null));
    child.once('error', (e) => resolve(`cannot run ${spec.file}: ${e.message}`));
  });
  if (spawned !== null) return fail(spawned);
  return watchProcess(child, req, ctx, { sources, readyFd: spec.readyFd, pipes, output });
}

/**
 * Listens to a spawned child for as long as it runs. A function of its own on purpose: closures
 * keep their whole scope alive, and launchProcess's scope holds the spawn spec, whose environment
 * (5–10 KB per process) nothing needs after the spawn.
 */
function watchProcess(
  child: ChildProcess,
  req: LaunchRequest,
  ctx: LauncherContext,
  w: {
    sources: ReadySource[];
    readyFd: number | null;
    pipes: Array<{ read: number; write: number } | null>;
    output: InstanceOutput;
  },
): Proc {
  const cfg = req.config;
  const { output } = w;
  const readiness = new Readiness(w.sources, cfg);
  const proc = new Proc(child, output, ctx.now(), readiness);
  wireOutput(proc, child, w.pipes, output);
  child.on('error', (e) => ctx.log(`[${cfg.name}:${req.pm_id}] child error: ${e.message}`));
  child.stdin?.on('error', () => undefined);
  if (w.readyFd !== null) {
    const pipe = child.stdio[w.readyFd] as Readable | null;
    pipe?.on('data', (d: Buffer) => {
      if (d.includes(0x0a)) readiness.signal('fd');
    });
    pipe?.on('error', () => undefined);
  }
  child.on('message', (msg: unknown) => {
    if (!processMessage(proc, msg, cfg, ctx)) req.onMessage(proc, msg);
  });
  // Output can still arrive after 'exit' (a grandchild may hold the pipes): the files are let
  // go once every pipe of this process is closed.
  void proc.closed.then(() => output.close());
  readiness.startProbe();
  void proc.exited.then(() => readiness.stop());
  return proc;
}

/**
 * Messages about the process itself (readiness, load, listen, drain, shared sockets). Returns false
 * for the others (PM2's `axm:*` agent protocol), which belong to the instance.
 */
function processMessage(proc: Proc, raw: unknown, cfg: AppConfig, ctx: LauncherContext): boolean {
  if (raw === 'ready') {
    proc.readiness.signal('message');
    return true;
  }
  if (typeof raw !== 'object' || raw === null) return true;
  const msg = raw as { type?: unknown; id?: unknown; port?: unknown; host?: unknown };
  switch (msg.type) {
    case 'steward:loaded':
      proc.loaded = true;
      proc.readiness.noteLoaded();
      return true;
    case 'steward:listening':
      proc.listening = true;
      proc.readiness.noteListening();
      return true;
    case 'steward:drained':
      proc.markDrained();
      return true;
    case 'steward:socket': {
      const host = typeof msg.host === 'string' ? msg.host : null;
      ctx.sharedSocket(cfg, Number(msg.port), host).then(
        (handle) => {
          if (proc.child.connected) proc.child.send({ type: 'steward:socket', id: msg.id }, handle as never);
        },
        (e: unknown) => {
          if (proc.child.connected)
            proc.child.send({ type: 'steward:socket', id: msg.id, error: messageOf(e) });
        },
      );
      return true;
    }
    default:
      return false;
  }
}

/** Reads the child's stdout and stderr into its output (files, live bus) and readiness. */
function wireOutput(
  proc: Proc,
  child: ChildProcess,
  pipes: Array<{ read: number; write: number } | null>,
  output: InstanceOutput,
): void {
  /** One chunk of output; true when its log file is behind (stop reading until written). */
  const onChunk = (type: 'out' | 'err', chunk: Buffer): boolean => {
    const behind = output.write(type, chunk);
    proc.noteOutput(chunk);
    proc.readiness.onOutput(chunk);
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
}
