import { createConnection, type Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import { errnoCode, isErrorCode, messageOf, StewardError } from '../common/errors.js';
import { homePaths, resolveHome, type HomePaths } from '../common/paths.js';
import { PROTOCOL_VERSION, stewardVersion } from '../common/version.js';
import { encode, FrameDecoder, type Frame } from '../protocol/framing.js';
import { isObject, type RpcErrorObject } from '../protocol/jsonrpc.js';
import type { HelloResult, MethodName, ParamsOf, ResultOf } from '../protocol/methods.js';
import type { RemoteOptions, RemoteSide } from '../remote/types.js';

export interface ConnectOptions {
  home?: string;
  /** Start the daemon when none runs (default true). */
  autostart?: boolean;
  /** Environment for a daemon started by this client (default: process.env). */
  env?: NodeJS.ProcessEnv;
  /**
   * A daemon on another host, reached with the system ssh running `steward dial-stdio` there
   * (docs/remote.md): `ssh://user@host[:port]` or `user@host`. `home`, `env` and `autostart` are
   * then ignored (the remote daemon is started when none runs, as `steward dial-stdio` does).
   */
  host?: string;
  /** How to reach `host` (ssh config file, key, options, the remote steward and its home). */
  remote?: RemoteOptions;
  /** Ask the handshake for notices meant for a person (apps that crashed after `start` returned). */
  notices?: boolean;
}

/** What a client talks over: a unix socket, or the stdio of an ssh child (anything with unref). */
export type Transport = Duplex & { unref(): unknown };

type Pending = { resolve(v: unknown): void; reject(e: unknown): void };

/**
 * A connection to the daemon of one home. Requests are pipelined on one socket; replies match by id.
 * The handshake (`hello`) is sent first without waiting, so it costs no extra round trip.
 */
export class Client {
  private nextId = 1;
  private readonly pending = new Map<number, Pending>();
  private readonly listeners = new Set<(method: string, params: unknown) => void>();
  private closed = false;
  readonly hello: Promise<HelloResult>;
  /** True when this call started the daemon. */
  startedDaemon = false;

  /**
   * @param paths the home of the daemon (on the remote host when `remote` is set)
   * @param remote set when the daemon is on another host: who answered, and its cwd
   */
  private constructor(
    private readonly socket: Transport,
    readonly paths: HomePaths,
    readonly remote: RemoteSide | undefined,
    notices = false,
  ) {
    const decoder = new FrameDecoder();
    socket.on('data', (chunk: Buffer) => {
      let frames: Frame[];
      try {
        frames = decoder.push(chunk);
      } catch (e) {
        socket.destroy(e as Error);
        return;
      }
      for (const f of frames) this.onMessage(f.msg, f.payload);
    });
    const fail = (why: string | StewardError) => {
      this.closed = true;
      const err =
        why instanceof StewardError
          ? why
          : new StewardError('E_DAEMON_UNREACHABLE', `connection to the daemon closed: ${why}`, {
              hint: 'see the daemon log in STEWARD_HOME/daemon.log',
            });
      for (const p of this.pending.values()) p.reject(err);
      this.pending.clear();
    };
    socket.on('error', (e) => fail(e instanceof StewardError ? e : e.message));
    socket.on('close', () => fail('the daemon went away'));
    this.hello = this.call('hello', {
      client_version: stewardVersion(),
      protocol: PROTOCOL_VERSION,
      ...(notices ? { notices } : {}),
    });
    // A caller that never awaits hello must not see an unhandled rejection.
    this.hello.catch(() => undefined);
  }

  static async connect(opts: ConnectOptions = {}): Promise<Client> {
    if (opts.host !== undefined) {
      // Loaded only for a remote daemon: the local path (`steward ls`) never pays for ssh.
      const { openRemote } = await import('../remote/ssh-transport.js');
      const r = await openRemote(opts.host, opts.remote ?? {});
      const c = new Client(r.stream, homePaths(r.side.home), r.side, opts.notices);
      c.startedDaemon = r.side.started;
      return c;
    }
    const paths = homePaths(opts.home ?? resolveHome(opts.env ?? process.env));
    const { socket, started } = await openDaemonSocket(paths, opts);
    const c = new Client(socket, paths, undefined, opts.notices);
    c.startedDaemon = started;
    return c;
  }

  private onMessage(msg: unknown, payload: Buffer | undefined): void {
    if (!isObject(msg)) return;
    if (typeof msg.id !== 'number') {
      if (typeof msg.method !== 'string') return;
      // A framed notification (see FrameDecoder): its bytes are the `data` field of the JSON form.
      if (payload && isObject(msg.params)) {
        const { bytes: _bytes, ...rest } = msg.params;
        msg.params = { ...rest, data: payload.toString('utf8') };
      }
      for (const l of this.listeners) l(msg.method, msg.params);
      return;
    }
    const p = this.pending.get(msg.id);
    if (!p) return;
    this.pending.delete(msg.id);
    if (isObject(msg.error)) p.reject(toError(msg.error as unknown as RpcErrorObject));
    else p.resolve(msg.result);
  }

  call<M extends MethodName>(method: M, params: ParamsOf<M>): Promise<ResultOf<M>>;
  call(method: string, params: unknown): Promise<unknown>;
  call(method: string, params: unknown): Promise<unknown> {
    if (this.closed) {
      return Promise.reject(
        new StewardError('E_DAEMON_UNREACHABLE', 'the connection to the daemon is closed'),
      );
    }
    // Paths given to a remote daemon (`stop ./app.js`) are relative to the remote login's directory,
    // as for the commands the remote steward runs itself; this machine's cwd means nothing there.
    if (this.remote && isObject(params) && typeof params.cwd === 'string')
      params = { ...params, cwd: this.remote.cwd };
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      this.socket.write(encode({ jsonrpc: '2.0', id, method, params }));
    });
  }

  /** Receives the daemon's notifications (after a `subscribe` call). */
  onNotification(fn: (method: string, params: unknown) => void): () => void {
    this.listeners.add(fn);
    return () => this.listeners.delete(fn);
  }

  /** Resolves when the daemon closes the connection (used by `kill`). */
  waitClosed(): Promise<void> {
    if (this.socket.destroyed) return Promise.resolve();
    return new Promise((resolve) => this.socket.once('close', () => resolve()));
  }

  close(): void {
    this.closed = true;
    this.socket.end();
    this.socket.unref();
  }
}

