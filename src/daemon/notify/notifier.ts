import type * as Crypto from 'node:crypto';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { StewardError } from '../../common/errors.js';
import type { Instance } from '../lifecycle/instance.js';
import { buildChannels } from './channels/index.js';
import { Dispatcher, type ChannelStatus } from './dispatcher.js';
import { Grouper } from './grouper.js';
import { QueueStore } from './queue.js';
import {
  DEFAULT_WINDOW_MS,
  loadNotifySettings,
  maskedNotifySettings,
  updateNotifySetting,
  type NotifySettings,
} from './settings.js';
import { errorTail } from './sources/error-tail.js';
import { LogMatcher } from './sources/log-match.js';
import { classify } from './sources/table-events.js';
import { ThresholdWatch } from './sources/thresholds.js';
import {
  isChannelName,
  realClock,
  type Channel,
  type ChannelName,
  type Clock,
  type EventKind,
  type NotifyEvent,
  type NotifyMessage,
} from './types.js';
import { lazyBuiltin } from '../../common/lazy-builtin.js';

// Loaded once a notification is sent (see lazy-builtin.ts).
const crypto = lazyBuiltin<typeof Crypto>('node:crypto');

/**
 * The daemon's notifier: table events, output lines and thresholds in; grouped messages out to
 * the configured channels through a persistent, retrying queue. With no channel configured every
 * entry point returns at once: no timer, no regular expression, no file written.
 */
export interface NotifierDeps {
  home: string;
  log: (msg: string) => void;
  instances: () => Instance[];
  clock?: Clock;
  host?: string;
}

export interface NotifyStatus {
  host: string;
  channels: ChannelStatus[];
  settings: Record<string, unknown>;
}

export interface EmitInput {
  event: EventKind;
  app: string;
  reason: string;
  pm_id?: number | null;
  exit_code?: number;
  signal?: string;
  lines?: string[];
}

const LAST_LINES = 8;

export class Notifier {
  private settings: NotifySettings;
  private channels: Map<ChannelName, Channel>;
  private readonly clock: Clock;
  private readonly host: string;
  private readonly store: QueueStore;
  private readonly dispatcher: Dispatcher;
  private readonly grouper: Grouper;
  private readonly thresholds: ThresholdWatch;
  private readonly lines: LogMatcher;
  private linesWanted = false;
  private readonly settingsPath: string;

  constructor(private readonly d: NotifierDeps) {
    this.clock = d.clock ?? realClock;
    this.host = d.host ?? hostname();
    this.settingsPath = join(d.home, 'notify.json');
    this.settings = loadNotifySettings(this.settingsPath);
    this.channels = buildChannels(this.settings, this.host, this.clock.now);
    this.store = new QueueStore(join(d.home, 'notify-queue.json'), d.log);
    this.dispatcher = new Dispatcher(this.clock, this.store, () => this.channels, d.log);
    this.grouper = new Grouper(
      this.clock,
      () => this.settings.window ?? DEFAULT_WINDOW_MS,
      (ev, count, firstAt) => this.send(ev, count, firstAt),
    );
    this.thresholds = new ThresholdWatch(d.instances, (b) =>
      this.fromInstance(b.inst, { kind: b.kind, reason: b.reason }),
    );
    this.lines = new LogMatcher((inst, line, pattern) =>
      this.fromInstance(inst, { kind: 'log_match', reason: `line matched ${pattern}: ${line}` }, [line]),
    );
  }

  /** Picks up what a previous daemon left in the queue. */
  start(): void {
    this.store.load();
    if (this.store.jobs.length > 0) {
      this.d.log(`notify: ${this.store.jobs.length} undelivered message(s) from before; sending`);
      this.dispatcher.pump();
    }
  }

  get active(): boolean {
    return this.channels.size > 0;
  }

  /** A change of the process table (supervisor onChange). */
  onTableEvent(ev: { pm_id: number; event: string; status: string }): void {
    if (!this.active) return;
    this.follow();
    const inst = this.d.instances().find((i) => i.pm_id === ev.pm_id);
    if (!inst) return;
    const c = classify(ev.event, ev.status, inst.history.at(-1));
    if (c) this.fromInstance(inst, c);
  }

  /** Thresholds and log patterns follow the table: timers and output only when needed. */
  private follow(): void {
    const insts = this.d.instances();
    this.thresholds.sync(this.active);
    this.linesWanted = this.active && LogMatcher.wanted(insts);
  }

  /** Does the notifier need app output (some app has a log_pattern and a channel is set)? */
  wantsOutput(): boolean {
    return this.linesWanted;
  }

  output(inst: Instance, stream: string, chunk: Buffer): void {
    if (this.linesWanted) this.lines.output(inst, stream, chunk);
  }

