import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  decideOnExit,
  type ExitDecision,
  type PolicyConfig,
  type RestartCounters,
} from '../../../../src/daemon/lifecycle/restart-policy.js';

// Every time here is a plain number of ms on a fake clock that starts at T0.
const T0 = 1_000_000;

function policy(over: Partial<PolicyConfig> = {}): PolicyConfig {
  return {
    autorestart: true,
    stop_exit_codes: [],
    restart_delay: 0,
    exp_backoff_restart_delay: 0,
    min_uptime: 1000,
    max_restarts: 16,
    restart_limit: 50,
    restart_limit_window: 600_000,
    ...over,
  };
}

function fresh(at = T0): RestartCounters {
  return { created_at: at, pm_uptime: at, unstable_restarts: 0, prev_restart_delay: 0, crash_times: [] };
}

interface Step {
  decision: ExitDecision;
  /** When the process that produced this decision exited. */
  at: number;
}

/**
 * Drives a process through several exits, each after `uptimes[i]` ms of running, feeding every
 * decision's counters (and its delay) back in, as the Instance does. Stops at the first non-restart.
 */
function simulate(cfg: PolicyConfig, uptimes: readonly number[], start = fresh()): Step[] {
  const steps: Step[] = [];
  let counters = start;
  let spawnedAt = start.pm_uptime;
  for (const up of uptimes) {
    const at = spawnedAt + up;
    const decision = decideOnExit(cfg, { ...counters, pm_uptime: spawnedAt }, { code: 1, signal: null, at });
    steps.push({ decision, at });
    if (decision.action !== 'restart') break;
    counters = decision.counters;
    spawnedAt = at + decision.delay;
  }
  return steps;
}

function delays(steps: Step[]): number[] {
  return steps.map((s) => (s.decision.action === 'restart' ? s.decision.delay : -1));
}

describe('decideOnExit: stopping', () => {
  it('stops when autorestart is false, whatever the exit code, and leaves the counters alone', () => {
    const c = fresh();
    for (const code of [0, 1, null]) {
      const d = decideOnExit(policy({ autorestart: false }), c, { code, signal: null, at: T0 + 50 });
      assert.deepEqual(d, { action: 'stop', reason: 'autorestart disabled', counters: c });
    }
  });

  it('stops on an exit code listed in stop_exit_codes', () => {
    const cfg = policy({ stop_exit_codes: [0, 3] });
    const c = fresh();
    assert.deepEqual(decideOnExit(cfg, c, { code: 3, signal: null, at: T0 + 5000 }), {
      action: 'stop',
      reason: 'stop exit code',
      counters: c,
    });
    assert.equal(decideOnExit(cfg, c, { code: 0, signal: null, at: T0 + 5000 }).action, 'stop');
  });

  it('restarts on an exit code not listed, and on a signal (no exit code)', () => {
    const cfg = policy({ stop_exit_codes: [0] });
    assert.equal(decideOnExit(cfg, fresh(), { code: 1, signal: null, at: T0 + 5000 }).action, 'restart');
    assert.equal(
      decideOnExit(cfg, fresh(), { code: null, signal: 'SIGKILL', at: T0 + 5000 }).action,
      'restart',
    );
  });
});

describe('decideOnExit: delays', () => {
  it('restarts immediately by default', () => {
    const d = decideOnExit(policy(), fresh(), { code: 1, signal: null, at: T0 + 5000 });
    assert.equal(d.action, 'restart');
    assert.equal(d.action === 'restart' && d.delay, 0);
  });

  it('follows PM2 exponential back-off for 100 ms, capped at 15 s', () => {
    // Each run lasts 2 s: longer than min_uptime, so the unstable counter never trips.
    const steps = simulate(policy({ exp_backoff_restart_delay: 100 }), new Array<number>(15).fill(2000));
    assert.deepEqual(
      delays(steps),
      [100, 150, 225, 337, 505, 757, 1135, 1702, 2553, 3829, 5743, 8614, 12921, 15000, 15000],
    );
    const last = steps.at(-1)?.decision;
    assert.equal(last?.counters.prev_restart_delay, 15000);
  });

  it('starts the back-off over after an uptime above 30 s', () => {
    const cfg = policy({ exp_backoff_restart_delay: 100 });
    const steps = simulate(cfg, [2000, 2000, 2000, 2000, 30_001, 2000, 2000]);
    assert.deepEqual(delays(steps), [100, 150, 225, 337, 100, 150, 225]);
  });

  it('does not reset the back-off at exactly 30 s of uptime', () => {
    const steps = simulate(policy({ exp_backoff_restart_delay: 100 }), [2000, 2000, 30_000]);
    assert.deepEqual(delays(steps), [100, 150, 225]);
  });

  it('uses restart_delay as a fixed delay', () => {
    const steps = simulate(policy({ restart_delay: 2500 }), [2000, 2000, 2000, 2000]);
    assert.deepEqual(delays(steps), [2500, 2500, 2500, 2500]);
    assert.equal(steps.at(-1)?.decision.counters.prev_restart_delay, 0);
  });

  it('lets exp_backoff_restart_delay win over restart_delay, as PM2 does', () => {
    const steps = simulate(
      policy({ restart_delay: 2500, exp_backoff_restart_delay: 200 }),
      [2000, 2000, 2000],
    );
    assert.deepEqual(delays(steps), [200, 300, 450]);
  });
});

