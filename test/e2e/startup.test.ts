import assert from 'node:assert/strict';
import { execFile, spawn } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { which } from '../../src/config/resolve-script.js';
import { renderService, type ServiceSpec } from '../../src/startup/templates.js';
import { APPS, BIN, Home, ROOT, markedPids, readText, tmpDir, waitFor, type RunResult } from '../helpers.js';

function exec(
  file: string,
  args: string[],
  opts: { uid?: number; gid?: number; env?: NodeJS.ProcessEnv } = {},
) {
  return new Promise<RunResult>((resolve) => {
    execFile(file, args, { cwd: '/', ...opts }, (err, stdout, stderr) => {
      resolve({ code: err ? (typeof err.code === 'number' ? err.code : 1) : 0, stdout, stderr });
    });
  });
}

const analyze = which('systemd-analyze', process.env.PATH);

/** Why `systemd-analyze verify` cannot judge our unit here, or undefined when it can. */
async function analyzeUnavailable(dir: string): Promise<string | undefined> {
  if (!analyze) return 'systemd-analyze is not installed (Debian package "systemd"; .ci/run installs it)';
  const probe = join(dir, 'steward-probe.service');
  writeFileSync(probe, `[Service]\nType=simple\nExecStart=${process.execPath} -e 0\n`);
  const r = await exec(analyze, ['verify', probe]);
  return r.code === 0 ? undefined : `systemd-analyze verify cannot run in this sandbox: ${r.stderr.trim()}`;
}

describe('startup: the systemd unit', () => {
  const home = new Home();
  const dir = tmpDir();
  after(() => home.cleanup());

  it('passes systemd-analyze verify', async (t) => {
    const why = await analyzeUnavailable(dir);
    if (why) return t.skip(why);
    const r = await home.ok(['startup', 'systemd', '--print', '--service-name', 'steward-verify']);
    const unit = join(dir, 'steward-verify.service');
    writeFileSync(unit, r.stdout);
    const v = await exec(analyze ?? '', ['verify', unit]);
    assert.equal(v.code, 0, v.stderr);
    assert.ok(!v.stderr.includes('steward-verify'), v.stderr);
    assert.match(r.stdout, new RegExp(`^Environment=STEWARD_HOME=${home.dir}$`, 'm'));
    assert.match(r.stdout, /^Environment=PATH=\/.*$/m);
    assert.ok(
      r.stdout.includes(
        `ExecStart=${process.execPath} --max-semi-space-size=1 --expose-gc --single-threaded ${join(ROOT, 'dist/src/startup/service.js')}`,
      ),
      r.stdout,
    );
  });

  it('passes verify with paths that need quoting and escaping (spaces, %, $)', async (t) => {
    const why = await analyzeUnavailable(dir);
    if (why) return t.skip(why);
    const odd = join(dir, 'my node %h $HOME');
    mkdirSync(odd);
    writeFileSync(join(odd, 'node'), `#!/bin/sh\nexec ${process.execPath} "$@"\n`);
    chmodSync(join(odd, 'node'), 0o755);
    const spec: ServiceSpec = {
      platform: 'systemd',
      serviceName: 'steward-odd',
      user: 'root',
      home: '/root',
      stewardHome: join(odd, '.steward'),
      nodePath: join(odd, 'node'),
      nodeFlags: ['--max-semi-space-size=1'],
      entry: join(odd, 'service.js'),
      path: `${odd}:/usr/bin:/bin`,
      waitIp: true,
      version: '0.0.0',
    };
    const f = renderService(spec, dir);
    writeFileSync(f.path, f.content);
    const v = await exec(analyze ?? '', ['verify', f.path]);
    assert.equal(v.code, 0, `${v.stderr}\n${f.content}`);
    assert.ok(!v.stderr.includes('steward-odd'), v.stderr);
  });
});

