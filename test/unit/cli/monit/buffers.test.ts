import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  History,
  HISTORY_SAMPLES,
  LOG_LINE_MAX,
  LOG_LINES_PER_APP,
  LogBuffer,
} from '../../../../src/cli/monit/buffers.js';
import { formatMetric, parseDetails } from '../../../../src/cli/monit/details.js';

describe('monit buffers', () => {
  it('keeps a bounded history per process and forgets removed ones', () => {
    const h = new History();
    for (let i = 0; i < HISTORY_SAMPLES + 10; i += 1) h.push([{ pm_id: 0, cpu: i, memory: i * 10 }]);
    assert.equal(h.get(0).cpu.length, HISTORY_SAMPLES);
    assert.equal(h.get(0).cpu.at(-1), HISTORY_SAMPLES + 9);
    h.push([{ pm_id: 1, cpu: 1, memory: 1 }]);
    assert.deepEqual(h.get(0), { cpu: [], memory: [] });
  });

  it('reassembles lines from chunks, shows an unfinished line, caps lines and their length', () => {
    const b = new LogBuffer();
    b.push(0, 'out', 'one\ntw', 1);
    assert.deepEqual(
      b.tail(0, 10).map((l) => l.text),
      ['one', 'tw'],
    );
    b.push(0, 'out', 'o\n', 2);
    b.push(0, 'err', 'bad\n', 3);
    assert.deepEqual(
      b.tail(0, 10).map((l) => [l.text, l.err]),
      [
        ['one', false],
        ['two', false],
        ['bad', true],
      ],
    );
    const burst = Array.from({ length: LOG_LINES_PER_APP * 3 }, (_, i) => `line ${i}`).join('\n') + '\n';
    b.push(0, 'out', burst, 4);
    const tail = b.tail(0, 1000);
    assert.equal(tail.length, LOG_LINES_PER_APP);
    assert.equal(tail.at(-1)?.text, `line ${LOG_LINES_PER_APP * 3 - 1}`);
    b.push(0, 'out', 'x'.repeat(LOG_LINE_MAX * 10) + '\n', 5);
    assert.equal(b.tail(0, 1)[0]?.text.length, LOG_LINE_MAX);
    b.retain(new Set([1]));
    assert.deepEqual(b.tail(0, 10), []);
  });

  it('primes with past lines older than the first live one', () => {
    const b = new LogBuffer();
    b.push(0, 'out', 'live 1\n', 100);
    b.prime(0, [
      { text: 'old 1', err: false, at: 50 },
      { text: 'live 1', err: false, at: 100 },
    ]);
    assert.deepEqual(
      b.tail(0, 10).map((l) => l.text),
      ['old 1', 'live 1'],
    );
    assert.equal(b.isPrimed(0), true);
  });
});

describe('monit details', () => {
  it('parses a describe entry, metrics in order, and tolerates missing fields', () => {
    const d = parseDetails({
      pm_id: 3,
      name: 'api',
      pm2_env: {
        exec_mode: 'cluster_mode',
        exec_interpreter: 'node',
        pm_exec_path: '/srv/api.js',
        unstable_restarts: 2,
        axm_monitor: {
          'Heap Used': { value: 12.3456, unit: 'MiB' },
          'Event Loop Latency p95': { value: 1.5, unit: 'ms' },
          Requests: 7,
          Mode: { value: 'primary' },
        },
      },
    });
    assert.equal(d?.mode, 'cluster');
    assert.equal(d?.unstableRestarts, 2);
    assert.deepEqual(d?.metrics, [
      { name: 'Heap Used', value: '12.35 MiB' },
      { name: 'Event Loop Latency p95', value: '1.5 ms' },
      { name: 'Requests', value: '7' },
      { name: 'Mode', value: 'primary' },
    ]);
    assert.equal(parseDetails({ pm_id: 1 }), undefined);
    assert.equal(parseDetails(undefined), undefined);
    assert.deepEqual(parseDetails({ pm_id: 1, pm2_env: {} })?.metrics, []);
    assert.equal(formatMetric({ value: null }), '-');
  });
});