describe('decideOnExit: min_uptime and max_restarts', () => {
  it('errors after max_restarts unstable exits with the defaults (1000 ms × 16)', () => {
    // Each run lasts 100 ms (< min_uptime), all within the first 16 s of the run.
    const steps = simulate(policy(), new Array<number>(40).fill(100));
    assert.equal(steps.length, 16);
    for (const [i, s] of steps.slice(0, 15).entries()) {
      assert.equal(s.decision.action, 'restart', `exit ${i + 1}`);
      assert.equal(s.decision.counters.unstable_restarts, i + 1);
    }
    const last = steps[15]?.decision;
    assert.equal(last?.action, 'errored');
    assert.match(last.action === 'errored' ? last.reason : '', /16 unstable restarts.*max_restarts is 16/);
    assert.equal(last.counters.unstable_restarts, 0);
    assert.equal(last.counters.created_at, null);
  });

  it('honours a smaller max_restarts', () => {
    const steps = simulate(policy({ max_restarts: 3 }), new Array<number>(10).fill(100));
    assert.deepEqual(
      steps.map((s) => s.decision.action),
      ['restart', 'restart', 'errored'],
    );
  });

  it('keeps restarting when every run outlives min_uptime', () => {
    const steps = simulate(policy(), new Array<number>(40).fill(1500));
    assert.equal(steps.length, 40);
    assert.ok(steps.every((s) => s.decision.action === 'restart'));
    assert.equal(steps.at(-1)?.decision.counters.unstable_restarts, 0);
  });

  it('counts an exit at exactly min_uptime as stable', () => {
    const d = decideOnExit(policy(), fresh(), { code: 1, signal: null, at: T0 + 1000 });
    assert.equal(d.counters.unstable_restarts, 0);
  });

  it('no longer counts quick exits once the run is older than min_uptime × max_restarts (PM2)', () => {
    const start = { ...fresh(T0), pm_uptime: T0 + 20_000 };
    const steps = simulate(policy(), new Array<number>(30).fill(100), start);
    assert.equal(steps.length, 30);
    assert.ok(
      steps.every((s) => s.decision.action === 'restart' && s.decision.counters.unstable_restarts === 0),
    );
  });

  it('errors at the first exit when max_restarts is 0, even after a long run', () => {
    for (const up of [10, 60_000]) {
      const d = decideOnExit(policy({ max_restarts: 0 }), fresh(), { code: 1, signal: null, at: T0 + up });
      assert.equal(d.action, 'errored', `uptime ${up}`);
    }
  });
});

describe('decideOnExit: sliding-window crash-loop guard', () => {
  const cfg = policy({ restart_limit: 5, restart_limit_window: 60_000 });

  it('errors when restart_limit restarts already happened within the window', () => {
    // Stable runs of 5 s: only the window guard can stop them.
    const steps = simulate(cfg, new Array<number>(10).fill(5000));
    assert.deepEqual(
      steps.map((s) => s.decision.action),
      ['restart', 'restart', 'restart', 'restart', 'restart', 'errored'],
    );
    const last = steps[5]?.decision;
    assert.match(last?.action === 'errored' ? last.reason : '', /5 restarts within 60s \(restart_limit 5\)/);
    assert.deepEqual(last?.counters.crash_times, []);
    assert.equal(last?.counters.created_at, null);
    assert.deepEqual(steps[4]?.decision.counters.crash_times, [
      T0 + 5000,
      T0 + 10_000,
      T0 + 15_000,
      T0 + 20_000,
      T0 + 25_000,
    ]);
  });

  it('forgets crashes that left the window', () => {
    // Runs of 20 s: at each exit only the restarts of the last 60 s count, never 5 of them.
    const steps = simulate(cfg, new Array<number>(12).fill(20_000));
    assert.equal(steps.length, 12);
    assert.ok(steps.every((s) => s.decision.action === 'restart'));
    const last = steps[11];
    assert.deepEqual(last?.decision.counters.crash_times, [
      (last?.at ?? 0) - 40_000,
      (last?.at ?? 0) - 20_000,
      last?.at,
    ]);
  });

  it('counts a crash exactly one window old as outside it', () => {
    const c: RestartCounters = {
      ...fresh(),
      crash_times: [T0, T0 + 10, T0 + 20, T0 + 30, T0 + 40],
    };
    const inside = decideOnExit(cfg, c, { code: 1, signal: null, at: T0 + 59_999 });
    assert.equal(inside.action, 'errored');
    const edge = decideOnExit(
      cfg,
      { ...c, pm_uptime: T0 + 50_000 },
      { code: 1, signal: null, at: T0 + 60_000 },
    );
    assert.equal(edge.action, 'restart');
    assert.deepEqual(edge.counters.crash_times, [T0 + 10, T0 + 20, T0 + 30, T0 + 40, T0 + 60_000]);
  });

  it('is off when restart_limit is 0', () => {
    const steps = simulate(
      policy({ restart_limit: 0, restart_limit_window: 60_000 }),
      new Array<number>(80).fill(5000),
    );
    assert.equal(steps.length, 80);
    assert.ok(steps.every((s) => s.decision.action === 'restart'));
  });
});
