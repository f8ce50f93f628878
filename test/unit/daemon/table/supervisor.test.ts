import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { homePaths } from '../../../../src/common/paths.js';
import type { AppConfig } from '../../../../src/config/app-config.js';
import { deleteTargets, reloadInstances, stopTargets } from '../../../../src/daemon/table/operations.js';
import { Supervisor } from '../../../../src/daemon/table/supervisor.js';
import { sampleConfig } from '../../support.js';
import { FakeEffects, flush } from '../lifecycle/fake-effects.js';

/**
 * Group operations and overlapping commands on the table, with fake effects (no process runs):
 * the table must keep listing an instance until its processes are gone, and the daemon shutdown
 * must wait for a delete in progress.
 */
function table(): { sup: Supervisor; fx: FakeEffects } {
  const fx = new FakeEffects();
  const sup = new Supervisor({
    paths: homePaths('/nonexistent/stw-unit'),
    spawn: { home: '/h', nodePath: '/n', nodeVersion: 'v20', tsxLoaderUrl: '', agentPath: '' },
    log: () => undefined,
    onChange: () => undefined,
    now: () => fx.now(),
    effects: fx,
  });
  return { sup, fx };
}

async function startApp(sup: Supervisor, over: Partial<AppConfig> = {}): Promise<void> {
  const insts = sup.addInstances(sampleConfig({ kill_timeout: 1000, ...over }), over.instances ?? 1);
  await Promise.all(insts.map((i) => i.start()));
}

describe('table operations with fake effects', () => {
  it('a second delete of an app being deleted is refused, and the app stays listed until its process is gone', async () => {
    const { sup, fx } = table();
    fx.stubborn = true;
    await startApp(sup);
    const first = deleteTargets(sup, ['api'], '/');
    await flush();
    await assert.rejects(deleteTargets(sup, ['api'], '/'), /it is being deleted/);
    assert.equal(sup.size, 1, 'still listed while its process is being stopped');
    assert.equal(fx.live().length, 1);
    await fx.advance(1000);
    await first;
    assert.equal(sup.size, 0);
    assert.equal(fx.live().length, 0);
  });

  it('the daemon shutdown waits for a delete in progress', async () => {
    const { sup, fx } = table();
    fx.stubborn = true;
    await startApp(sup);
    const del = deleteTargets(sup, ['api'], '/');
    await flush();
    let down = false;
    const shutdown = sup.shutdown().then(() => (down = true));
    await flush();
    assert.equal(down, false, 'shutdown returned while a process still runs');
    await fx.advance(1000);
    await Promise.all([del, shutdown]);
    assert.equal(fx.live().length, 0);
  });

  it('a stop of an app interrupts its rolling reload: no instance is started again afterwards', async () => {
    const { sup, fx } = table();
    await startApp(sup, { instances: 3, exec_mode: 'cluster_mode', agent: true });
    const insts = sup.instances();
    const reload = reloadInstances(sup, insts, 'reload');
    await flush();
    await stopTargets(sup, ['api'], '/');
    await assert.rejects(reload, /interrupted: stop came after it/);
    await fx.advance(5000);
    assert.deepEqual(
      sup.instances().map((i) => i.status),
      ['stopped', 'stopped', 'stopped'],
    );
    assert.equal(fx.live().length, 0);
  });

  it('once the daemon is shutting down, a new app is refused (it would outlive the daemon)', async () => {
    const { sup, fx } = table();
    await startApp(sup);
    const down = sup.shutdown();
    assert.throws(() => sup.addInstances(sampleConfig({ name: 'late' }), 1), /the daemon is shutting down/);
    await down;
    assert.equal(fx.live().length, 0);
  });
});