describe('startup / unstartup', () => {
  const home = new Home();
  const staging = tmpDir();
  after(() => home.cleanup());
  const env = { STEWARD_STARTUP_DIR: staging };

  it('round trip: writes the unit, prints the commands to run, removes it', async () => {
    const r = await home.ok(['startup', 'systemd', '--service-name', 'steward-rt', '--wait-ip'], { env });
    const unit = join(staging, 'steward-rt.service');
    assert.ok(existsSync(unit), r.stdout);
    assert.equal(statSync(unit).mode & 0o777, 0o644);
    assert.match(readFileSync(unit, 'utf8'), /^After=network-online\.target$/m);
    assert.match(r.stdout, /systemctl daemon-reload && systemctl enable steward-rt\.service/);
    const again = await home.ok(['startup', 'systemd', '--service-name', 'steward-rt'], { env });
    assert.match(again.stdout, /wrote/);
    const u = await home.ok(['unstartup', 'systemd', '--service-name', 'steward-rt'], { env });
    assert.equal(existsSync(unit), false);
    assert.match(u.stdout, /systemctl disable steward-rt\.service/);
    const none = await home.ok(['unstartup', 'systemd', '--service-name', 'steward-rt'], { env });
    assert.match(none.stdout, /nothing to remove/);
  });

  it('openrc and launchd files round-trip too', async () => {
    await home.ok(['startup', 'openrc', '--service-name', 'steward-rc'], { env });
    const rc = join(staging, 'steward-rc');
    assert.equal(statSync(rc).mode & 0o777, 0o755);
    const sh = await exec('/bin/sh', ['-n', rc]);
    assert.equal(sh.code, 0, sh.stderr);
    await home.ok(['unstartup', 'openrc', '--service-name', 'steward-rc'], { env });
    assert.equal(existsSync(rc), false);
    await home.ok(['startup', 'macos', '--service-name', 'steward.test'], { env });
    assert.match(
      readText(join(staging, 'steward.test.plist')),
      /<key>Label<\/key>\s*<string>steward\.test<\/string>/,
    );
    await home.ok(['unstartup', 'launchd', '--service-name', 'steward.test'], { env });
    assert.equal(existsSync(join(staging, 'steward.test.plist')), false);
  });

  it('when not root: prints the one sudo line to run and exits 1', async () => {
    // As root, run the CLI as nobody; otherwise the test already runs unprivileged.
    const asRoot = process.getuid?.() === 0;
    const envNoHome: NodeJS.ProcessEnv = { ...process.env };
    delete envNoHome.STEWARD_HOME;
    delete envNoHome.STEWARD_STARTUP_DIR;
    const r = await exec(process.execPath, [BIN, 'startup', 'systemd', '--service-name', 'steward-x'], {
      env: envNoHome,
      ...(asRoot ? { uid: 65534, gid: 65534 } : {}),
    });
    assert.equal(r.code, 1, r.stderr);
    const lines = r.stdout.trim().split('\n');
    const sudo = lines[lines.length - 1] ?? '';
    assert.match(
      sudo,
      /^sudo env PATH=\S+ \S+steward\.js startup systemd -u \S+ --hp \S+ --service-name steward-x$/,
    );
    // The node running the CLI comes first in the PATH (nvm installs).
    assert.ok(sudo.startsWith(`sudo env PATH=${join(process.execPath, '..')}:`), sudo);
    assert.ok(!sudo.includes('STEWARD_HOME='), 'the default home is implied');
  });

  it('usage errors: unknown platform, unknown user, bad service name', async () => {
    const p = await home.run(['startup', 'upstart', '--print']);
    assert.equal(p.code, 2);
    assert.match(p.stderr, /upstart is not supported/);
    const u = await home.run(['startup', 'systemd', '--print', '-u', 'no-such-user-x']);
    assert.equal(u.code, 2);
    assert.match(u.stderr, /no such user/);
    const n = await home.run(['startup', 'systemd', '--print', '--service-name', '../etc/x']);
    assert.equal(n.code, 2);
  });
});

describe('startup: the boot service entry (dist/src/startup/service.js)', () => {
  const home = new Home();
  const bin = tmpDir();
  const notified = join(bin, 'notified.txt');
  after(() => home.cleanup());
  // A stand-in for systemd-notify that records how it was called.
  writeFileSync(
    join(bin, 'systemd-notify'),
    `#!/bin/sh\nprintf '%s\\n' "$@" "NOTIFY_SOCKET=$NOTIFY_SOCKET" > ${JSON.stringify(notified)}\n`,
  );
  chmodSync(join(bin, 'systemd-notify'), 0o755);
  const entry = join(ROOT, 'dist/src/startup/service.js');

  it('runs the daemon in its own process, resurrects the saved list, then reports READY', async () => {
    await home.ok(['start', join(APPS, 'forever.js'), '--name', 'boot-app']);
    await home.ok(['save']);
    await home.ok(['kill']);
    const child = spawn(process.execPath, ['--max-semi-space-size=1', entry], {
      env: { ...home.env, PATH: `${bin}:${process.env.PATH ?? ''}`, NOTIFY_SOCKET: '/run/fake-notify.sock' },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
    const args = await waitFor(() => readText(notified), 'READY from the service', 15_000);
    assert.deepEqual(args.trim().split('\n'), [
      '--ready',
      `--pid=${child.pid}`,
      '--status=resurrected 1 process',
      'NOTIFY_SOCKET=/run/fake-notify.sock',
    ]);
    assert.equal(home.daemonPid(), child.pid, 'the service process is the daemon');
    const [app] = await home.jlist();
    assert.equal(app?.name, 'boot-app');
    assert.equal(app?.pm2_env.status, 'online');
    assert.equal(app?.pm2_env.env.NOTIFY_SOCKET, undefined, 'apps never see NOTIFY_SOCKET');
    assert.match(stderr, /resurrected 1 process/);
    // systemctl stop: SIGTERM to the daemon, which stops every app and exits 0.
    child.kill('SIGTERM');
    assert.equal(await exited, 0);
    assert.deepEqual(markedPids(home.dir), []);
  });

  it('refuses to run beside a daemon started outside the service', async () => {
    await home.ok(['ping']);
    const r = await exec(process.execPath, [entry], { env: home.env });
    assert.equal(r.code, 1);
    assert.match(r.stderr, /already runs/);
    await home.ok(['ping']);
  });
});
