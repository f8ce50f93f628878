import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { runFleet, summaryTable } from '../../../src/deploy/fleet.js';

/** Records which jobs run at the same time; `fail` names hosts whose job throws. */
function recorder(fail: string[] = []) {
  const order: string[] = [];
  let running = 0;
  let most = 0;
  const job = async (label: string) => {
    running += 1;
    most = Math.max(most, running);
    order.push(`start ${label}`);
    await new Promise((r) => setImmediate(r));
    order.push(`end ${label}`);
    running -= 1;
    if (fail.includes(label)) throw new Error(`${label}: broke`);
    return { release: `r-${label}` };
  };
  return { order, job, most: () => most };
}

describe('runFleet', () => {
  it('runs all hosts at once by default, at most --parallel at a time when given', async () => {
    const all = recorder();
    await runFleet(['a', 'b', 'c'], { parallel: 3, canary: false }, all.job);
    assert.equal(all.most(), 3);
    const two = recorder();
    await runFleet(['a', 'b', 'c'], { parallel: 2, canary: false }, two.job);
    assert.equal(two.most(), 2);
  });

  it('--canary: the first host alone, then the rest', async () => {
    const r = recorder();
    await runFleet(['a', 'b', 'c'], { parallel: 3, canary: true }, r.job);
    assert.deepEqual(r.order.slice(0, 3), ['start a', 'end a', 'start b']);
  });

  it('the first failure stops hosts that have not started; running ones finish', async () => {
    const r = recorder(['a']);
    const res = await runFleet(['a', 'b', 'c'], { parallel: 1, canary: false }, r.job);
    assert.deepEqual(
      res.map((x) => x.status),
      ['failed', 'skipped', 'skipped'],
    );
    const par = await runFleet(['a', 'b'], { parallel: 2, canary: false }, recorder(['a']).job);
    assert.deepEqual(
      par.map((x) => x.status),
      ['failed', 'ok'],
    );
  });

  it('summarises host, release, seconds and result, without repeating the host in the error', async () => {
    const res = await runFleet(['u@web1:22', 'web2'], { parallel: 1, canary: false }, (l) =>
      l === 'u@web1:22'
        ? Promise.reject(new Error('u@web1:22: the post-deploy hook failed (exit 1)'))
        : Promise.resolve({ release: 'r1' }),
    );
    const lines = summaryTable(res).split('\n');
    assert.match(lines[0] ?? '', /^host +release +seconds +result$/);
    assert.match(lines[1] ?? '', /^u@web1:22 +- +\d+\.\d +failed: the post-deploy hook failed \(exit 1\)$/);
    assert.match(lines[2] ?? '', /^web2 +- +- +skipped \(an earlier host failed\)$/);
  });
});
