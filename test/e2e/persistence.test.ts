import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { alive, APPS, Home, markedPids, tmpDir, waitFor } from '../helpers.js';

const FOREVER = join(APPS, 'forever.js');

describe('save, resurrect, cleardump', () => {
  const home = new Home();
  after(() => home.cleanup());
  const dump = () => join(home.dir, 'dump.json');

  it('refuses to save an empty list without --force', async () => {
    const r = await home.run(['save']);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /empty process list/);
    assert.match(r.stderr, /--force/);
  });

  it('saves atomically with a private mode and resurrects after kill', async () => {
    await home.ok(['start', FOREVER, '--name', 'one', '--', 'x']);
    await home.ok(['start', FOREVER, '--name', 'two', '--namespace', 'ns']);
    await home.ok(['stop', 'two']);
    const r = await home.ok(['save']);
    assert.match(r.stdout, /saved 2 processes/);
    assert.equal((await import('node:fs')).statSync(dump()).mode & 0o777, 0o600);
    await home.ok(['kill']);
    assert.deepEqual(await home.jlist(), []);
    await home.ok(['resurrect']);
    const list = await home.jlist();
    assert.deepEqual(
      list.map((e) => [e.pm_id, e.name, e.pm2_env.namespace, e.pm2_env.status]),
      [
        [0, 'one', 'default', 'online'],
        [1, 'two', 'ns', 'stopped'],
      ],
    );
    assert.deepEqual(list[0]?.pm2_env.args, ['x']);
  });

  it('does not duplicate apps that are already running', async () => {
    const r = await home.ok(['resurrect']);
    assert.match(r.stdout, /skipped: one, two/);
    assert.equal((await home.jlist()).length, 2);
  });

  it('keeps the previous dump as .bak and falls back to it when the dump is corrupt', async () => {
    await home.ok(['start', FOREVER, '--name', 'three']);
    await home.ok(['save']);
    assert.equal(
      (JSON.parse(readFileSync(dump() + '.bak', 'utf8')) as { processes: unknown[] }).processes.length,
      2,
    );
    writeFileSync(dump(), '{"format":1, "processes": [ broken');
    await home.ok(['kill']);
    const r = await home.ok(['resurrect']);
    assert.match(r.stderr, /warning: .*dump\.json is not valid JSON.*using the backup/);
    assert.deepEqual((await home.jlist()).map((e) => e.name).sort(), ['one', 'two']);
  });

  it('fails clearly and changes nothing when dump and backup are both unusable', async () => {
    writeFileSync(dump(), 'garbage');
    writeFileSync(dump() + '.bak', '{"format": 99}');
    const r = await home.run(['resurrect']);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /not valid JSON.*backup is unusable too/);
    assert.equal(r.stderr.trim().split('\n').length, 1);
    assert.equal(readFileSync(dump(), 'utf8'), 'garbage');
    assert.equal(readFileSync(dump() + '.bak', 'utf8'), '{"format": 99}');
  });

  it('cleardump empties the list but keeps the old one as .bak', async () => {
    await home.ok(['save']);
    await home.ok(['cleardump']);
    assert.equal((JSON.parse(readFileSync(dump(), 'utf8')) as { processes: unknown[] }).processes.length, 0);
    assert.equal(
      (JSON.parse(readFileSync(dump() + '.bak', 'utf8')) as { processes: unknown[] }).processes.length,
      2,
    );
    const r = await home.run(['resurrect']);
    assert.equal(r.code, 0);
  });

  it('says so when there is no dump at all', async () => {
    const h2 = new Home();
    try {
      const r = await h2.run(['resurrect']);
      assert.equal(r.code, 1);
      assert.match(r.stderr, /no saved process list/);
    } finally {
      await h2.cleanup();
    }
  });
});

describe('daemon killed with -9', () => {
  it('brings the same apps back, with no orphans, duplicates or port clashes', async () => {
    const home = new Home();
    const dir = tmpDir();
    try {
      const port = 20000 + Math.floor(Math.random() * 20000);
      await home.ok(['start', join(APPS, 'port.js'), '--name', 'http'], { env: { PORT: String(port) } });
      await home.ok(['start', join(APPS, 'tree.js'), '--name', 'tree'], {
        env: { OUT_FILE: join(dir, 't.json') },
      });
      await home.ok(['start', FOREVER, '--name', 'idle']);
      await home.ok(['stop', 'idle']);
      await waitFor(
        async () => (await fetch(`http://127.0.0.1:${port}/`).catch(() => undefined))?.ok,
        'http up',
      );
      const before = await home.jlist();
      const oldPids = markedPids(home.dir);
      assert.ok(oldPids.length >= 4, `marked processes: ${oldPids.join(',')}`);
      const dpid = home.daemonPid() ?? 0;
      process.kill(dpid, 'SIGKILL');
      await waitFor(() => !alive(dpid), 'daemon dead');
      // The apps outlive the daemon for now…
      assert.ok(oldPids.every(alive));
      // …and the next command ends them and starts the same list again.
      const after = await home.jlist();
      assert.deepEqual(
        after.map((e) => [e.pm_id, e.name, e.pm2_env.status]),
        before.map((e) => [e.pm_id, e.name, e.pm2_env.status]),
      );
      for (const p of oldPids) await waitFor(() => !alive(p), `old process ${p} ended`, 5000);
      const http = after.find((e) => e.name === 'http');
      assert.notEqual(http?.pid, before.find((e) => e.name === 'http')?.pid);
      const res = await waitFor(async () => {
        const r = await fetch(`http://127.0.0.1:${port}/`).catch(() => undefined);
        return r?.ok ? r.text() : undefined;
      }, 'new http server answers');
      assert.equal(Number(res), http?.pid);
      // Exactly one process per running app (plus tree.js's two grandchildren).
      assert.equal(markedPids(home.dir).length, 4);
      const hist = (http?.steward as { history: Array<{ reason?: string }> }).history;
      assert.match(hist.map((h) => h.reason).join('\n'), /recovered after the previous daemon died/);
    } finally {
      await home.cleanup();
    }
  });
});
