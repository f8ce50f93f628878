import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { actionOf } from '../../../../src/cli/monit/keys.js';
import { Model } from '../../../../src/cli/monit/model.js';
import { proc } from './support.js';

describe('monit keys', () => {
  it('maps keys in the list and in the filter prompt', () => {
    assert.deepEqual(actionOf('normal', 'j', { name: 'j' }), { kind: 'move', by: 1 });
    assert.deepEqual(actionOf('normal', undefined, { name: 'up' }), { kind: 'move', by: -1 });
    assert.deepEqual(actionOf('normal', 'r', { name: 'r' }), { kind: 'op', op: 'restart' });
    assert.deepEqual(actionOf('normal', 's', { name: 's' }), { kind: 'op', op: 'stop' });
    assert.deepEqual(actionOf('normal', 'l', { name: 'l' }), { kind: 'op', op: 'reload' });
    assert.deepEqual(actionOf('normal', '/', { name: undefined }), { kind: 'filter-open' });
    assert.deepEqual(actionOf('normal', 'q', { name: 'q' }), { kind: 'quit' });
    assert.deepEqual(actionOf('normal', '\u0003', { name: 'c', ctrl: true }), { kind: 'quit' });
    assert.equal(actionOf('normal', 'constructor', {}), undefined);
    // In the prompt, letters are text, not commands; arrows still move; Ctrl-C still quits.
    assert.deepEqual(actionOf('filter', 'q', { name: 'q' }), { kind: 'filter-type', text: 'q' });
    assert.deepEqual(actionOf('filter', undefined, { name: 'down' }), { kind: 'move', by: 1 });
    assert.deepEqual(actionOf('filter', '\r', { name: 'return' }), { kind: 'filter-keep' });
    assert.deepEqual(actionOf('filter', '\u001b', { name: 'escape' }), { kind: 'filter-clear' });
    assert.deepEqual(actionOf('filter', '\u007f', { name: 'backspace' }), { kind: 'filter-erase' });
    assert.deepEqual(actionOf('filter', '\u0003', { name: 'c', ctrl: true }), { kind: 'quit' });
    assert.equal(actionOf('filter', '\u001b[1;5A', { name: undefined }), undefined);
  });
});

describe('monit model', () => {
  it('selects the first process, moves within bounds, keeps the selection by id', () => {
    const m = new Model();
    m.setProcs([proc(0, 'api'), proc(1, 'worker'), proc(2, 'cron')]);
    assert.equal(m.selected, 0);
    m.move(-1);
    assert.equal(m.selected, 0);
    m.move(5);
    assert.equal(m.selected, 2);
    // The list changes order and grows: the same process stays selected.
    m.setProcs([proc(2, 'cron'), proc(0, 'api'), proc(3, 'new'), proc(1, 'worker')]);
    assert.equal(m.selected, 2);
    m.edge('last');
    assert.equal(m.selected, 1);
  });

  it('lands next to a selected process that goes away', () => {
    const m = new Model();
    m.setProcs([proc(0, 'a'), proc(1, 'b'), proc(2, 'c')]);
    m.move(1);
    m.setProcs([proc(0, 'a'), proc(2, 'c')]);
    assert.equal(m.selected, 2);
    m.setProcs([]);
    assert.equal(m.selected, undefined);
    assert.equal(m.selectedProc(), undefined);
  });

  it('filters by name, case-insensitively, and moves the selection into the filter', () => {
    const m = new Model();
    m.setProcs([proc(0, 'api'), proc(1, 'Worker'), proc(2, 'worker-2')]);
    m.setFilter('WORK');
    assert.deepEqual(
      m.visible.map((p) => p.name),
      ['Worker', 'worker-2'],
    );
    assert.equal(m.selected, 1);
    m.setFilter('nothing');
    assert.equal(m.selected, undefined);
    m.setFilter('');
    assert.equal(m.visible.length, 3);
    assert.equal(m.selected, 0);
  });
});
