import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { makeIgnore, WatchPolicy } from '../../../src/daemon/watch.js';

describe('WatchPolicy (fake clock)', () => {
  it('turns a burst into one restart once the tree is quiet', () => {
    const p = new WatchPolicy(200);
    let t = 1000;
    for (let i = 0; i < 1000; i += 1) p.onEvent(`/a/f${i % 10}.js`, (t += 1));
    assert.deepEqual(p.decide(t + 100), { kind: 'wait', until: t + 200 });
    const d = p.decide(t + 200);
    assert.equal(d?.kind, 'restart');
    assert.equal(d && 'paths' in d ? d.paths.length : 0, 10);
    assert.equal(p.decide(t + 300), null);
  });

  it('reports a loop after five restarts caused by changes right after each start', () => {
    const p = new WatchPolicy(100, 0);
    let t = 0;
    const kinds: string[] = [];
    for (let i = 0; i < 5; i += 1) {
      p.onEvent('/app/state.txt', (t += 50));
      const d = p.decide((t += 100));
      kinds.push(d?.kind ?? 'none');
      p.restarted((t += 300));
    }
    assert.deepEqual(kinds, ['restart', 'restart', 'restart', 'restart', 'loop']);
  });

  it('does not call it a loop when changes come long after starts', () => {
    const p = new WatchPolicy(100);
    let t = 0;
    for (let i = 0; i < 8; i += 1) {
      p.onEvent('/app/a.js', (t += 10_000));
      assert.equal(p.decide((t += 100))?.kind, 'restart');
      p.restarted((t += 300));
    }
  });
});

describe('makeIgnore', () => {
  const ignore = makeIgnore(
    '/app',
    ['tmp', 'dist/cache', '*.log', 'build/**/*.map'],
    ['/home/u/.steward/logs/app-out.log'],
  );
  it("always ignores node_modules, dotfiles and the app's own files", () => {
    assert.equal(ignore('/app/node_modules/x/index.js'), true);
    assert.equal(ignore('/app/.git/HEAD'), true);
    assert.equal(ignore('/app/src/.cache'), true);
    assert.equal(ignore('/home/u/.steward/logs/app-out.log'), true);
    assert.equal(ignore('/home/u/.steward/logs/app-out.log.idx'), true);
  });
  it('adds ignore_watch: names, path prefixes and globs', () => {
    assert.equal(ignore('/app/tmp/a'), true);
    assert.equal(ignore('/app/src/tmp/a'), true);
    assert.equal(ignore('/app/dist/cache/x'), true);
    assert.equal(ignore('/app/dist/main.js'), false);
    assert.equal(ignore('/app/server.log'), true);
    assert.equal(ignore('/app/build/a/b/c.js.map'), true);
    assert.equal(ignore('/app/src/index.js'), false);
    assert.equal(ignore('/app'), false);
  });
});
