import { spawn } from 'node:child_process';
import { messageOf } from '../../common/errors.js';
import type { SocketHandle } from './launcher.js';

/**
 * Listening sockets the daemon holds for apps: bound once, handed to every instance (as fd 3… for
 * declared `listen` addresses, or over IPC for `server.listen(port)` in Node cluster mode), kept
 * across reloads so that a port is never rebound, and never accepted on by the daemon itself.
 *
 * Node cannot create a listening socket without accepting on it, so a short-lived helper binds
 * it and sends the raw handle to the daemon over IPC; the daemon receives a bare libuv handle
 * (no `net.Server`), which nothing in the daemon listens on.
 */
const HELPER = `
const net = require('net');
const [host, port] = [process.env.H || undefined, Number(process.env.P)];
const s = net.createServer();
s.on('error', (e) => process.send({ error: (e.code ? e.code + ': ' : '') + e.message }, () => process.exit(1)));
s.listen({ host, port, backlog: 511, exclusive: true }, () => process.send({ ok: true }, s._handle, () => process.exit(0)));
`;

export function bindSocket(host: string | null, port: number): Promise<SocketHandle> {
  return new Promise((resolve, reject) => {
    const env: NodeJS.ProcessEnv = { P: String(port), ...(host ? { H: host.replace(/^\[|\]$/g, '') } : {}) };
    const helper = spawn(process.execPath, ['-e', HELPER], {
      stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
      env,
    });
    let err = '';
    helper.stderr?.on('data', (d: Buffer) => (err += d.toString()));
    helper.once('message', (m: { ok?: boolean; error?: string }, handle: unknown) => {
      if (m.ok && handle && typeof (handle as SocketHandle).fd === 'number') resolve(handle as SocketHandle);
      else reject(new Error(m.error ?? 'no socket'));
    });
    helper.once('error', (e) => reject(e));
    helper.once('exit', (code) => {
      if (code !== 0) reject(new Error(err.trim().split('\n').pop() || `helper exited with ${code}`));
    });
  });
}

export class SocketBroker {
  private readonly sockets = new Map<string, Promise<SocketHandle>>();

  /** The app's socket for host:port, bound on first use. A failed bind is not cached. */
  get(app: string, host: string | null, port: number): Promise<SocketHandle> {
    const key = `${app}\0${host ?? '*'}\0${port}`;
    let p = this.sockets.get(key);
    if (!p) {
      p = bindSocket(host, port).catch((e: unknown) => {
        this.sockets.delete(key);
        throw new Error(`${host ?? ''}:${port}: ${messageOf(e)}`);
      });
      this.sockets.set(key, p);
    }
    return p;
  }

  /** Closes the sockets of an app once it has no instance left. */
  release(app: string): void {
    for (const [key, p] of this.sockets) {
      if (!key.startsWith(`${app}\0`)) continue;
      this.sockets.delete(key);
      void p.then((h) => h.close()).catch(() => undefined);
    }
  }
}

/** `host:port` (from normalize's parseListen) → parts for binding. */
export function splitAddress(addr: string): { host: string; port: number } {
  const i = addr.lastIndexOf(':');
  return { host: addr.slice(0, i), port: Number(addr.slice(i + 1)) };
}
