import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { alive, APPS, Home, readJson, readText, tmpDir, waitFor } from '../helpers.js';

describe('stopping', () => {
  const home = new Home();
  const dir = tmpDir();
  after(() => home.cleanup());
  const entry = async (name: string) => (await home.jlist()).find((e) => e.name === name);

  it('sends SIGINT by default and lets the app exit on its own', async () => {
    await home.ok(['start', join(APPS, 'graceful.js'), '--name', 'nice']);
    await waitFor(() => readText(join(home.dir, 'logs/nice-out.log')).includes('ready'), 'ready');
    await home.ok(['stop', 'nice']);
    assert.match(readText(join(home.dir, 'logs/nice-out.log')), /stopping on SIGINT/);
    const hist = ((await entry('nice'))?.steward as { history: Array<{ reason?: string }> }).history;
    assert.match(hist[hist.length - 1]?.reason ?? '', /code 0/);
  });

  it('uses --kill-signal and --shutdown-with-message', async () => {
    await home.ok(['start', join(APPS, 'graceful.js'), '--name', 'term', '--kill-signal', 'SIGTERM']);
    await home.ok(['start', join(APPS, 'graceful.js'), '--name', 'msg', '--shutdown-with-message']);
    await waitFor(() => readText(join(home.dir, 'logs/msg-out.log')).includes('ready'), 'ready');
    await waitFor(() => readText(join(home.dir, 'logs/term-out.log')).includes('ready'), 'ready');
    await home.ok(['stop', 'term', 'msg']);
    assert.match(readText(join(home.dir, 'logs/term-out.log')), /stopping on SIGTERM/);
    assert.match(readText(join(home.dir, 'logs/msg-out.log')), /stopping on message/);
  });

  it('SIGKILLs an app that ignores the signal after kill_timeout', async () => {
    await home.ok(['start', join(APPS, 'ignore-sigint.js'), '--name', 'stubborn', '--kill-timeout', '400ms']);
    await waitFor(() => readText(join(home.dir, 'logs/stubborn-out.log')).includes('ready'), 'ready');
    const pid = (await entry('stubborn'))?.pid ?? 0;
    const t0 = Date.now();
    await home.ok(['stop', 'stubborn']);
    const took = Date.now() - t0;
    assert.equal(alive(pid), false);
    assert.ok(took >= 350, `stop took ${took}ms, before the kill timeout`);
    assert.match(readText(join(home.dir, 'logs/stubborn-out.log')), /got SIGINT, ignoring/);
    const hist = ((await entry('stubborn'))?.steward as { history: Array<{ reason?: string }> }).history;
    assert.match(hist[hist.length - 1]?.reason ?? '', /SIGKILL/);
  });

  it('leaves no grandchild behind, in the group or escaped with setsid', async () => {
    for (const verb of ['stop', 'restart', 'delete']) {
      const out = join(dir, `tree-${verb}.json`);
      await home.ok(['start', join(APPS, 'tree.js'), '--name', `tree-${verb}`, '--kill-timeout', '300'], {
        env: { OUT_FILE: out },
      });
      const pids = (await waitFor(() => readJson(out), 'tree pids')) as {
        main: number;
        inGroup: number;
        escaped: number;
      };
      await waitFor(() => alive(pids.escaped) && alive(pids.inGroup), 'grandchildren up');
      await home.ok([verb, `tree-${verb}`]);
      for (const [k, p] of Object.entries(pids)) {
        await waitFor(() => !alive(p), `${verb}: ${k} (${p}) gone`, 3000);
      }
    }
    await home.ok(['delete', 'tree-restart']);
  });
});
