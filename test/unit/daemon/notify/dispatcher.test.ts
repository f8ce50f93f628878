import assert from 'node:assert/strict';
import { statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import {
  backoffMs,
  BACKOFF_MAX_MS,
  Dispatcher,
  MAX_ATTEMPTS,
} from '../../../../src/daemon/notify/dispatcher.js';
import { QUEUE_MAX, QueueStore } from '../../../../src/daemon/notify/queue.js';
import type { Channel, ChannelName, NotifyMessage } from '../../../../src/daemon/notify/types.js';
import { tmpDir } from '../../../helpers.js';
import { FakeClock, turns } from './fake-clock.js';

const msg = (id: string): NotifyMessage => ({
  id,
  kind: 'errored',
  at: 0,
  first_at: 0,
  count: 1,
  host: 'h',
  app: 'api',
  pm_id: 0,
  reason: 'r',
  last_lines: [],
});

/** A channel that fails while `down`, recording when each attempt happened. */
class FlakyChannel implements Channel {
  readonly name: ChannelName = 'webhook';
  down = true;
  attempts: number[] = [];
  delivered: string[] = [];
  constructor(private readonly clock: FakeClock) {}
  send(m: NotifyMessage): Promise<string> {
    this.attempts.push(this.clock.now());
    if (this.down) return Promise.reject(new Error('connection refused (ECONNREFUSED)'));
    this.delivered.push(m.id);
    return Promise.resolve('200 OK');
  }
}

function setup(dir = tmpDir('stwq-')) {
  const clock = new FakeClock();
  const store = new QueueStore(join(dir, 'notify-queue.json'), () => undefined);
  const ch = new FlakyChannel(clock);
  const d = new Dispatcher(
    clock,
    store,
    () => new Map([[ch.name, ch]]),
    () => undefined,
  );
  return { clock, store, ch, d, dir };
}

describe('notify dispatcher', () => {
  it('backs off exponentially up to a cap', () => {
    assert.deepEqual([1, 2, 3, 4, 5].map(backoffMs), [1000, 2000, 4000, 8000, 16000]);
    assert.equal(backoffMs(20), BACKOFF_MAX_MS);
  });

  it('retries a down channel with back-off, reports it failing, and delivers once it is back', async () => {
    const { clock, ch, d } = setup();
    const t0 = clock.now();
    d.enqueue(msg('m1'), ['webhook']);
    await clock.advance(7000 + 1);
    assert.deepEqual(
      ch.attempts.map((t) => t - t0),
      [0, 1000, 3000, 7000],
    );
    const s = d.status([])[0];
    assert.equal(s?.state, 'failing');
    assert.equal(s?.queued, 1);
    assert.equal(s?.next_attempt_at, t0 + 7000 + 8000);
    ch.down = false;
    await clock.advance(8000);
    assert.deepEqual(ch.delivered, ['m1']);
    assert.equal(d.status([])[0]?.state, 'ok');
    assert.equal(clock.pending, 0, 'no timer once the queue is empty');
  });

  it('gives up a message after MAX_ATTEMPTS and counts it dropped (not retried forever)', async () => {
    const { clock, ch, d, store } = setup();
    d.enqueue(msg('m1'), ['webhook']);
    await clock.advance(30 * 60_000);
    assert.equal(ch.attempts.length, MAX_ATTEMPTS);
    assert.equal(store.jobs.length, 0);
    assert.equal(d.status([])[0]?.dropped, 1);
    assert.equal(clock.pending, 0);
  });

  it('keeps the order per channel: the head is retried, the rest wait', async () => {
    const { clock, ch, d } = setup();
    d.enqueue(msg('m1'), ['webhook']);
    d.enqueue(msg('m2'), ['webhook']);
    await clock.advance(1);
    ch.down = false;
    await clock.advance(1000);
    assert.deepEqual(ch.delivered, ['m1', 'm2']);
  });

  it('persists the queue (0600) so that the next daemon sends what was left', async () => {
    const first = setup();
    first.d.enqueue(msg('m1'), ['webhook']);
    await turns();
    first.d.close();
    const path = join(first.dir, 'notify-queue.json');
    assert.equal(statSync(path).mode & 0o777, 0o600);
    const next = setup(first.dir);
    next.store.load();
    assert.equal(next.store.jobs.length, 1);
    next.ch.down = false;
    next.d.pump();
    await next.clock.advance(BACKOFF_MAX_MS);
    assert.deepEqual(next.ch.delivered, ['m1']);
  });

  it('drops a job whose channel is no longer configured', async () => {
    const clock = new FakeClock();
    const store = new QueueStore(join(tmpDir('stwq-'), 'q.json'), () => undefined);
    const d = new Dispatcher(
      clock,
      store,
      () => new Map(),
      () => undefined,
    );
    d.enqueue(msg('m1'), ['slack']);
    await clock.advance(1);
    assert.equal(store.jobs.length, 0);
  });

  it('keeps at most QUEUE_MAX jobs, dropping the oldest', () => {
    const { d, store } = setup();
    for (let k = 0; k < QUEUE_MAX + 5; k += 1) d.enqueue(msg(`m${k}`), ['webhook']);
    assert.equal(store.jobs.length, QUEUE_MAX);
    assert.equal(store.jobs[0]?.message.id, 'm5');
    assert.equal(d.status([])[0]?.dropped, 5);
  });
});
