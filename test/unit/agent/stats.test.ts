import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { RESERVOIR_SIZE, Reservoir, SlidingRate } from '../../../src/agent/stats.js';

describe('SlidingRate (meter)', () => {
  const t0 = 1_000_000;

  it('divides by its age while younger than the window, at least 1 s', () => {
    const r = new SlidingRate(60_000, t0);
    r.mark(30, t0);
    assert.equal(r.rate(t0 + 10), 30);
    assert.equal(r.rate(t0 + 2000), 15);
    assert.equal(r.rate(t0 + 10_000), 3);
  });

  it('forgets events older than the window', () => {
    const r = new SlidingRate(60_000, t0);
    r.mark(60, t0);
    for (let s = 1; s <= 120; s += 1) r.mark(1, t0 + s * 1000);
    // 60 s window: the last ~60 one-per-second events, the burst at t0 is out.
    const rate = r.rate(t0 + 120_000);
    assert.ok(rate > 0.95 && rate <= 1.02, String(rate));
    assert.equal(r.rate(t0 + 500_000), 0);
  });

  it('has a resolution of timeframe / 60', () => {
    const r = new SlidingRate(6000, t0);
    r.mark(6, t0 + 10_000);
    // 6 events over the window's 5.95 s (59 full buckets and 50 ms of the current one).
    assert.ok(Math.abs(r.rate(t0 + 10_050) - 6 / 5.95) < 1e-9);
    assert.equal(r.rate(t0 + 16_200), 0);
  });
});

describe('Reservoir (histogram)', () => {
  it('has nothing before the first value', () => {
    assert.equal(new Reservoir().summary(), undefined);
  });

  it('gives exact nearest-rank percentiles, min, max and mean', () => {
    const r = new Reservoir();
    for (let i = 100; i >= 1; i -= 1) r.update(i);
    assert.deepEqual(r.summary(), {
      count: 100,
      sum: 5050,
      min: 1,
      max: 100,
      mean: 50.5,
      p50: 50,
      p95: 95,
      p99: 99,
    });
    r.update(1000);
    assert.equal(r.summary()?.max, 1000, 'an update invalidates the cached summary');
  });

  it('keeps memory bounded: statistics over the latest values, count and sum since the start', () => {
    const r = new Reservoir();
    for (let i = 0; i < RESERVOIR_SIZE; i += 1) r.update(1);
    for (let i = 0; i < RESERVOIR_SIZE; i += 1) r.update(3);
    const s = r.summary();
    assert.equal(s?.count, 2 * RESERVOIR_SIZE);
    assert.equal(s?.sum, 4 * RESERVOIR_SIZE);
    assert.equal(s?.min, 3);
    assert.equal(s?.mean, 3);
  });
});
