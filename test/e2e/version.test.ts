import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { cpSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { APPS, Home, ROOT, tmpDir } from '../helpers.js';

/** A copy of this Steward whose package.json says `version`; returns the path of its CLI. */
function stewardCopy(version: string): string {
  const dir = tmpDir('stw-copy-');
  cpSync(join(ROOT, 'bin'), join(dir, 'bin'), { recursive: true });
  cpSync(join(ROOT, 'dist'), join(dir, 'dist'), { recursive: true });
  symlinkSync(join(ROOT, 'node_modules'), join(dir, 'node_modules'));
  const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as Record<string, unknown>;
  writeFileSync(join(dir, 'package.json'), JSON.stringify({ ...pkg, version }));
  return join(dir, 'bin/steward.js');
}

describe('version handshake', () => {
  const home = new Home();
  after(() => home.cleanup());

  it('says once, not on every command, that the daemon runs another version', async () => {
    // A copy of Steward that claims another version starts the daemon.
    execFileSync(process.execPath, [stewardCopy('9.9.9'), 'ping'], { env: home.env });

    const first = await home.ok(['ls']);
    assert.match(first.stderr, /the daemon runs Steward 9\.9\.9, this CLI is \d+\.\d+\.\d+/);
    const second = await home.ok(['ls']);
    assert.equal(second.stderr, '');
  });
});

describe('steward update', () => {
  const home = new Home();
  after(() => home.cleanup());

  it('swaps the daemon for the installed version, keeping ids, names, options and counters', async () => {
    // The running daemon is an "older build": a copy of Steward whose version says 0.0.1-old.
    const oldBin = stewardCopy('0.0.1-old');
    const oldCli = (args: string[]) => execFileSync(process.execPath, [oldBin, ...args], { env: home.env });
    oldCli(['start', join(APPS, 'forever.js'), '--name', 'a', '--', 'x']);
    oldCli(['start', join(APPS, 'forever.js'), '--name', 'b', '--namespace', 'ns', '--kill-timeout', '3s']);
    oldCli(['restart', 'b']);
    oldCli(['stop', 'a']);
    const before = await home.jlist();
    const oldDaemon = home.daemonPid();
    const r = await home.ok(['update']);
    assert.match(r.stdout, /daemon 0\.0\.1-old \(pid \d+\) → \d+\.\d+\.\d+ \(pid \d+\); 2\/2 processes back/);
    assert.notEqual(home.daemonPid(), oldDaemon);
    const hello = (await home.ok(['ping'])).stderr;
    assert.doesNotMatch(hello, /runs Steward/, 'no version warning after the update');
    const after = await home.jlist();
    assert.deepEqual(
      after.map((e) => [
        e.pm_id,
        e.name,
        e.pm2_env.namespace,
        e.pm2_env.status,
        e.pm2_env.restart_time,
        e.pm2_env.args,
      ]),
      before.map((e) => [
        e.pm_id,
        e.name,
        e.pm2_env.namespace,
        e.pm2_env.status,
        e.pm2_env.restart_time,
        e.pm2_env.args,
      ]),
    );
  });
});
