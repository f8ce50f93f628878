import { useEffect, useState } from 'preact/hooks';
import { ApiError, call, enc, type Row } from './api.js';

/**
 * The page's one event stream (GET /api/stream) and what it brings: the table every second, table
 * events, and the output of the app being looked at. Views subscribe with the hooks below.
 */
export interface LogLine {
  pm_id: number;
  name: string;
  type: 'out' | 'err';
  at: number;
  text: string;
}

type Listener = () => void;

class Store {
  rows: Row[] = [];
  at = 0;
  connected = false;
  /** The server no longer knows this page's session. */
  loggedOut = false;
  streamId = '';
  private logsTarget: string | null = null;
  private readonly listeners = new Set<Listener>();
  readonly eventListeners = new Set<(ev: unknown) => void>();
  readonly logListeners = new Set<(l: LogLine) => void>();
  private source: EventSource | undefined;

  connect(): void {
    const es = new EventSource('/api/stream');
    this.source = es;
    es.addEventListener('hello', (e) => {
      this.streamId = (JSON.parse((e as MessageEvent<string>).data) as { id: string }).id;
      this.connected = true;
      // A new connection (after a drop) must ask for the logs again.
      if (this.logsTarget !== null) void this.postLogs(this.logsTarget);
      this.changed();
    });
    es.addEventListener('table', (e) => {
      const m = JSON.parse((e as MessageEvent<string>).data) as { at: number; rows: Row[] };
      this.rows = m.rows;
      this.at = m.at;
      this.changed();
    });
    es.addEventListener('event', (e) => {
      const ev = JSON.parse((e as MessageEvent<string>).data) as unknown;
      for (const l of this.eventListeners) l(ev);
    });
    es.addEventListener('log', (e) => {
      const m = JSON.parse((e as MessageEvent<string>).data) as Omit<LogLine, 'text'> & { data: string };
      const lines = m.data.replace(/\n$/, '').split('\n');
      for (const text of lines) for (const l of this.logListeners) l({ ...m, text });
    });
    es.onerror = () => {
      this.connected = false;
      this.changed();
      // A restarted web server (after `steward update`, say) has forgotten the session: say so
      // rather than reconnect forever.
      call('GET', '/api/session').catch((e: unknown) => {
        if (e instanceof ApiError && e.status === 401) {
          this.loggedOut = true;
          es.close();
          this.changed();
        }
      });
    };
  }

  /** The app whose output comes as `log` events (null: none). */
  watchLogs(target: string | null): void {
    this.logsTarget = target;
    if (this.streamId) void this.postLogs(target);
  }

  private async postLogs(target: string | null): Promise<void> {
    try {
      await call('POST', `/api/stream/${enc(this.streamId)}/logs`, { target });
    } catch {
      // the stream reconnects and asks again
    }
  }

  subscribe(l: Listener): () => void {
    this.listeners.add(l);
    return () => this.listeners.delete(l);
  }

  private changed(): void {
    for (const l of this.listeners) l();
  }

  close(): void {
    this.source?.close();
  }
}

export const store = new Store();

/** Re-renders the component on every table push. */
export function useStore(): Store {
  const [, setTick] = useState(0);
  useEffect(() => store.subscribe(() => setTick((n) => n + 1)), []);
  return store;
}