/**
 * Connects to the daemon of a home, starting it when none runs (unless `autostart` is false), as
 * every local client does; `steward dial-stdio` uses it to bridge a remote client the same way.
 */
export async function openDaemonSocket(
  paths: HomePaths,
  opts: { autostart?: boolean | undefined; env?: NodeJS.ProcessEnv | undefined } = {},
): Promise<{ socket: Socket; started: boolean }> {
  try {
    return { socket: await openSocket(paths.socket), started: false };
  } catch (e) {
    const code = errnoCode(e);
    if (!['ENOENT', 'ECONNREFUSED', 'ENOTDIR'].includes(code ?? '') || opts.autostart === false) {
      throw new StewardError(
        'E_DAEMON_UNREACHABLE',
        `cannot reach the daemon at ${paths.socket}: ${messageOf(e)}`,
        {
          hint:
            code === 'EACCES'
              ? 'the socket belongs to another user; use your own STEWARD_HOME'
              : 'run `steward ping` to start it',
        },
      );
    }
  }
  // Loaded only when a daemon must be started: child_process is not free to load.
  const { startDaemon } = await import('./start-daemon.js');
  await startDaemon(paths, opts.env ?? process.env);
  // The daemon (or one that won the start, see docs/architecture.md) listens by now.
  const socket = await openSocket(paths.socket).catch((e: unknown) => {
    throw new StewardError(
      'E_DAEMON_UNREACHABLE',
      `the daemon started but does not answer at ${paths.socket}: ${messageOf(e)}`,
      { hint: `see ${paths.daemonLog}` },
    );
  });
  return { socket, started: true };
}

function toError(e: RpcErrorObject): StewardError {
  const code = e.data?.code;
  return new StewardError(isErrorCode(code) ? code : 'E_BAD_REQUEST', e.message, { hint: e.data?.hint });
}

function openSocket(path: string): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const s = createConnection(path);
    s.once('connect', () => {
      s.removeAllListeners('error');
      resolve(s);
    });
    s.once('error', reject);
  });
}
