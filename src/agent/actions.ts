/**
 * `steward/agent` actions: declared to the daemon (`axm:action`), run when it sends one, answered
 * with `axm:reply` — `{ return }`, or `{ error }` when the handler throws or rejects.
 */
import type { AgentHost } from './host.cjs';
import { host, send, supervised } from './channel.js';

type Handler = (param?: string) => unknown;

export function declareAction(name: string, handler: Handler): void {
  const h = host();
  (h.actions ??= new Map()).set(name, handler);
  if (!supervised()) return;
  listen(h);
  send({
    type: 'axm:action',
    data: { action_name: name, action_type: 'custom', arity: handler.length, opts: null },
  });
}

/** The daemon sends an action as its name, or as `{ msg: name, opts: param }` (PM2's shapes). */
function listen(h: AgentHost): void {
  if (h.listening) return;
  h.listening = true;
  const first = process.listenerCount('message') === 0;
  process.on('message', (msg: unknown) => {
    const rec = typeof msg === 'object' && msg !== null ? (msg as Record<string, unknown>) : undefined;
    const name = typeof msg === 'string' ? msg : typeof rec?.msg === 'string' ? rec.msg : undefined;
    const handler = name === undefined ? undefined : h.actions?.get(name);
    if (name === undefined || !handler) return;
    const opts = rec?.opts;
    const param =
      opts === undefined || opts === null || typeof opts === 'string' ? opts : JSON.stringify(opts);
    void run(name, handler, param ?? undefined);
  });
  // A 'message' listener holds the IPC channel open, which would keep alive an app that would
  // otherwise exit. The preload agent has unref'd it already; without it, undo our own hold.
  if (first) process.channel?.unref();
}

async function run(name: string, handler: Handler, param: string | undefined): Promise<void> {
  let outcome: { return: unknown } | { error: string };
  try {
    const value: unknown = await handler(param);
    let json: string | undefined;
    try {
      json = JSON.stringify(value);
    } catch (e) {
      throw new Error(`the reply cannot be sent as JSON (${e instanceof Error ? e.message : String(e)})`);
    }
    outcome = { return: json === undefined ? null : (JSON.parse(json) as unknown) };
  } catch (e) {
    outcome = { error: e instanceof Error ? e.message : String(e) };
  }
  send({ type: 'axm:reply', data: { action_name: name, at: Date.now(), ...outcome } });
}
