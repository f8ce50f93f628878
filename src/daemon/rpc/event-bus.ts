import type { Instance } from '../lifecycle/instance.js';
import type { StreamType } from '../logs/formatter.js';
import type { Connection, RpcServer } from './server.js';

/**
 * A `logs` follower that reads slower than this much buffered output loses lines (counted). Kept
 * small: with 1 MB, a follower of an app logging 1 GB as fast as it could grew the daemon's RSS by
 * 25 %; a terminal cannot show more than this in a second anyway.
 */
const FOLLOWER_MAX_BUFFER = 256 * 1024;
const NO_TOPICS: ReadonlySet<string> = new Set();

export interface TableEvent {
  pm_id: number;
  name: string;
  event: string;
  status: string;
  reason?: string;
}

/** Notifications to subscribed clients: table events, app output (`logs`), action replies. */
export class EventBus {
  /** Set once the socket is bound; events before that have no listener. */
  server: RpcServer | undefined;
  private readonly subscriptions = new WeakMap<object, Set<string>>();
  private followers = 0;

  private topicsOf(c: Connection): ReadonlySet<string> {
    return this.subscriptions.get(c.socket) ?? NO_TOPICS;
  }

  subscribe(c: Connection, topics: string[], frames: boolean): void {
    if (frames) c.frames = true;
    const set = this.subscriptions.get(c.socket) ?? new Set<string>();
    for (const t of topics) set.add(t);
    this.subscriptions.set(c.socket, set);
    if (topics.includes('logs')) {
      this.followers += 1;
      c.socket.once('close', () => (this.followers -= 1));
    }
  }

  /** Is anyone following output? (Output is only passed on while someone is.) */
  wantsOutput(): boolean {
    return this.followers > 0;
  }

  output(inst: Instance, type: StreamType, chunk: Buffer, at: number): void {
    const msg = () => ({
      pm_id: inst.pm_id,
      name: inst.config.name,
      namespace: inst.config.namespace,
      type,
      at,
    });
    this.server?.broadcast('log', msg, (c) => this.topicsOf(c).has('logs'), FOLLOWER_MAX_BUFFER, chunk);
  }

  reply(inst: Instance, data: unknown): void {
    const msg = { pm_id: inst.pm_id, name: inst.config.name, data, at: Date.now() };
    this.server?.broadcast('axm:reply', msg, (c) => this.topicsOf(c).has('events'));
  }

  event(ev: TableEvent): void {
    this.server?.broadcast('event', { ...ev, at: Date.now() }, (c) => this.topicsOf(c).has('events'));
  }
}
