import { randomBytes } from 'node:crypto';
import type { ServerResponse } from 'node:http';
import type { DaemonLink } from './daemon-link.js';
import { SECURITY_HEADERS } from './http.js';
import type { Role } from './tokens.js';

/** How often the table is pushed while a page is open. */
export const TABLE_INTERVAL_MS = 1000;
const HEARTBEAT_MS = 20_000;
/** A page that reads slower than this much buffered data loses log lines (it is told how many). */
const STREAM_MAX_BUFFER = 1024 * 1024;
/** The host's recent table events, for the timeline of a page opened later. */
const TIMELINE_MAX = 500;

export interface TimelineEvent {
  at: number;
  pm_id: number;
  name: string;
  event: string;
  status: string;
  reason?: string;
}

interface Stream {
  res: ServerResponse;
  role: Role;
  /** The app (name or id) whose output this page shows, if any. */
  logs: string | null;
  dropped: number;
}

/**
 * Server-sent events, one connection per page: `hello` (its id), `table` (every process, once a
 * second), `event` (a table event as it happens), `log` (output of the app the page watches),
 * `reply` (an action's answer). The table is read from the daemon once per tick for every page.
 */
export class StreamHub {
  private readonly streams = new Map<string, Stream>();
  private tick: NodeJS.Timeout | undefined;
  private heartbeat: NodeJS.Timeout | undefined;
  private busy = false;
  readonly timeline: TimelineEvent[] = [];

  constructor(private readonly daemon: DaemonLink) {
    daemon.onNotification((method, params) => this.onDaemon(method, params));
  }

  get size(): number {
    return this.streams.size;
  }

  open(res: ServerResponse, role: Role): string {
    const id = randomBytes(16).toString('base64url');
    res.writeHead(200, {
      ...SECURITY_HEADERS,
      'Content-Type': 'text/event-stream; charset=utf-8',
      Connection: 'keep-alive',
      'X-Accel-Buffering': 'no',
    });
    res.socket?.setNoDelay(true);
    const s: Stream = { res, role, logs: null, dropped: 0 };
    this.streams.set(id, s);
    res.on('close', () => {
      this.streams.delete(id);
      this.sync();
    });
    write(s, 'hello', JSON.stringify({ id, role, table_ms: TABLE_INTERVAL_MS }));
    this.sync();
    void this.pushTable();
    return id;
  }

  /** Chooses the app whose output a page receives (null: none). */
  watchLogs(id: string, target: string | null): boolean {
    const s = this.streams.get(id);
    if (!s) return false;
    s.logs = target;
    this.sync();
    return true;
  }

  /** Starts or stops the table timer and the daemon's log subscription to match the open pages. */
  private sync(): void {
    if (this.streams.size > 0 && !this.tick) {
      this.tick = setInterval(() => void this.pushTable(), TABLE_INTERVAL_MS);
      this.heartbeat = setInterval(() => this.broadcastRaw(': ping\n\n'), HEARTBEAT_MS);
    } else if (this.streams.size === 0 && this.tick) {
      clearInterval(this.tick);
      clearInterval(this.heartbeat);
      this.tick = undefined;
    }
    this.daemon.wantLogs([...this.streams.values()].some((s) => s.logs !== null));
  }

  private async pushTable(): Promise<void> {
    if (this.busy) return; // a slow daemon: skip a tick rather than queue them
    this.busy = true;
    try {
      const rows = await this.daemon.call('list', {});
      const frame = `event: table\ndata: ${JSON.stringify({ at: Date.now(), rows })}\n\n`;
      this.broadcastRaw(frame);
    } catch {
      // the daemon is going away; the link's onGone ends this process
    } finally {
      this.busy = false;
    }
  }

  private broadcastRaw(frame: string): void {
    for (const s of this.streams.values()) {
      if (s.res.writableLength < STREAM_MAX_BUFFER) s.res.write(frame);
    }
  }

  private onDaemon(method: string, params: unknown): void {
    if (method === 'event') {
      const ev = params as TimelineEvent;
      this.timeline.push(ev);
      if (this.timeline.length > TIMELINE_MAX) this.timeline.splice(0, this.timeline.length - TIMELINE_MAX);
      this.broadcastRaw(`event: event\ndata: ${JSON.stringify(ev)}\n\n`);
    } else if (method === 'axm:reply') {
      this.broadcastRaw(`event: reply\ndata: ${JSON.stringify(params)}\n\n`);
    } else if (method === 'log') {
      const p = params as { pm_id: number; name: string; type: string; at: number; data: string };
      let json: string | undefined;
      for (const s of this.streams.values()) {
        if (s.logs === null || !matches(s.logs, p)) continue;
        if (s.res.writableLength >= STREAM_MAX_BUFFER) {
          s.dropped += 1;
          continue;
        }
        json ??= JSON.stringify({ pm_id: p.pm_id, name: p.name, type: p.type, at: p.at, data: p.data });
        if (s.dropped > 0) {
          write(s, 'dropped', JSON.stringify({ chunks: s.dropped }));
          s.dropped = 0;
        }
        write(s, 'log', json);
      }
    }
  }

  close(): void {
    for (const s of this.streams.values()) s.res.end();
    this.streams.clear();
    this.sync();
  }
}

function matches(target: string, p: { pm_id: number; name: string }): boolean {
  return target === 'all' || target === p.name || target === String(p.pm_id);
}

function write(s: Stream, event: string, data: string): void {
  s.res.write(`event: ${event}\ndata: ${data}\n\n`);
}
