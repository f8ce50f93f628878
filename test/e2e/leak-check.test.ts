import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { alive, APPS, Home, waitFor } from '../helpers.js';

/** The leak check of test/helpers.ts, which every end-to-end test relies on. */
describe('Home.cleanup', () => {
  it('passes when steward kill ended every process of the home', async () => {
    const home = new Home();
    await home.ok(['start', join(APPS, 'forever.js'), '--name', 'f']);
    await home.cleanup();
  });

  it('fails naming a process of the home that outlived steward kill, and ends it', async () => {
    const home = new Home();
    await home.ok(['ping']);
    // Started outside Steward, but carrying the home's mark: what a process Steward lost looks like.
    const stray = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1e6)', 'stray-marker'], {
      env: { ...process.env, STEWARD_SUPERVISOR: home.dir },
      stdio: 'ignore',
    });
    const exited = new Promise((r) => stray.once('exit', r));
    const pid = await waitFor(() => stray.pid, 'the stray process');
    await assert.rejects(home.cleanup(), (e: Error) => {
      assert.match(e.message, /1 process\(es\) of .* outlived `steward kill`/);
      assert.match(e.message, new RegExp(`\\b${pid}: .*stray-marker`));
      return true;
    });
    await exited;
    assert.equal(alive(pid), false);
  });
});
