import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Grouper } from '../../../../src/daemon/notify/grouper.js';
import type { EventKind, NotifyEvent } from '../../../../src/daemon/notify/types.js';
import { FakeClock } from './fake-clock.js';

const ev = (clock: FakeClock, kind: EventKind = 'exit', app = 'api'): NotifyEvent => ({
  kind,
  at: clock.now(),
  host: 'h',
  app,
  pm_id: 0,
  reason: `crashed at ${clock.now()}`,
  last_lines: [],
});

function setup(windowMs = 10_000) {
  const clock = new FakeClock();
  const sent: Array<{ ev: NotifyEvent; count: number; firstAt: number; at: number }> = [];
  const g = new Grouper(
    clock,
    () => windowMs,
    (e, count, firstAt) => sent.push({ ev: e, count, firstAt, at: clock.now() }),
  );
  return { clock, sent, g };
}

describe('notify grouper', () => {
  it('sends the first event at once and needs no timer for a lone event', () => {
    const { clock, sent, g } = setup();
    g.add(ev(clock));
    assert.equal(sent.length, 1);
    assert.equal(sent[0]?.count, 1);
    assert.equal(clock.pending, 0);
  });

  it('turns a crash loop of 50 exits in 30 s into 1 + ceil(30 s / window) messages whose counts add up to 50', async () => {
    const { clock, sent, g } = setup(10_000);
    const t0 = clock.now();
    for (let k = 0; k < 50; k += 1) {
      g.add(ev(clock));
      await clock.advance(600); // 50 × 600 ms = 30 s
    }
    await clock.advance(10_000);
    assert.ok(sent.length <= 1 + Math.ceil(30_000 / 10_000), `${sent.length} messages`);
    assert.equal(
      sent.reduce((n, s) => n + s.count, 0),
      50,
    );
    // Summaries go out when their window closes, naming when their first event happened.
    const second = sent[1];
    assert.ok(second);
    assert.equal(second.at, t0 + 10_000);
    assert.equal(second.firstAt, t0 + 600);
    assert.equal(clock.pending, 0, 'no timer once it is quiet');
  });

  it('groups per app and kind: other apps and kinds are not held back', () => {
    const { clock, sent, g } = setup();
    g.add(ev(clock, 'exit', 'a'));
    g.add(ev(clock, 'exit', 'b'));
    g.add(ev(clock, 'errored', 'a'));
    g.add(ev(clock, 'exit', 'a'));
    assert.deepEqual(
      sent.map((s) => `${s.ev.app}:${s.ev.kind}`),
      ['a:exit', 'b:exit', 'a:errored'],
    );
  });

  it('groups daemon_recovered for the whole host (every app restarts at once)', async () => {
    const { clock, sent, g } = setup();
    for (const app of ['a', 'b', 'c', 'd']) g.add(ev(clock, 'daemon_recovered', app));
    await clock.advance(10_000);
    assert.deepEqual(
      sent.map((s) => [s.ev.app, s.count]),
      [
        ['a', 1],
        ['d', 3],
      ],
    );
  });

  it('sends an event after a quiet window at once again', async () => {
    const { clock, sent, g } = setup(1000);
    g.add(ev(clock));
    await clock.advance(1500);
    g.add(ev(clock));
    assert.equal(sent.length, 2);
    assert.equal(sent[1]?.count, 1);
  });

  it('flushAll sends the waiting summaries (daemon shutdown)', () => {
    const { clock, sent, g } = setup();
    g.add(ev(clock));
    g.add(ev(clock));
    g.add(ev(clock));
    g.flushAll();
    assert.deepEqual(
      sent.map((s) => s.count),
      [1, 2],
    );
    assert.equal(clock.pending, 0);
  });
});
