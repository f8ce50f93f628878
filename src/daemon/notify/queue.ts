import { readFileSync } from 'node:fs';
import { writeFileAtomic } from '../../common/atomic-write.js';
import type { NotifyChannelStatus } from '../../protocol/methods.js';
import { isChannelName, type ChannelName, type NotifyMessage } from './types.js';

/**
 * The messages not yet delivered, one job per message and channel, in STEWARD_HOME/notify-queue.json
 * (0600, written atomically on every change), so that a daemon restart (`kill`, `update`, a crash)
 * loses none. Small by design: past QUEUE_MAX jobs the oldest are dropped (and counted).
 */
export const QUEUE_MAX = 200;

export interface Job {
  channel: ChannelName;
  message: NotifyMessage;
  attempts: number;
  next_at: number;
}

/** What survives a restart of each channel's state (the rest of `notifyStatus` is live). */
export type ChannelCounters = Pick<
  NotifyChannelStatus,
  'sent' | 'failures' | 'dropped' | 'consecutive_failures' | 'last_error' | 'last_error_at' | 'last_ok_at'
> & { last_answer?: string };

interface QueueFile {
  format: 1;
  jobs: Job[];
  channels: Partial<Record<ChannelName, ChannelCounters>>;
}

export class QueueStore {
  jobs: Job[] = [];
  counters: Partial<Record<ChannelName, ChannelCounters>> = {};

  constructor(
    private readonly path: string,
    private readonly log: (msg: string) => void,
  ) {}

  /** Reads what a previous daemon left; a damaged file is reported and set aside (not fatal). */
  load(): void {
    let text: string;
    try {
      text = readFileSync(this.path, 'utf8');
    } catch {
      return;
    }
    try {
      const f = JSON.parse(text) as QueueFile;
      if (f.format !== 1 || !Array.isArray(f.jobs)) throw new Error('not a notify queue');
      this.jobs = f.jobs.filter((j) => isChannelName(j.channel) && typeof j.message?.kind === 'string');
      this.counters = typeof f.channels === 'object' && f.channels !== null ? f.channels : {};
    } catch (e) {
      this.log(`notify: ${this.path} is unreadable (${(e as Error).message}); starting with an empty queue`);
    }
  }

  save(): void {
    const f: QueueFile = { format: 1, jobs: this.jobs, channels: this.counters };
    try {
      writeFileAtomic(this.path, JSON.stringify(f) + '\n', { fsync: false });
    } catch (e) {
      this.log(`notify: cannot write ${this.path}: ${(e as Error).message}`);
    }
  }

  /** Adds a job; past QUEUE_MAX the oldest job goes (returned, to be counted as dropped). */
  push(job: Job): Job | undefined {
    this.jobs.push(job);
    return this.jobs.length > QUEUE_MAX ? this.jobs.shift() : undefined;
  }

  remove(job: Job): void {
    const i = this.jobs.indexOf(job);
    if (i >= 0) this.jobs.splice(i, 1);
  }

  countersOf(ch: ChannelName): ChannelCounters {
    return (this.counters[ch] ??= { sent: 0, failures: 0, dropped: 0, consecutive_failures: 0 });
  }
}
