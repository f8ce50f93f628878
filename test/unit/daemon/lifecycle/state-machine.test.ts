import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import {
  mermaid,
  PHASES,
  statusOf,
  transition,
  type LifecycleEvent,
  type Phase,
} from '../../../../src/daemon/lifecycle/state-machine.js';
import { ROOT } from '../../../helpers.js';

const EVENTS: Record<string, LifecycleEvent> = {
  start: { type: 'start' },
  'spawned:ready': { type: 'spawned', ready: true },
  'spawned:wait': { type: 'spawned', ready: false },
  spawn_failed: { type: 'spawn_failed' },
  ready: { type: 'ready' },
  'exit:stopped': { type: 'exit', outcome: { kind: 'stopped' } },
  'exit:errored': { type: 'exit', outcome: { kind: 'errored' } },
  'exit:restart': { type: 'exit', outcome: { kind: 'restart', delay: 500 } },
  reload: { type: 'reload' },
  reload_done: { type: 'reload_done' },
  reload_failed: { type: 'reload_failed' },
  'reload_failed:gone': { type: 'reload_failed', outcome: { kind: 'restart', delay: 0 } },
  stop: { type: 'stop' },
  stopped: { type: 'stopped' },
  timer: { type: 'timer' },
};

// The whole table: every (phase, event) pair not listed here must be refused.
const ALLOWED: Record<Phase, Record<string, Phase>> = {
  stopped: { start: 'starting', stop: 'stopped' },
  errored: { start: 'starting', stop: 'errored' },
  waiting: { start: 'starting', timer: 'starting', stop: 'stopped' },
  starting: {
    'spawned:ready': 'online',
    'spawned:wait': 'launching',
    spawn_failed: 'errored',
    stop: 'stopping',
  },
  launching: {
    ready: 'online',
    'exit:stopped': 'stopped',
    'exit:errored': 'errored',
    'exit:restart': 'waiting',
    stop: 'stopping',
  },
  online: {
    'exit:stopped': 'stopped',
    'exit:errored': 'errored',
    'exit:restart': 'waiting',
    reload: 'reloading',
    stop: 'stopping',
  },
  reloading: {
    'exit:stopped': 'reloading',
    'exit:errored': 'reloading',
    'exit:restart': 'reloading',
    reload_done: 'online',
    reload_failed: 'online',
    'reload_failed:gone': 'waiting',
    stop: 'stopping',
  },
  stopping: { stopped: 'stopped' },
};

describe('lifecycle state machine', () => {
  it('allows exactly the listed transitions', () => {
    for (const phase of PHASES) {
      for (const [name, event] of Object.entries(EVENTS)) {
        const want = ALLOWED[phase][name] ?? null;
        assert.equal(transition(phase, event)?.next ?? null, want, `${phase} + ${name}`);
      }
    }
  });

  it('arms the one restart deadline on a restart decision and disarms it when leaving waiting', () => {
    assert.deepEqual(transition('online', EVENTS['exit:restart'] as LifecycleEvent)?.effects, [
      { kind: 'arm', ms: 500 },
    ]);
    assert.deepEqual(transition('waiting', { type: 'stop' })?.effects, [{ kind: 'disarm' }]);
    assert.deepEqual(transition('waiting', { type: 'start' })?.effects, [{ kind: 'disarm' }]);
    // The timer itself fired: nothing left to disarm.
    assert.deepEqual(transition('waiting', { type: 'timer' })?.effects, []);
  });

  it('maps phases to PM2 status words', () => {
    assert.equal(statusOf('starting'), 'launching');
    assert.equal(statusOf('reloading'), 'online');
    assert.equal(statusOf('waiting'), 'waiting restart');
  });

  it('docs/architecture.md shows the diagram generated from the table', () => {
    const doc = readFileSync(join(ROOT, 'docs/architecture.md'), 'utf8');
    assert.ok(
      doc.includes('```mermaid\n' + mermaid() + '\n```'),
      'the state diagram in docs/architecture.md differs from the table: run `npm run docs`',
    );
  });
});
