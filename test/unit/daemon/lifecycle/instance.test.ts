import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { AppConfig } from '../../../../src/config/app-config.js';
import { StewardError } from '../../../../src/common/errors.js';
import { Instance } from '../../../../src/daemon/lifecycle/instance.js';
import { PHASES, type Phase } from '../../../../src/daemon/lifecycle/state-machine.js';
import { sampleConfig } from '../../support.js';
import { FakeEffects, fakeHooks, flush } from './fake-effects.js';

/**
 * Every operation started in every phase (and in the middle of every other operation), with fake
 * effects: a manual clock and scripted processes. After each case settles, the table must agree
 * with the processes: an instance with a process has exactly one live process and it is the one
 * listed; any other instance has none.
 */
interface Rig {
  fx: FakeEffects;
  inst: Instance;
  /** Outcomes of the operations fired (resolved, or the error code). */
  outcomes: Array<Promise<string>>;
}

function rig(over: Partial<AppConfig> = {}): Rig {
  const fx = new FakeEffects();
  const cfg = sampleConfig({ kill_timeout: 1600, listen_timeout: 3000, restart_delay: 1000, ...over });
  return { fx, inst: new Instance(0, cfg, 0, fakeHooks(fx)), outcomes: [] };
}

function fire(r: Rig, p: Promise<unknown>): void {
  r.outcomes.push(
    p.then(
      () => 'ok',
      (e: unknown) => (e instanceof StewardError ? e.code : `unexpected: ${String(e)}`),
    ),
  );
}

/** Brings the instance into `phase` (the operation that got it there may still be running). */
async function into(r: Rig, phase: Phase): Promise<void> {
  const { fx, inst } = r;
  switch (phase) {
    case 'stopped':
      break;
    case 'errored':
      fx.failLaunches = 1;
      await inst.start();
      break;
    case 'starting':
      fx.holdLaunches();
      fire(r, inst.start());
      await flush();
      break;
    case 'launching':
      fx.readyRequired = true;
      await inst.start();
      fx.readyRequired = false;
      break;
    case 'online':
      await inst.start();
      break;
    case 'reloading':
      await inst.start();
      fire(r, inst.reload('reload', true));
      await flush();
      break;
    case 'stopping':
      fx.stubborn = true;
      await inst.start();
      fx.stubborn = false;
      fire(r, inst.stop());
      await flush();
      break;
    case 'waiting': {
      await inst.start();
      fx.spawned.at(-1)?.exit(1);
      await flush();
      break;
    }
  }
  assert.equal(inst.lifecyclePhase, phase, `set-up reached ${inst.lifecyclePhase}, not ${phase}`);
}

const OPERATIONS: Record<string, (i: Instance) => Promise<unknown>> = {
  start: (i) => i.start(),
  'start (restart if running)': (i) => i.start('start', { restartIfRunning: true }),
  restart: (i) => i.restart(),
  'reload (zero-downtime)': (i) => i.reload('reload', true),
  'reload (restart)': (i) => i.reload('reload', false),
  stop: (i) => i.stop(),
  delete: (i) => i.retire('delete', { refusal: 'is being deleted', after: 'was deleted' }),
};

/** Lets everything finish: spawns released, every process ready, the clock well past every timer. */
async function settle(r: Rig): Promise<string[]> {
  const { fx, inst } = r;
  for (let round = 0; round < 40; round += 1) {
    fx.releaseLaunches();
    for (const p of fx.live()) p.readiness.ready();
    await fx.advance(1000);
    const transient = ['starting', 'launching', 'reloading', 'stopping'].includes(inst.lifecyclePhase);
    if (!transient && fx.pendingTimers === 0) break;
  }
  await inst.idle();
  await flush();
  return Promise.all(r.outcomes);
}

function assertConsistent(r: Rig, label: string): void {
  const { fx, inst } = r;
  const live = fx.live().map((p) => p.pid);
  const phase = inst.lifecyclePhase;
  if (phase === 'online') {
    assert.deepEqual(
      live,
      [inst.pid],
      `${label}: online with live processes ${live.join(',')}, table says ${inst.pid}`,
    );
    assert.equal(fx.pidFiles.get(inst.pidPath), inst.pid, `${label}: pid file`);
  } else {
    assert.deepEqual(live, [], `${label}: ${phase} but processes ${live.join(',')} still run`);
    assert.equal(inst.pid, 0, `${label}: ${phase} with pid ${inst.pid}`);
  }
  assert.ok(
    ['online', 'stopped', 'errored'].includes(phase) || (phase === 'waiting' && fx.pendingTimers > 0),
    `${label}: settled in ${phase}`,
  );
}

const PHASES_TO_TEST: readonly Phase[] = PHASES;

