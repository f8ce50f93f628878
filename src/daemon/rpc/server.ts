import { createServer, type Server, type Socket } from 'node:net';
import * as v from 'valibot';
import { firstIssue } from '../../common/validate.js';
import { isStewardError, messageOf } from '../../common/errors.js';
import { encode, LineDecoder } from '../../protocol/framing.js';
import { isObject, RpcErrors, type RpcErrorObject, type RpcId } from '../../protocol/jsonrpc.js';

export interface Connection {
  socket: Socket;
  /** Sends a JSON-RPC notification (no id) to this client. */
  notify(method: string, params: unknown): void;
  /** Notifications skipped because the client read too slowly. */
  missed?: number;
  /** Takes payloads as raw bytes after the line (subscribed with `frames: true`; see FrameDecoder). */
  frames?: boolean;
}

export interface MethodDef {
  schema: v.GenericSchema;
  run(params: unknown, conn: Connection): unknown;
  /** Runs after the reply has been flushed to the client (used by `kill`). */
  after?: () => void;
}

/**
 * JSON-RPC 2.0 over a unix socket, one message per line. Every message is checked before use: bad
 * JSON, a wrong shape, an unknown method or bad params each get an error reply; the daemon itself
 * never throws on client input.
 */
/**
 * A method's result given as JSON text, written as is (built from cached pieces, e.g. `jlist`).
 * `T` is the type the text parses to, for the handler table's checks.
 */
export class RawJson<T = unknown> {
  declare readonly parsesTo?: T;
  constructor(readonly json: string) {}
}

export class RpcServer {
  readonly server: Server;
  readonly connections = new Set<Connection>();
  /** Requests being handled (not answered yet), and who waits for there to be none. */
  private inflight = 0;
  private readonly idleWaiters: Array<() => void> = [];

  constructor(
    private readonly methods: Record<string, MethodDef>,
    private readonly log: (msg: string) => void,
    /** Called before every answer (the journal writes what the answer reports). */
    private readonly beforeReply: () => void = () => undefined,
  ) {
    this.server = createServer((socket) => this.accept(socket));
  }

  private accept(socket: Socket): void {
    const decoder = new LineDecoder();
    const conn: Connection = {
      socket,
      notify: (method, params) => {
        if (!socket.destroyed) socket.write(encode({ jsonrpc: '2.0', method, params }));
      },
    };
    this.connections.add(conn);
    socket.setEncoding('utf8');
    socket.on('data', (chunk: string) => {
      let lines: string[];
      try {
        lines = decoder.push(chunk);
      } catch (e) {
        this.reply(socket, null, { code: RpcErrors.INVALID_REQUEST, message: messageOf(e) });
        socket.end();
        return;
      }
      for (const line of lines) this.handle(conn, line);
    });
    socket.on('error', () => undefined);
    socket.on('close', () => this.connections.delete(conn));
  }

  /** A result that is JSON text already (see RawJson). */
  private reply(
    socket: Socket,
    id: RpcId | null,
    error: RpcErrorObject | null,
    result?: unknown,
    after?: () => void,
  ): void {
    // A client that went away still gets its request carried out (`kill` ends the daemon).
    if (socket.destroyed) {
      after?.();
      return;
    }
    if (!error && result instanceof RawJson) {
      socket.write(`{"jsonrpc":"2.0","id":${JSON.stringify(id)},"result":${result.json}}\n`, () => after?.());
      return;
    }
    const msg = error ? { jsonrpc: '2.0', id, error } : { jsonrpc: '2.0', id, result: result ?? null };
    socket.write(encode(msg), () => after?.());
  }

