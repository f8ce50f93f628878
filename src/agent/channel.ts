/**
 * How `steward/agent` talks to Steward: the registry it shares with the preload agent and with other
 * copies of itself (host.cts), the IPC channel, its own reporter when the preload agent does not
 * report, and the readiness signal. All of it does nothing outside Steward.
 */
import { closeSync, fstatSync, writeSync } from 'node:fs';
import type { AgentHost } from './host.cjs';

/** See host.cts: the same key in the preload agent. */
const HOST_KEY = Symbol.for('steward.agent');
let privateHost: AgentHost | undefined;

export function host(): AgentHost {
  const g = globalThis as unknown as Record<symbol, AgentHost | undefined>;
  const h = g[HOST_KEY];
  if (h === undefined) return (g[HOST_KEY] = { v: 1, metrics: new Map() });
  // Another version's contract: keep to ourselves rather than misread it.
  return h.v === 1 ? h : (privateHost ??= { v: 1, metrics: new Map() });
}

/** Run by Steward, with its IPC channel: only then is anything sent. */
export function supervised(): boolean {
  return (
    typeof process.send === 'function' && process.connected && process.env.STEWARD_SUPERVISOR !== undefined
  );
}

export function send(msg: unknown): void {
  if (!supervised()) return;
  try {
    // The callback swallows ERR_IPC_CHANNEL_CLOSED when the daemon is gone.
    process.send?.(msg, undefined, {}, () => undefined);
  } catch {
    // channel closing: nothing to tell
  }
}

/** Without the preload agent to carry them, the metrics go in a message of their own. */
export function startReporter(h: AgentHost): void {
  if (h.reporter !== undefined || !supervised()) return;
  const every = Number(process.env.STEWARD_METRICS_INTERVAL ?? 2000);
  if (!(every > 0)) return;
  h.reporter = 'api';
  setInterval(() => {
    const data: Record<string, unknown> = {};
    for (const [name, m] of h.metrics) {
      try {
        const e = m.read();
        if (e) data[name] = e;
      } catch {
        // a sampler that throws is left out of this report
      }
    }
    if (Object.keys(data).length > 0) send({ type: 'axm:monitor', data });
  }, every).unref();
}

/** PM2's `process.send('ready')`, or s6's newline on the readiness fd without IPC; once per process. */
export function signalReady(): void {
  const h = host();
  if (h.readySent || process.env.STEWARD_SUPERVISOR === undefined) return;
  if (typeof process.send === 'function') {
    h.readySent = true;
    send('ready');
    return;
  }
  const fd = Number(process.env.STEWARD_READY_FD);
  if (!Number.isInteger(fd) || fd < 3) return;
  h.readySent = true;
  // Not for the app's children: the number would name some other file in them.
  delete process.env.STEWARD_READY_FD;
  try {
    // One newline, then close. Only into a pipe (Steward's is a socket pair).
    const st = fstatSync(fd);
    if (st.isFIFO() || st.isSocket()) {
      writeSync(fd, '\n');
      closeSync(fd);
    }
  } catch {
    // not open in this process
  }
}
