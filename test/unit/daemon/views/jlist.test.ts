import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Instance } from '../../../../src/daemon/lifecycle/instance.js';
import {
  DYNAMIC_KEYS,
  dynamicEnv,
  pm2EntryJson,
  staticEnv,
  stewardExtras,
} from '../../../../src/daemon/views/jlist.js';
import { sampleConfig } from '../../support.js';
import { FakeEffects, fakeHooks } from '../lifecycle/fake-effects.js';

/** An instance that is never started: only what jlist reads is needed from its context. */
function instance(over: Parameters<typeof sampleConfig>[0] = {}): Instance {
  // Its launches fail: it goes from stopped to errored without a process (pid stays 0).
  const fx = new FakeEffects();
  fx.failLaunches = 100;
  return new Instance(3, sampleConfig(over), 0, fakeHooks(fx));
}

/**
 * The entry of a stopped instance built the plain way, fresh objects every time (what the cached
 * text must equal).
 */
function pm2Entry(inst: Instance, pidPath: string, dropped: number) {
  return {
    pid: 0,
    name: inst.config.name,
    pm_id: inst.pm_id,
    monit: { memory: 0, cpu: 0 },
    pm2_env: JSON.parse(
      JSON.stringify({ ...dynamicEnv(inst), ...staticEnv(inst, '/h', pidPath) }),
    ) as unknown,
    steward: stewardExtras(inst, dropped),
  };
}

describe('jlist entries', () => {
  it('the cached JSON text parses to the same entry as the object form, env clashes included', async () => {
    // Variables named like PM2 fields (static and dynamic) are not copied up over them.
    const inst = instance({ env: { status: 'from-env', name: 'from-env', FOO: 'bar', axm_dynamic: 'x' } });
    inst.note('guard', 'because');
    const usage = { cpu: 1.5, memory: 1234 };
    const want = pm2Entry(inst, '/h/pids/api-3.pid', 7);
    assert.deepEqual(JSON.parse(pm2EntryJson(inst, usage, '/h', '/h/pids/api-3.pid', 7)), want);
    const env = want.pm2_env as Record<string, unknown>;
    assert.equal(env.status, 'stopped');
    assert.equal(env.name, 'api');
    assert.equal(env.FOO, 'bar');
    // Dynamic fields change without the config changing: the cache must not freeze them.
    await inst.start();
    const again = JSON.parse(pm2EntryJson(inst, usage, '/h', '/h/pids/api-3.pid', 9)) as typeof want;
    assert.deepEqual(again, pm2Entry(inst, '/h/pids/api-3.pid', 9));
    assert.equal((again.pm2_env as Record<string, unknown>).status, 'errored');
    // A new config object (e.g. `restart --update-env`) is seen.
    inst.setConfig({ ...inst.config, env: { FOO: 'baz' } });
    const changed = JSON.parse(pm2EntryJson(inst, usage, '/h', '/h/pids/api-3.pid', 9)) as typeof want;
    assert.equal((changed.pm2_env as Record<string, unknown>).FOO, 'baz');
  });

  it('DYNAMIC_KEYS lists exactly the keys dynamicEnv builds', () => {
    assert.deepEqual(Object.keys(dynamicEnv(instance())), DYNAMIC_KEYS);
  });
});