  private fromInstance(
    inst: Instance,
    c: { kind: EventKind; reason: string; exit_code?: number; signal?: string },
    lines?: string[],
  ): void {
    const n = inst.config.notify;
    if (n && !n.enabled) return;
    const last = lines ?? errorTail(inst.logPaths.err, LAST_LINES, () => inst.recentLines(LAST_LINES));
    this.event({
      kind: c.kind,
      at: this.clock.now(),
      host: this.host,
      app: inst.config.name,
      pm_id: inst.pm_id,
      reason: c.reason,
      ...(c.exit_code !== undefined ? { exit_code: c.exit_code } : {}),
      ...(c.signal !== undefined ? { signal: c.signal } : {}),
      last_lines: last,
    });
  }

  private event(ev: NotifyEvent): void {
    if (!this.active) return;
    const global = this.settings.events;
    if (global && !global.includes(ev.kind)) return;
    const appEvents = this.appNotify(ev.app)?.events;
    if (appEvents && !appEvents.includes(ev.kind)) return;
    this.grouper.add(ev);
  }

  private appNotify(app: string): Instance['config']['notify'] {
    return this.d.instances().find((i) => i.config.name === app)?.config.notify;
  }

  private send(ev: NotifyEvent, count: number, firstAt: number): void {
    const wanted = this.appNotify(ev.app)?.channels;
    const to = [...this.channels.keys()].filter((ch) => !wanted || wanted.includes(ch));
    if (to.length === 0) return;
    this.dispatcher.enqueue({ ...ev, id: crypto().randomUUID(), count, first_at: firstAt }, to);
  }

  /** `notifyEmit`: an event from a client (a deploy rolled back on this host). */
  emit(input: EmitInput): { queued: boolean } {
    if (!this.active) return { queued: false };
    const inst = this.d.instances().find((i) => i.config.name === input.app);
    if (inst?.config.notify && !inst.config.notify.enabled) return { queued: false };
    this.event({
      kind: input.event,
      at: this.clock.now(),
      host: this.host,
      app: input.app,
      pm_id: input.pm_id ?? null,
      reason: input.reason,
      ...(input.exit_code !== undefined ? { exit_code: input.exit_code } : {}),
      ...(input.signal !== undefined ? { signal: input.signal } : {}),
      last_lines: input.lines ?? (inst ? errorTail(inst.logPaths.err, LAST_LINES, () => []) : []),
    });
    return { queued: true };
  }

  /** `steward notify test [channel]`: one test message, now, outside the queue; the answers. */
  async test(channel: string | undefined): Promise<Array<{ channel: string; ok: boolean; answer: string }>> {
    if (channel !== undefined && !isChannelName(channel)) {
      throw new StewardError('E_USAGE', `unknown notify channel "${channel}"`, {
        hint: 'channels are webhook, slack, discord, teams, email, command',
      });
    }
    const targets = channel ? [channel] : [...this.channels.keys()];
    if (targets.length === 0 || (channel && !this.channels.has(channel))) {
      throw new StewardError(
        'E_CONFIG',
        channel ? `notify channel ${channel} is not configured` : 'no notify channel is configured',
        {
          hint: howToSet(channel),
        },
      );
    }
    const now = this.clock.now();
    const msg: NotifyMessage = {
      kind: 'test',
      at: now,
      host: this.host,
      app: '',
      pm_id: null,
      reason: 'steward notify test',
      last_lines: [],
      id: crypto().randomUUID(),
      count: 1,
      first_at: now,
    };
    return Promise.all(
      targets.map(async (name) => {
        const ch = this.channels.get(name) as Channel;
        try {
          return { channel: name, ok: true, answer: await this.dispatcher.sendNow(ch, msg) };
        } catch (e) {
          return { channel: name, ok: false, answer: (e as Error).message };
        }
      }),
    );
  }

  status(): NotifyStatus {
    return {
      host: this.host,
      channels: this.dispatcher.status(Object.keys(this.store.counters) as ChannelName[]),
      settings: this.masked(),
    };
  }

  masked(): Record<string, unknown> {
    return maskedNotifySettings(this.settings);
  }

  /** `steward set notify.<key>`: checked, saved (0600), applied at once. */
  set(key: string, value: string | null): void {
    this.settings = updateNotifySetting(this.settingsPath, this.settings, key, value);
    this.channels = buildChannels(this.settings, this.host, this.clock.now);
    this.follow();
    this.dispatcher.pump();
  }

  /** Daemon shutdown: waiting summaries go to the queue, which is saved for the next daemon. */
  close(): void {
    this.grouper.flushAll();
    this.thresholds.close();
    this.dispatcher.close();
  }
}

/** The fix for a channel that is not configured. */
function howToSet(channel: string | undefined): string {
  if (channel === 'email')
    return 'e-mail needs both notify.smtp (smtp://user:pass@host:port) and notify.email_to';
  if (channel === 'command')
    return 'e.g. `steward set notify.command \'logger -t steward "$STEWARD_EVENT"\'`';
  return `e.g. \`steward set notify.${channel ?? 'webhook'} https://…\`; see docs/notifications.md`;
}