describe('instance lifecycle with fake effects', () => {
  for (const phase of PHASES_TO_TEST) {
    for (const [name, op] of Object.entries(OPERATIONS)) {
      it(`${name} while ${phase}`, async () => {
        const r = rig();
        await into(r, phase);
        fire(r, op(r.inst));
        const outcomes = await settle(r);
        for (const o of outcomes) assert.ok(!o.startsWith('unexpected'), `${name} while ${phase}: ${o}`);
        assertConsistent(r, `${name} while ${phase}`);
        if (name === 'stop' || name === 'delete') {
          assert.ok(
            ['stopped', 'errored'].includes(r.inst.lifecyclePhase),
            `${name} ends in ${r.inst.lifecyclePhase}`,
          );
        }
      });
    }
  }

  it('a stop during a reload ends both the old and the new process and reports the interruption', async () => {
    const r = rig();
    await r.inst.start();
    const reload = r.inst.reload('reload', true);
    await flush();
    assert.equal(r.fx.live().length, 2);
    await r.inst.stop();
    await assert.rejects(
      reload,
      (e: StewardError) => e.code === 'E_SUPERSEDED' && /interrupted: stop/.test(e.message),
    );
    assert.equal(r.fx.live().length, 0);
    assert.equal(r.inst.status, 'stopped');
  });

  it('a delete while the process is being spawned ends it once spawned, and later operations are refused', async () => {
    const r = rig();
    r.fx.holdLaunches();
    const start = r.inst.start();
    await flush();
    const del = r.inst.retire('delete', { refusal: 'is being deleted', after: 'was deleted' });
    await assert.rejects(r.inst.reload('reload', true), /cannot reload api \(id 0\): it is being deleted/);
    r.fx.releaseLaunches();
    await del;
    await start.catch(() => undefined);
    assert.equal(r.fx.spawned.length, 1);
    assert.equal(r.fx.live().length, 0);
    await assert.rejects(r.inst.start(), /cannot start api \(id 0\): it was deleted/);
  });

  it('queued operations are cancelled by a later stop: the last word wins', async () => {
    const r = rig({ wait_ready: true });
    r.fx.readyRequired = true;
    const first = r.inst.start();
    fire(r, first);
    await flush();
    const queued = r.inst.restart();
    fire(r, queued);
    await r.inst.stop();
    const outcomes = await settle(r);
    assert.deepEqual(outcomes, ['ok', 'E_SUPERSEDED']);
    assert.equal(r.inst.status, 'stopped');
    assert.equal(r.fx.spawned.length, 1, 'the cancelled restart spawned nothing');
  });

  it('crash in each phase of a launch, a reload and a stop leaves a consistent table', async () => {
    // Launching (waiting for ready): the crash is a crash, restarted by policy.
    let r = rig();
    r.fx.readyRequired = true;
    await r.inst.start();
    r.fx.spawned[0]?.exit(1);
    await flush();
    assert.equal(r.inst.lifecyclePhase, 'waiting');
    r.fx.readyRequired = false;
    await settle(r);
    assert.equal(r.inst.lifecyclePhase, 'online');
    assert.equal(r.inst.restart_time, 1);
    assertConsistent(r, 'crash while launching');

    // Reloading: the old process crashes; the new one takes over when ready.
    r = rig();
    await r.inst.start();
    const reload = r.inst.reload('reload', true);
    await flush();
    r.fx.spawned[0]?.exit(1);
    await flush();
    assert.equal(r.inst.lifecyclePhase, 'reloading');
    await settle(r);
    assert.deepEqual(await reload, { ok: true });
    assert.equal(r.inst.pid, r.fx.spawned[1]?.pid);
    assertConsistent(r, 'old crashes during reload');

    // Reloading: the new process crashes before it is ready; the old one keeps serving.
    r = rig();
    await r.inst.start();
    const failing = r.inst.reload('reload', true);
    await flush();
    r.fx.spawned[1]?.exit(1);
    const res = await failing;
    assert.equal(res.ok, false);
    assert.match(res.reason ?? '', /exited before it was ready/);
    assert.equal(r.inst.pid, r.fx.spawned[0]?.pid);
    assertConsistent(r, 'new crashes during reload');

    // Stopping: the process exits on its own while being stopped: still a stop, no restart.
    r = rig();
    r.fx.stubborn = true;
    await r.inst.start();
    const stop = r.inst.stop();
    await flush();
    r.fx.spawned[0]?.exit(1);
    await stop;
    await settle(r);
    assert.equal(r.inst.lifecyclePhase, 'stopped');
    assertConsistent(r, 'exit while stopping');
  });

  it('the restart timer is one deadline that a stop cancels', async () => {
    const r = rig({ restart_delay: 5000 });
    await r.inst.start();
    r.fx.spawned[0]?.exit(1);
    await flush();
    assert.equal(r.inst.next_restart_at, r.fx.clock + 5000);
    await r.inst.stop();
    assert.equal(r.inst.next_restart_at, null);
    assert.equal(r.fx.pendingTimers, 0);
    await r.fx.advance(10_000);
    assert.equal(r.fx.spawned.length, 1);
  });

  it('records structured history events (kind, pid, exit code, signal)', async () => {
    const r = rig({ autorestart: false });
    await r.inst.start();
    const pid = r.inst.pid;
    r.fx.spawned[0]?.exit(3);
    await flush();
    const last = r.inst.history.at(-1);
    assert.equal(last?.event, 'exit');
    assert.equal(last?.pid, pid);
    assert.equal(last?.exit_code, 3);
  });
});
