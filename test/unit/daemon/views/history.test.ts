import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  agentSample,
  BYTES_AGENT,
  BYTES_BASE,
  COARSE_MS,
  COARSE_SLOTS,
  FINE_SLOTS,
  InstanceRings,
  MetricsHistory,
} from '../../../../src/daemon/views/history.js';

const T0 = 1_700_000_000_000; // a whole 10 s boundary

describe('metrics history rings', () => {
  it('keeps one point a second, in time order, and a gap for a second without a sample', () => {
    const r = new InstanceRings();
    for (let s = 0; s < 10; s++) if (s !== 4) r.record(T0 + s * 1000 + 300, { cpu: s, memory: s * 10 });
    const h = r.read(T0 + 9500);
    const cpu = h.fine.series.cpu ?? [];
    assert.equal(cpu.length, FINE_SLOTS);
    assert.deepEqual(cpu.slice(-10), [0, 1, 2, 3, null, 5, 6, 7, 8, 9]);
    assert.equal(h.fine.start + (FINE_SLOTS - 1) * 1000, T0 + 9000);
    assert.equal(cpu[0], null, 'before the first sample: no data');
  });

  it('averages each 10 s bucket in the coarse ring, and forgets what is older than an hour', () => {
    const r = new InstanceRings();
    for (let s = 0; s < 20; s++) r.record(T0 + s * 1000, { cpu: s < 10 ? 2 : 4, memory: 1 });
    let h = r.read(T0 + 19_000);
    assert.deepEqual((h.coarse.series.cpu ?? []).slice(-2), [2, 4]);
    // An hour later the old buckets are gone (a gap, not stale numbers).
    const later = T0 + COARSE_SLOTS * COARSE_MS + 25_000;
    r.record(later, { cpu: 9, memory: 1 });
    h = r.read(later);
    const coarse = h.coarse.series.cpu ?? [];
    assert.equal(coarse.filter((v) => v !== null).length, 1);
    assert.equal(coarse.at(-1), 9);
    assert.equal((h.fine.series.cpu ?? []).filter((v) => v !== null).length, 1);
  });

  it('a second sample in the same second replaces the first (no double count in the bucket)', () => {
    const r = new InstanceRings();
    r.record(T0 + 100, { cpu: 10, memory: 0 });
    r.record(T0 + 900, { cpu: 20, memory: 0 });
    r.record(T0 + 1100, { cpu: 30, memory: 0 });
    const h = r.read(T0 + 1500);
    assert.deepEqual((h.fine.series.cpu ?? []).slice(-2), [20, 30]);
    assert.equal(h.coarse.series.cpu?.at(-1), 25);
    assert.equal(BYTES_BASE, 4200);
    assert.equal(BYTES_AGENT, 7680);
  });

  it('allocates the agent series only when an agent reports, and says how many bytes it holds', () => {
    const r = new InstanceRings();
    r.record(T0, { cpu: 1, memory: 1 });
    assert.equal(r.bytes, BYTES_BASE);
    assert.equal(r.read(T0).fine.series.loop_lag, undefined);
    const agent = agentSample({
      'Event Loop Latency': { value: 1.5, unit: 'ms' },
      HTTP: { value: 60 },
      Other: { value: 1 },
    });
    assert.deepEqual(agent, { loop_lag: 1.5, http_rate: 60 });
    r.record(T0 + 1000, { cpu: 1, memory: 1, ...agent });
    assert.equal(r.bytes, BYTES_BASE + BYTES_AGENT);
    assert.deepEqual((r.read(T0 + 1000).fine.series.loop_lag ?? []).slice(-2), [null, 1.5]);
    assert.ok(BYTES_BASE + BYTES_AGENT < 12 * 1024, `${BYTES_BASE + BYTES_AGENT} bytes per instance`);
  });

  it('drops the rings of instances that left the table', () => {
    const m = new MetricsHistory();
    m.record(0, T0, { cpu: 1 });
    m.record(1, T0, { cpu: 1 });
    m.keepOnly(new Set([1]));
    assert.equal(m.get(0), undefined);
    assert.ok(m.get(1));
    assert.equal(m.bytes, BYTES_BASE);
  });
});
