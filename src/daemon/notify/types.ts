import { NOTIFY_CHANNEL_NAMES, NOTIFY_EVENT_NAMES } from '../../config/normalize-notify.js';
/**
 * What the notifier passes around: an event (one thing that happened to an app, or to the host),
 * a message (an event, or a summary of several of the same kind within the grouping window), and
 * the clock the grouper and the dispatcher run on (real timers in the daemon, a fake one in tests).
 */
/** The events an app's `notify.events` can name (config/normalize-notify.ts), and `test`. */
export const EVENT_KINDS = [...NOTIFY_EVENT_NAMES, 'test'] as const;
export type EventKind = (typeof EVENT_KINDS)[number];

export const CHANNEL_NAMES = NOTIFY_CHANNEL_NAMES;
export type ChannelName = (typeof CHANNEL_NAMES)[number];

export interface NotifyEvent {
  kind: EventKind;
  at: number;
  host: string;
  /** The app's name; '' for an event of the host (a test message). */
  app: string;
  pm_id: number | null;
  reason: string;
  exit_code?: number;
  signal?: string;
  /** The last lines of the app's error log (may be empty). */
  last_lines: string[];
}

export interface NotifyMessage extends NotifyEvent {
  /** Unique per message; receivers can deduplicate a retried delivery by it. */
  id: string;
  /** How many events this message stands for (1, or more for a summary of a window). */
  count: number;
  /** When the first of those events happened. */
  first_at: number;
}

/** One channel: sends a message, resolves with the channel's answer or rejects with why not. */
export interface Channel {
  readonly name: ChannelName;
  send(msg: NotifyMessage): Promise<string>;
}

export interface Clock {
  now: () => number;
  setTimer: (ms: number, fire: () => void) => unknown;
  clearTimer: (handle: unknown) => void;
}

export const realClock: Clock = {
  now: () => Date.now(),
  setTimer: (ms, fire) => {
    const t = setTimeout(fire, ms);
    t.unref();
    return t;
  },
  clearTimer: (h) => clearTimeout(h as NodeJS.Timeout),
};

export function isEventKind(s: string): s is EventKind {
  return (EVENT_KINDS as readonly string[]).includes(s);
}

export function isChannelName(s: string): s is ChannelName {
  return (CHANNEL_NAMES as readonly string[]).includes(s);
}
