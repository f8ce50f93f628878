// Remote control over a real sshd on loopback (test/sshd-support.ts): `steward --host ssh://…`,
// STEWARD_HOST, `connect({ host })`, and the one-line errors (contexts: remote-contexts.test.ts). The
// "remote" steward is this checkout's (STEWARD_BIN, set by sshd for every session); its daemon lives
// in the server's remote HOME, which `server.stop()` cleans up. Nothing touches ~/.ssh or ~/.steward.
import assert from 'node:assert/strict';
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { chmodSync, existsSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { connect } from '../../src/api/index.js';
import { Client } from '../../src/client/client.js';
import { APPS, BIN, Home, ROOT, tmpDir, waitFor, type JlistEntry } from '../helpers.js';
import { SshServer, sshSkipReason } from '../sshd-support.js';

const skip = sshSkipReason();
const FOREVER = join(APPS, 'forever.js');
const HAS_TMUX = spawnSync('tmux', ['-V']).status === 0;

/** Processes running `steward dial-stdio` for this remote HOME (the bridges ssh started). */
function bridges(remoteHome: string): number[] {
  const out: number[] = [];
  for (const n of readdirSync('/proc')) {
    if (!/^\d+$/.test(n)) continue;
    try {
      const cmd = readFileSync(`/proc/${n}/cmdline`, 'latin1');
      if (!cmd.includes('dial-stdio\0')) continue;
      if (readFileSync(`/proc/${n}/environ`, 'latin1').split('\0').includes(`HOME=${remoteHome}`))
        out.push(Number(n));
    } catch {
      // gone
    }
  }
  return out;
}

function statusLine(pid: number, key: 'Uid' | 'Gid'): string {
  const line = readFileSync(`/proc/${pid}/status`, 'utf8')
    .split('\n')
    .find((l) => l.startsWith(`${key}:`));
  return (line ?? '').split(/\s+/)[1] ?? '';
}

describe('remote control over ssh', { skip }, () => {
  const a = new SshServer('hosta');
  const home = new Home();
  const dir = tmpDir();
  /** The CLI with A reachable by its URL (STEWARD_SSH_CONFIG is ssh -F). */
  const onA = (args: string[], env: NodeJS.ProcessEnv = {}, input?: string) =>
    home.run(['--host', a.url, ...args], {
      env: { STEWARD_SSH_CONFIG: a.configFile, ...env },
      ...(input !== undefined ? { input } : {}),
    });
  const remoteDaemon = (s: SshServer) => join(s.remoteHome, '.steward');

  before(async () => {
    await a.start({ env: { STEWARD_BIN: BIN } });
  });
  after(async () => {
    await home.cleanup();
    await a.stop();
  });

  it('starts the remote daemon on demand; ls, start, logs, describe and save go to the remote host', async () => {
    const ls = await onA(['ls']);
    assert.equal(ls.code, 0, ls.stderr);
    assert.match(ls.stdout, /No processes are managed/);
    // The daemon that answered is the remote one, started by dial-stdio; none was started here.
    assert.ok(existsSync(join(remoteDaemon(a), 'daemon.pid')), 'remote daemon started');
    assert.equal(existsSync(join(home.dir, 'daemon.sock')), false, 'no local daemon');

    // A script path on the remote host (the same machine here), run by the remote steward.
    const start = await onA(['start', FOREVER, '--name', 'rf']);
    assert.equal(start.code, 0, start.stderr);
    assert.match(start.stdout, /│ rf +│.*online/);
    const list = JSON.parse((await onA(['jlist'])).stdout) as JlistEntry[];
    const rf = list.find((e) => e.name === 'rf');
    assert.ok(rf && rf.pid > 0);
    // The app got the remote login environment, not this CLI's.
    assert.equal(rf.pm2_env.env.HOME, a.remoteHome);
    assert.equal(rf.pm2_env.env.STEWARD_HOME, remoteDaemon(a));

    const logs = await onA(['logs', 'rf', '--lines', '5', '--nostream']);
    assert.equal(logs.code, 0, logs.stderr);
    assert.match(logs.stdout, new RegExp(`0\\|rf +\\| forever ${rf.pid} started`));
    assert.ok(logs.stdout.includes(join(remoteDaemon(a), 'logs', 'rf-out.log')));

    // An ecosystem file from this machine's stdin, applied by the remote steward.
    const eco = JSON.stringify({ apps: [{ name: 'fromstdin', script: FOREVER }] });
    const fromStdin = await onA(['start', '-'], {}, eco);
    assert.equal(fromStdin.code, 0, fromStdin.stderr);
    assert.match(fromStdin.stdout, /│ fromstdin +│.*online/);
    assert.equal((await onA(['delete', 'fromstdin'])).code, 0);

    const show = await onA(['describe', 'rf']);
    assert.equal(show.code, 0, show.stderr);
    assert.match(show.stdout, /rf/);
    const save = await onA(['save']);
    assert.equal(save.code, 0, save.stderr);
    assert.ok(existsSync(join(remoteDaemon(a), 'dump.json')), 'dump written on the remote host');
  });

  it('follows remote logs live, and ending the follower ends the remote bridge', async () => {
    const follower = spawn(process.execPath, [BIN, '--host', a.url, 'logs', 'rf', '--lines', '0', '--raw'], {
      env: { ...home.env, STEWARD_SSH_CONFIG: a.configFile },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    follower.stdout.on('data', (d: Buffer) => (out += d.toString()));
    const exited = new Promise<number | null>((resolve) => follower.on('exit', (c) => resolve(c)));
    try {
      // Each restart prints a fresh "started" line; retried until the follower has subscribed.
      await waitFor(
        async () => {
          const r = await onA(['restart', 'rf']);
          assert.equal(r.code, 0, r.stderr);
          return /forever \d+ started/.test(out);
        },
        'a live line of the remote app in the follower',
        20_000,
        200,
      );
      await waitFor(() => bridges(a.remoteHome).length > 0, 'the remote bridge');
    } finally {
      follower.kill('SIGINT');
    }
    assert.equal(await exited, 0);
    await waitFor(() => bridges(a.remoteHome).length === 0, 'the remote bridge to end', 10_000);
  });

  it('runs start --uid/--gid on the remote host as that user and group (root only)', async (t) => {
    if (process.getuid?.() !== 0) return t.skip('needs root to run an app as another user');
    const r = await onA(['start', FOREVER, '--name', 'asnobody', '--uid', 'nobody', '--gid', '65534']);
    assert.equal(r.code, 0, r.stderr);
    const e = (JSON.parse((await onA(['jlist'])).stdout) as JlistEntry[]).find((x) => x.name === 'asnobody');
    assert.ok(e && e.pid > 0);
    assert.equal(statusLine(e.pid, 'Uid'), '65534');
    assert.equal(statusLine(e.pid, 'Gid'), '65534');
    const bad = await onA(['start', FOREVER, '--name', 'x', '--uid', 'no-such-user-here']);
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /^\[steward\] error: .*no such user "no-such-user-here"/);
    assert.equal(bad.stderr.trim().split('\n').length, 1);
    assert.equal((await onA(['delete', 'asnobody'])).code, 0);
  });

  it('says in one line, exit 3, when the host is unreachable, the key refused or steward missing', async () => {
    const port = a.port;
    const refused = await home.run(['--host', `ssh://no-such-user@127.0.0.1:${port}`, 'ls'], {
      env: { STEWARD_SSH_CONFIG: a.configFile },
    });
    assert.equal(refused.code, 3);
    assert.match(
      refused.stderr,
      /^\[steward\] error: cannot reach no-such-user@127\.0\.0\.1:\d+ over SSH: .*Permission denied/,
    );
    assert.equal(refused.stderr.trim().split('\n').length, 1);

    const closed = await home.run(['ls'], {
      env: { STEWARD_HOST: 'ssh://nobody@127.0.0.1:1', STEWARD_SSH_CONFIG: a.configFile },
    });
    assert.equal(closed.code, 3);
    assert.match(
      closed.stderr,
      /^\[steward\] error: cannot reach nobody@127\.0\.0\.1:1 over SSH: .*Connection refused/,
    );
    assert.equal(closed.stderr.trim().split('\n').length, 1);

    const missing = await onA(['ls'], { STEWARD_BIN: '/nonexistent/steward' });
    assert.equal(missing.code, 3);
    assert.match(missing.stderr, /steward not found on the remote login PATH/);
    assert.equal(missing.stderr.trim().split('\n').length, 1);

    // The remote command's own errors arrive as they would locally: one line, its exit code.
    const noScript = await onA(['start', 'no-such-script.js']);
    assert.equal(noScript.code, 1);
    // Resolved on the host, from the remote login's directory, not this CLI's (ROOT).
    assert.match(
      noScript.stderr,
      /^\[steward\] error: script not found: no-such-script\.js \(not a file in \//,
    );
    assert.ok(!noScript.stderr.includes(ROOT), noScript.stderr);
    assert.equal(noScript.stderr.trim().split('\n').length, 1);
    const noApp = await onA(['stop', 'no-such-app']);
    assert.equal(noApp.code, 1);
    assert.match(noApp.stderr, /^\[steward\] error: process or namespace not found: no-such-app/);
    assert.equal(noApp.stderr.trim().split('\n').length, 1);

    const badUrl = await home.run(['--host', 'http://x', 'ls']);
    assert.equal(badUrl.code, 2);
    assert.match(badUrl.stderr, /only ssh:\/\/ is supported/);
  });

  it('refuses a remote steward of another protocol in one line', async () => {
    // A "steward" that answers dial-stdio as a future release would.
    const fake = join(dir, 'future-steward');
    writeFileSync(
      fake,
      '#!/bin/sh\necho \'{"steward_dial":1,"ok":true,"version":"9.0.0","protocol":99,"home":"/x","cwd":"/","started":false}\'\ncat >/dev/null\n',
    );
    chmodSync(fake, 0o755);
    const r = await onA(['ls'], { STEWARD_BIN: fake });
    assert.equal(r.code, 1);
    assert.match(
      r.stderr,
      /runs Steward 9\.0\.0 \(protocol 99\), this CLI is .* \(protocol 1\); they cannot talk/,
    );
    assert.equal(r.stderr.trim().split('\n').length, 1);
  });

  it('connect({ host }) gives the programmatic API on the remote daemon', async () => {
    const steward = await connect({ host: a.url, ssh: { config: a.configFile } });
    try {
      assert.equal((await steward.daemon()).home, remoteDaemon(a));
      const rf = (await steward.list()).find((p) => p.name === 'rf');
      assert.ok(rf, 'rf listed');
      const restarted = await steward.restart('rf');
      assert.ok(restarted.length > 0);
      await assert.rejects(steward.restart('no-such-app'), { code: 'E_APP_NOT_FOUND' });
      await assert.rejects(steward.start({ script: FOREVER }), {
        code: 'E_USAGE',
        message: /start\(\) is not available on a remote daemon/,
      });
    } finally {
      steward.disconnect();
    }
    // logTail, what a remote `logs` reads past lines with: the apps' own log files, nothing else.
    const c = await Client.connect({ host: a.url, remote: { sshConfig: a.configFile } });
    try {
      const out = join(remoteDaemon(a), 'logs', 'rf-out.log');
      const [tail] = await c.call('logTail', { files: [out], lines: 2 });
      assert.ok(tail && tail.length > 0 && tail.every((l) => /forever \d+ started/.test(l.text)));
      await assert.rejects(c.call('logTail', { files: ['/etc/passwd'], lines: 1 }), {
        code: 'E_BAD_REQUEST',
        message: '/etc/passwd is not a log file of an app',
      });
      // A relative script path names the file from the remote login's directory, not this cwd.
      const cwd = c.remote?.cwd ?? '';
      assert.ok(cwd.startsWith('/'));
      const shown = await onA(['describe', relative(cwd, FOREVER)], {});
      assert.equal(shown.code, 0, shown.stderr);
      assert.match(shown.stdout, /rf/);
    } finally {
      c.close();
    }
    await assert.rejects(connect({ host: 'ssh://nobody@127.0.0.1:1', ssh: { config: a.configFile } }), {
      code: 'E_SSH',
    });
  });

  it('runs monit on the remote daemon in a terminal', { skip: HAS_TMUX ? false : 'no tmux' }, async () => {
    const socket = join(dir, 'tmux.sock');
    const tmux = (...args: string[]) =>
      execFileSync('tmux', ['-S', socket, '-f', '/dev/null', ...args], {
        encoding: 'utf8',
        stdio: ['ignore', 'pipe', 'ignore'],
        env: { ...home.env, LANG: 'C.UTF-8', STEWARD_SSH_CONFIG: a.configFile },
      });
    const script = `${process.execPath} ${BIN} --host ${a.url} monit; echo $? > ${dir}/monit-rc`;
    tmux('new-session', '-d', '-s', 'm', '-x', '120', '-y', '30', 'sh', '-c', script);
    try {
      await waitFor(
        () =>
          /> +\d+ rf +online/.test(tmux('capture-pane', '-p', '-t', 'm')) &&
          /forever \d+ started/.test(tmux('capture-pane', '-p', '-t', 'm')),
        'the remote app and its past output on the monit screen',
        15_000,
        100,
      );
      tmux('send-keys', '-t', 'm', 'q');
      await waitFor(() => existsSync(join(dir, 'monit-rc')), 'monit to quit');
      assert.equal(readFileSync(join(dir, 'monit-rc'), 'utf8').trim(), '0');
    } finally {
      try {
        tmux('kill-server');
      } catch {
        // already gone
      }
    }
  });

  it('kill stops the remote daemon through the bridge', async () => {
    const r = await onA(['kill']);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /and the daemon/);
    await waitFor(() => !existsSync(join(remoteDaemon(a), 'daemon.sock')), 'the remote socket to go');
  });
});
