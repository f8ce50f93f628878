import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  isRunning,
  STATUSES,
  transition,
  type LifecycleEvent,
  type Status,
} from '../../../../src/daemon/lifecycle/state-machine.js';

const EVENTS: Record<string, LifecycleEvent> = {
  start: { type: 'start' },
  spawned: { type: 'spawned' },
  spawn_failed: { type: 'spawn_failed' },
  stop: { type: 'stop' },
  'exit:stopped': { type: 'exit', outcome: 'stopped' },
  'exit:errored': { type: 'exit', outcome: 'errored' },
  'exit:restart': { type: 'exit', outcome: 'restart' },
  timer: { type: 'timer' },
};

// The whole table: every (status, event) pair not listed here must be refused.
const ALLOWED: Record<Status, Record<string, Status>> = {
  stopped: { start: 'launching' },
  errored: { start: 'launching' },
  'one-launch-status': { start: 'launching', stop: 'stopped' },
  'waiting restart': { start: 'launching', timer: 'launching', stop: 'stopped' },
  launching: {
    spawned: 'online',
    spawn_failed: 'errored',
    stop: 'stopping',
    'exit:stopped': 'stopped',
    'exit:errored': 'errored',
    'exit:restart': 'waiting restart',
  },
  online: {
    stop: 'stopping',
    'exit:stopped': 'stopped',
    'exit:errored': 'errored',
    'exit:restart': 'waiting restart',
  },
  stopping: {
    stop: 'stopping',
    'exit:stopped': 'stopped',
    'exit:errored': 'stopped',
    'exit:restart': 'stopped',
  },
};

describe('transition', () => {
  for (const status of STATUSES) {
    for (const [label, event] of Object.entries(EVENTS)) {
      const expected = ALLOWED[status][label] ?? null;
      it(`${status} + ${label} → ${expected ?? 'refused'}`, () => {
        assert.equal(transition(status, event), expected);
      });
    }
  }

  it('refuses the transitions that would lose a live process', () => {
    assert.equal(transition('online', { type: 'start' }), null);
    assert.equal(transition('stopping', { type: 'start' }), null);
    assert.equal(transition('online', { type: 'spawned' }), null);
    assert.equal(transition('stopped', { type: 'exit', outcome: 'restart' }), null);
    assert.equal(transition('waiting restart', { type: 'exit', outcome: 'restart' }), null);
    assert.equal(transition('stopped', { type: 'timer' }), null);
  });
});

describe('isRunning', () => {
  it('is true only while a process is (or is about to be) alive', () => {
    assert.deepEqual(
      STATUSES.filter((s) => isRunning(s)),
      ['launching', 'online', 'stopping'],
    );
  });
});
