import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { AppConfig } from '../../../../src/config/app-config.js';
import { Instance } from '../../../../src/daemon/lifecycle/instance.js';
import { sampleConfig } from '../../support.js';
import { FakeEffects, fakeHooks, flush, type FakeProcess } from './fake-effects.js';

/** The start check (start-check.ts) with a manual clock: when `start` may return, what is late. */
async function started(over: Partial<AppConfig> = {}, connected = true) {
  const fx = new FakeEffects();
  const inst = new Instance(0, sampleConfig({ restart_delay: 1000, agent: true, ...over }), 0, fakeHooks(fx));
  await inst.start();
  const proc = fx.spawned[0] as FakeProcess;
  proc.connected = connected;
  return { fx, inst, proc };
}

/** Settles `p` while the clock stays put: 'pending' if it has not resolved. */
async function peek<T>(p: Promise<T>): Promise<T | 'pending'> {
  return Promise.race([p, flush().then(() => 'pending' as const)]);
}

describe('start check', () => {
  it('a Node app is up once its agent reports it loaded, not after a fixed window', async () => {
    const { inst, proc } = await started();
    const check = inst.settled(300);
    assert.equal(await peek(check), 'pending');
    proc.readiness.ready();
    assert.equal(await check, true);
  });

  it('an exit before the load report is a failed start, not a late one', async () => {
    const { inst, proc } = await started();
    const check = inst.settled(300);
    proc.exit(3);
    assert.equal(await check, false);
    assert.equal(inst.lateStartFailure, undefined);
  });

  it('an exit in the rest of the window is a late start failure, told once; a manual restart clears it', async () => {
    const { fx, inst, proc } = await started();
    const check = inst.settled(300);
    proc.readiness.ready();
    assert.equal(await check, true);
    await fx.advance(120);
    proc.exit(1);
    await flush();
    const f = inst.lateStartFailure;
    assert.equal(f?.after_ms, 120);
    assert.equal(f?.exit, 'crashed (code 1)');
    assert.equal(f?.window_ms, 300);
    assert.equal(inst.takeLateStartNotice()?.pid, proc.pid);
    assert.equal(inst.takeLateStartNotice(), undefined);
    // Still shown (show) until the app is started again by hand.
    assert.equal(inst.lateStartFailure?.pid, proc.pid);
    await fx.advance(1000);
    await inst.restart();
    assert.equal(inst.lateStartFailure, undefined);
  });

  it('an exit after the window, or one Steward asked for, is not a failure', async () => {
    const a = await started();
    const checkA = a.inst.settled(300);
    a.proc.readiness.ready();
    await checkA;
    await a.fx.advance(301);
    a.proc.exit(1);
    await flush();
    assert.equal(a.inst.lateStartFailure, undefined);

    const b = await started();
    const checkB = b.inst.settled(300);
    b.proc.readiness.ready();
    await checkB;
    await b.inst.stop();
    assert.equal(b.inst.lateStartFailure, undefined);
  });

  it('a process without the agent is up after 200 ms alive (or the whole window when shorter)', async () => {
    const { fx, inst } = await started({}, false);
    const check = inst.settled(300);
    await fx.advance(199);
    assert.equal(await peek(check), 'pending');
    await fx.advance(1);
    assert.equal(await check, true);

    const short = await started({}, false);
    const shortCheck = short.inst.settled(50);
    await short.fx.advance(50);
    assert.equal(await shortCheck, true);
  });
});
