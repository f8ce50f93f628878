import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { judge, parseJlist, waitHealthy, type ProcessRow } from '../../../src/deploy/health.js';

const row = (pm_id: number, status = 'online', restarts = 0, name = 'web'): ProcessRow => ({
  name,
  pm_id,
  pid: 100 + pm_id,
  status,
  restarts,
});

describe('health gate', () => {
  it('parses jlist output after a login profile’s chatter', () => {
    const rows = parseJlist(
      'welcome to the host\n[{"name":"web","pm_id":0,"pid":7,"pm2_env":{"status":"online","restart_time":3,"env":{"SECRET":"x"}}}]\n',
    );
    assert.deepEqual(rows, [{ name: 'web', pm_id: 0, pid: 7, status: 'online', restarts: 3 }]);
  });

  it('judges: missing, dead and restarted fail; launching waits; all online is healthy', () => {
    const base = [row(0), row(1)];
    assert.equal(judge(['web'], base, base).kind, 'healthy');
    assert.equal(judge(['web', 'api'], base, base).kind, 'failed');
    assert.equal(judge(['web'], base, [row(0), row(1, 'launching')]).kind, 'waiting');
    assert.deepEqual(judge(['web'], base, [row(0), row(1, 'errored')]), {
      kind: 'failed',
      app: 'web',
      status: 'errored',
      why: 'it is errored',
    });
    assert.match(
      (judge(['web'], base, [row(0), row(1, 'online', 1)]) as { why: string }).why,
      /restarted 1 time\(s\) after the switch/,
    );
  });

  /** A fake clock: each poll's sleep advances time; snapshots come from a script of states. */
  function fake(states: ProcessRow[][]) {
    let t = 0;
    let i = 0;
    return {
      now: () => t,
      sleep: (ms: number) => {
        t += ms;
        return Promise.resolve();
      },
      snapshot: () => Promise.resolve(states[Math.min(i++, states.length - 1)] ?? []),
      get polls() {
        return i;
      },
    };
  }

  it('is healthy only once every app stayed online for the whole window', async () => {
    const f = fake([[row(0, 'launching')], [row(0)], [row(0)], [row(0)], [row(0)]]);
    const v = await waitHealthy({ apps: ['web'], windowMs: 1000, timeoutMs: 10_000, pollMs: 500, ...f });
    assert.equal(v.kind, 'healthy');
    assert.equal(f.now(), 1500, 'launching at 0, online from 500, healthy at 1500');
  });

  it('fails at once when an app restarts inside the window', async () => {
    const f = fake([[row(0)], [row(0)], [row(0, 'online', 1)]]);
    const v = await waitHealthy({ apps: ['web'], windowMs: 5000, timeoutMs: 10_000, pollMs: 500, ...f });
    assert.equal(v.kind, 'failed');
    assert.equal(f.now(), 1000);
  });

  it('fails naming the app still starting when the timeout passes', async () => {
    const f = fake([[row(0, 'launching')]]);
    const v = await waitHealthy({ apps: ['web'], windowMs: 1000, timeoutMs: 3000, pollMs: 500, ...f });
    assert.deepEqual(v, {
      kind: 'failed',
      app: 'web',
      status: 'launching',
      why: 'it was not online within 3 s',
    });
  });
});