  private handle(conn: Connection, line: string): void {
    let msg: unknown;
    try {
      msg = JSON.parse(line);
    } catch {
      this.reply(conn.socket, null, {
        code: RpcErrors.PARSE,
        message: 'parse error: a message must be one JSON object per line',
      });
      return;
    }
    if (!isObject(msg) || msg.jsonrpc !== '2.0' || typeof msg.method !== 'string') {
      const id = isObject(msg) && (typeof msg.id === 'number' || typeof msg.id === 'string') ? msg.id : null;
      this.reply(conn.socket, id, {
        code: RpcErrors.INVALID_REQUEST,
        message: 'invalid request: expected {"jsonrpc":"2.0","id":…,"method":…}',
      });
      return;
    }
    const id = typeof msg.id === 'number' || typeof msg.id === 'string' ? msg.id : null;
    const method = msg.method;
    const def = Object.hasOwn(this.methods, msg.method) ? this.methods[msg.method] : undefined;
    if (!def) {
      this.reply(conn.socket, id, {
        code: RpcErrors.METHOD_NOT_FOUND,
        message: `unknown method: ${msg.method}`,
      });
      return;
    }
    const parsed = v.safeParse(def.schema, msg.params);
    if (!parsed.success) {
      this.reply(conn.socket, id, {
        code: RpcErrors.INVALID_PARAMS,
        message: `invalid params for ${method}: ${firstIssue(parsed.issues, 'params').replace(/^(?!params)/, 'params.')}`,
      });
      return;
    }
    this.inflight += 1;
    const finish = () => {
      this.inflight -= 1;
      if (this.inflight === 0) for (const w of this.idleWaiters.splice(0)) w();
    };
    const done = (result: unknown) => {
      this.beforeReply();
      const after = () => {
        def.after?.();
        finish();
      };
      if (id !== null) this.reply(conn.socket, id, null, result, after);
      else after();
    };
    const fail = (e: unknown) => {
      if (!isStewardError(e))
        this.log(`internal error in ${method}: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`);
      if (id === null) return finish();
      const error: RpcErrorObject = isStewardError(e)
        ? {
            code: RpcErrors.APP,
            message: e.message,
            data: { code: e.code, ...(e.hint ? { hint: e.hint } : {}) },
          }
        : { code: RpcErrors.INTERNAL, message: `internal error: ${messageOf(e)}` };
      this.reply(conn.socket, id, error, undefined, finish);
    };
    try {
      const out = def.run(parsed.output, conn);
      if (out instanceof Promise) out.then(done, fail);
      else done(out);
    } catch (e) {
      fail(e);
    }
  }

  /**
   * Resolves once every request being handled has been answered (its reply written), or after
   * `timeoutMs`: a stopping daemon answers what it was asked before it exits.
   */
  answered(timeoutMs: number): Promise<void> {
    if (this.inflight === 0) return Promise.resolve();
    return new Promise((resolve) => {
      const t = setTimeout(resolve, timeoutMs);
      this.idleWaiters.push(() => {
        clearTimeout(t);
        resolve();
      });
    });
  }

  /**
   * Sends a notification to the matching connections. With `maxBuffered`, a connection whose unread
   * backlog is past it skips the message (counted), and is told how many it missed when it catches up.
   */
  broadcast(
    method: string,
    params: unknown,
    filter: (c: Connection) => boolean,
    maxBuffered = Infinity,
    payload?: Buffer,
  ): void {
    // `params` may be a function: it is called only if a connection takes the message (a log
    // chunk is not decoded and encoded for followers that are all behind). A `payload` goes as raw
    // bytes after the line to connections that take frames (params get `bytes`), and as the
    // `data` string field to the others.
    let obj: unknown;
    let line: string | undefined;
    let head: string | undefined;
    const paramsObj = () => (obj ??= typeof params === 'function' ? (params as () => unknown)() : params);
    for (const c of this.connections) {
      if (!filter(c) || c.socket.destroyed) continue;
      if (c.socket.writableLength > maxBuffered) {
        c.missed = (c.missed ?? 0) + 1;
        continue;
      }
      if (c.missed) {
        c.socket.write(encode({ jsonrpc: '2.0', method: 'missed', params: { count: c.missed } }));
        c.missed = 0;
      }
      if (payload && c.frames) {
        head ??= encode({
          jsonrpc: '2.0',
          method,
          params: { ...(paramsObj() as object), bytes: payload.length },
        });
        // One writev for the line and the bytes; the Buffer is written as is, not copied.
        c.socket.cork();
        c.socket.write(head);
        c.socket.write(payload);
        c.socket.uncork();
        continue;
      }
      line ??= encode({
        jsonrpc: '2.0',
        method,
        params: payload ? { ...(paramsObj() as object), data: payload.toString('utf8') } : paramsObj(),
      });
      c.socket.write(line);
    }
  }
}
