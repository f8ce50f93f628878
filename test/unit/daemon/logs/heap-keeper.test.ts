import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, it, mock } from 'node:test';
import { HeapKeeper } from '../../../../src/daemon/logs/heap-keeper.js';

const MB = 1024 * 1024;

/** A keeper over a pretend heap: `heap.used` is what it reads, `collections` counts its gc() calls. */
function keeperOver(startUsed: number) {
  const heap = { used: startUsed, collections: 0, afterGc: startUsed };
  const keeper = new HeapKeeper({
    gc: () => {
      heap.collections += 1;
      heap.used = heap.afterGc;
    },
    usedHeap: () => heap.used,
  });
  return { heap, keeper };
}

describe('HeapKeeper: collects the garbage a burst leaves behind', () => {
  beforeEach(() => mock.timers.enable({ apis: ['setInterval'] }));
  afterEach(() => mock.timers.reset());

  it('collects twice once the heap has grown past the slack during traffic, then stops checking', () => {
    const { heap, keeper } = keeperOver(8 * MB);
    keeper.traffic();
    heap.used = 14 * MB; // a burst of requests: 6 MB more, mostly garbage
    heap.afterGc = 9 * MB;
    mock.timers.tick(1000);
    assert.equal(heap.collections, 2, 'two collections in a row (the second releases the pages)');
    assert.equal(heap.used, 9 * MB);
    // No traffic since: the next tick ends the checks; growth without traffic is left to V8.
    mock.timers.tick(1000);
    heap.used = 20 * MB;
    mock.timers.tick(5000);
    assert.equal(heap.collections, 2);
  });

  it('does not collect for growth within the slack, and lowers its floor when the heap shrinks', () => {
    const { heap, keeper } = keeperOver(8 * MB);
    keeper.traffic();
    heap.used = 9 * MB;
    mock.timers.tick(1000);
    assert.equal(heap.collections, 0);
    keeper.traffic();
    heap.used = 5 * MB; // V8 collected by itself: the floor follows
    mock.timers.tick(1000);
    keeper.traffic();
    heap.used = 7.5 * MB; // 2.5 MB over the new floor: past the 2 MB slack
    heap.afterGc = 5 * MB;
    mock.timers.tick(1000);
    assert.equal(heap.collections, 2);
  });

  it('checks at most once a second however many requests come in', () => {
    const { heap, keeper } = keeperOver(8 * MB);
    heap.afterGc = 8 * MB;
    for (let i = 0; i < 1000; i += 1) keeper.traffic();
    heap.used = 20 * MB;
    mock.timers.tick(999);
    assert.equal(heap.collections, 0);
    mock.timers.tick(1);
    assert.equal(heap.collections, 2);
  });
});
