import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { makeIgnore, TreeWatcher, WatchPolicy } from '../../../../src/daemon/guards/watch.js';
import { waitFor } from '../../../helpers.js';

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

describe('TreeWatcher (real files, inotify)', () => {
  const root = mkdtempSync(join(tmpdir(), 'stw-watch-'));
  after(() => rmSync(root, { recursive: true, force: true }));

  /** A watcher over `dir` that collects the paths it reports. */
  async function watching(dir: string, paths: string[] = [dir]) {
    const seen: string[] = [];
    const w = new TreeWatcher(makeIgnore(dir, ['tmp'], []), (p) => seen.push(p));
    for (const p of paths) await w.add(p);
    return { w, seen };
  }

  it('uses one watch per directory, prunes ignored trees, and sees changes deep down', async () => {
    const dir = join(root, 'tree');
    for (const d of ['a/b/c', 'node_modules/x', '.git/objects', 'tmp/cache'])
      mkdirSync(join(dir, d), { recursive: true });
    for (let i = 0; i < 50; i += 1) writeFileSync(join(dir, 'a', `f${i}.js`), '');
    const { w, seen } = await watching(dir);
    try {
      // tree, a, a/b, a/b/c: node_modules, .git and tmp are never entered.
      assert.equal(w.size, 4);
      writeFileSync(join(dir, 'node_modules', 'x', 'i.js'), 'x');
      writeFileSync(join(dir, 'a', 'b', 'c', 'deep.js'), 'x');
      await waitFor(() => seen.includes(join(dir, 'a', 'b', 'c', 'deep.js')), 'deep change seen');
      assert.ok(!seen.some((p) => p.includes('node_modules')));
    } finally {
      w.close();
    }
  });

  it('watches directories created later and forgets removed ones', async () => {
    const dir = join(root, 'grow');
    mkdirSync(dir);
    const { w, seen } = await watching(dir);
    try {
      mkdirSync(join(dir, 'new'));
      await waitFor(() => w.size === 2, 'new directory watched');
      writeFileSync(join(dir, 'new', 'later.js'), 'x');
      await waitFor(() => seen.includes(join(dir, 'new', 'later.js')), 'change in new directory seen');
      rmSync(join(dir, 'new'), { recursive: true });
      await waitFor(() => w.size === 1, 'removed directory dropped');
    } finally {
      w.close();
    }
  });

  it('follows a watched file across an editor-style save (write a new file, rename it over)', async () => {
    const dir = join(root, 'file');
    mkdirSync(dir);
    const target = join(dir, 'server.js');
    writeFileSync(target, 'v1');
    writeFileSync(join(dir, 'other.js'), '');
    const { w, seen } = await watching(dir, [target]);
    try {
      writeFileSync(join(dir, 'other.js'), 'not watched');
      for (let v = 2; v <= 3; v += 1) {
        const before = seen.length;
        writeFileSync(join(dir, '.server.js.swp'), `v${v}`);
        renameSync(join(dir, '.server.js.swp'), target);
        await waitFor(() => seen.length > before, `save ${v} seen`);
      }
      assert.ok(
        seen.every((p) => p === target),
        seen.join(', '),
      );
    } finally {
      w.close();
    }
  });
});
