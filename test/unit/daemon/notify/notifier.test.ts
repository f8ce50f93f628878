import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { Notifier } from '../../../../src/daemon/notify/notifier.js';
import type { Instance } from '../../../../src/daemon/lifecycle/instance.js';
import { tmpDir } from '../../../helpers.js';
import { FakeClock } from './fake-clock.js';

describe('notifier without a channel', () => {
  it('costs nothing: no look at the table, no timer, no file, no output wanted', () => {
    const home = tmpDir('stwnh-');
    const clock = new FakeClock();
    let looked = 0;
    const n = new Notifier({
      home,
      log: () => assert.fail('nothing to log'),
      instances: (): Instance[] => {
        looked += 1;
        return [];
      },
      clock,
      host: 'h',
    });
    n.start();
    assert.equal(n.active, false);
    for (let k = 0; k < 1000; k += 1) n.onTableEvent({ pm_id: 0, event: 'exit', status: 'waiting restart' });
    assert.equal(n.wantsOutput(), false);
    assert.deepEqual(n.emit({ event: 'deploy_rolled_back', app: 'api', reason: 'r' }), { queued: false });
    n.close();
    assert.equal(looked, 0);
    assert.equal(clock.pending, 0);
    assert.equal(existsSync(join(home, 'notify-queue.json')), false);
    assert.deepEqual(n.status().channels, []);
  });

  it('queues an emitted event once a channel is set, and unset drops it from the channels', () => {
    const home = tmpDir('stwnh-');
    const clock = new FakeClock();
    const n = new Notifier({ home, log: () => undefined, instances: () => [], clock, host: 'h' });
    // Port 9: fetch refuses it (a "bad port"), so the attempt fails and is retried later.
    n.set('notify.webhook', 'http://127.0.0.1:9/hook');
    assert.equal(n.active, true);
    assert.deepEqual(n.emit({ event: 'deploy_rolled_back', app: 'api', reason: 'health gate failed' }), {
      queued: true,
    });
    assert.equal(n.status().channels[0]?.queued, 1);
    assert.ok(existsSync(join(home, 'notify-queue.json')));
    n.set('notify.webhook', null);
    assert.equal(n.active, false);
    n.close();
  });
});
