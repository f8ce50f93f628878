import type { NotifyChannelStatus } from '../../protocol/methods.js';
import type { Job, QueueStore } from './queue.js';
import type { Channel, ChannelName, Clock, NotifyMessage } from './types.js';

/**
 * Delivers queued messages: per channel one attempt at a time, in order, the head job retried with
 * exponential back-off (BACKOFF_BASE_MS doubling up to BACKOFF_MAX_MS) and dropped after
 * MAX_ATTEMPTS. A channel with FAILING_AFTER failed attempts in a row is reported as failing
 * (`steward show`, notifyStatus) until it delivers again. One timer, only while jobs wait.
 */
export const BACKOFF_BASE_MS = 1000;
export const BACKOFF_MAX_MS = 60_000;
export const MAX_ATTEMPTS = 8;
export const FAILING_AFTER = 3;

export function backoffMs(attempts: number): number {
  return Math.min(BACKOFF_MAX_MS, BACKOFF_BASE_MS * 2 ** Math.max(0, attempts - 1));
}

/** A channel's state, as `notifyStatus` answers it (src/protocol/methods.ts). */
export interface ChannelStatus extends NotifyChannelStatus {
  channel: ChannelName;
}

export class Dispatcher {
  private readonly busy = new Set<ChannelName>();
  private timer: unknown;
  private timerAt = 0;
  private closed = false;

  constructor(
    private readonly clock: Clock,
    private readonly store: QueueStore,
    private readonly channels: () => ReadonlyMap<ChannelName, Channel>,
    private readonly log: (msg: string) => void,
  ) {}

  enqueue(message: NotifyMessage, to: readonly ChannelName[]): void {
    const now = this.clock.now();
    for (const channel of to) {
      const dropped = this.store.push({ channel, message, attempts: 0, next_at: now });
      if (dropped) {
        this.store.countersOf(dropped.channel).dropped += 1;
        this.log(`notify: queue full, dropped a ${dropped.message.kind} message for ${dropped.channel}`);
      }
    }
    this.store.save();
    this.pump();
  }

  /** Starts every due head job whose channel is idle, then sets the timer for the next one. */
  pump(): void {
    if (this.closed) return;
    const now = this.clock.now();
    const heads = new Map<ChannelName, Job>();
    for (const j of this.store.jobs) if (!heads.has(j.channel)) heads.set(j.channel, j);
    let next = Infinity;
    for (const [ch, job] of heads) {
      if (this.busy.has(ch)) continue;
      if (job.next_at <= now) this.attempt(job);
      else next = Math.min(next, job.next_at);
    }
    this.arm(next);
  }

  private arm(at: number): void {
    if (this.timer !== undefined && this.timerAt <= at) return;
    if (this.timer !== undefined) this.clock.clearTimer(this.timer);
    this.timer = undefined;
    if (at === Infinity) return;
    this.timerAt = at;
    this.timer = this.clock.setTimer(Math.max(0, at - this.clock.now()), () => {
      this.timer = undefined;
      this.pump();
    });
  }

  private attempt(job: Job): void {
    const channel = this.channels().get(job.channel);
    if (!channel) {
      // Unset since it was queued: nothing to deliver it to.
      this.store.remove(job);
      this.store.save();
      queueMicrotask(() => this.pump());
      return;
    }
    this.busy.add(job.channel);
    job.attempts += 1;
    channel.send(job.message).then(
      (answer) => this.settle(job, undefined, answer),
      (e: unknown) => this.settle(job, e instanceof Error ? e.message : String(e), undefined),
    );
  }

  private settle(job: Job, error: string | undefined, answer: string | undefined): void {
    this.busy.delete(job.channel);
    const c = this.store.countersOf(job.channel);
    const now = this.clock.now();
    if (error === undefined) {
      c.sent += 1;
      c.consecutive_failures = 0;
      c.last_ok_at = now;
      if (answer !== undefined) c.last_answer = answer;
      this.store.remove(job);
    } else {
      c.failures += 1;
      c.consecutive_failures += 1;
      c.last_error = error;
      c.last_error_at = now;
      if (job.attempts >= MAX_ATTEMPTS) {
        c.dropped += 1;
        this.store.remove(job);
        this.log(
          `notify: ${job.channel}: gave up a ${job.message.kind} message after ${job.attempts} attempts (${error})`,
        );
      } else {
        job.next_at = now + backoffMs(job.attempts);
        if (job.attempts === 1) this.log(`notify: ${job.channel}: ${error}; retrying with back-off`);
      }
    }
    this.store.save();
    this.pump();
  }

  /** Sends one message now, outside the queue (`steward notify test`); counts like a delivery. */
  async sendNow(channel: Channel, message: NotifyMessage): Promise<string> {
    const c = this.store.countersOf(channel.name);
    try {
      const answer = await channel.send(message);
      c.sent += 1;
      c.consecutive_failures = 0;
      c.last_ok_at = this.clock.now();
      c.last_answer = answer;
      return answer;
    } catch (e) {
      c.failures += 1;
      c.consecutive_failures += 1;
      c.last_error = (e as Error).message;
      c.last_error_at = this.clock.now();
      throw e;
    } finally {
      this.store.save();
      this.pump();
    }
  }

  status(names: Iterable<ChannelName>): ChannelStatus[] {
    const configured = new Set(this.channels().keys());
    const all = new Set<ChannelName>([...names, ...configured]);
    return [...all].map((channel) => {
      const c = this.store.countersOf(channel);
      const jobs = this.store.jobs.filter((j) => j.channel === channel);
      const head = jobs[0];
      const state =
        c.consecutive_failures >= FAILING_AFTER ? 'failing' : c.consecutive_failures > 0 ? 'retrying' : 'ok';
      return {
        channel,
        configured: configured.has(channel),
        state,
        queued: jobs.length,
        sent: c.sent,
        failures: c.failures,
        dropped: c.dropped,
        consecutive_failures: c.consecutive_failures,
        ...(c.last_error !== undefined ? { last_error: c.last_error } : {}),
        ...(c.last_error_at !== undefined ? { last_error_at: c.last_error_at } : {}),
        ...(c.last_ok_at !== undefined ? { last_ok_at: c.last_ok_at } : {}),
        ...(head && head.attempts > 0 ? { next_attempt_at: head.next_at } : {}),
      };
    });
  }

  close(): void {
    this.closed = true;
    if (this.timer !== undefined) this.clock.clearTimer(this.timer);
    this.timer = undefined;
    // Nothing to save: every change of the queue was saved when it happened.
  }
}
