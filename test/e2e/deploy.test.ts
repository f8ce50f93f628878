// `steward deploy` against a real sshd on loopback, a local bare repository as `repo`, and the
// remote steward found through an nvm-style login profile. One server and one remote daemon for
// the whole file; the steps build on each other (setup, v1, v2 under load, v3 and v4 rolled back,
// list/curr/prev, revert, a failing hook, the lock, bad input).
import assert from 'node:assert/strict';
import {
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  readlinkSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import autocannon from 'autocannon';
import { BIN, Home, spawn, waitFor } from '../helpers.js';
import { freePort, SshServer, sshSkipReason } from '../sshd-support.js';
import { appSource, ecosystem, get, nvmProfile, sshKeys, TestRepo } from './deploy-support.js';
import { Receiver } from './notify-support.js';

const skip = sshSkipReason();

describe('steward deploy (one host)', { skip }, () => {
  const server = new SshServer();
  const home = new Home();
  const repo = new TestRepo();
  let appPort = 0;
  let path = '';
  const timings: Record<string, number> = {};
  const shas: Record<string, string> = {};

  /** The deploy section of the tests; `over` replaces keys. */
  const section = (over: Record<string, unknown> = {}) => ({
    production: {
      ...sshKeys(server),
      host: '127.0.0.1',
      port: server.port,
      ref: 'origin/main',
      repo: repo.bare,
      path,
      shared_dirs: ['uploads'],
      shared_files: ['.env'],
      health_window: '1s',
      ...over,
    },
  });
  const deploy = async (args: string[], file = 'ecosystem.config.js') => {
    const t0 = performance.now();
    const r = await home.run(['deploy', file, 'production', ...args], { cwd: repo.work });
    return { ...r, ms: Math.round(performance.now() - t0), all: r.stdout + r.stderr };
  };
  const release = (version: string, crash?: 'start' | 'later') => {
    shas[version] = repo.commit(
      { 'server.js': appSource(version, crash), 'ecosystem.config.js': ecosystem(section()) },
      version,
    );
  };
  const live = () => readlinkSync(join(path, 'current'));
  const releases = () => readdirSync(join(path, 'releases')).sort();

  before(async () => {
    if (skip) return;
    appPort = await freePort();
    await server.start({ env: { APP_PORT: String(appPort) } });
    nvmProfile(server);
    path = join(server.remoteHome, 'app');
  });
  after(async () => {
    if (!skip) {
      await server.stop();
      console.log(`deploy timings (ms): ${JSON.stringify(timings)}`);
    }
    await home.cleanup();
  });

  it('finds steward only through the login profile (nvm-style PATH)', () => {
    // Without a login shell the nvm directory is not on PATH (a steward installed elsewhere may be).
    let plain = '';
    try {
      plain = server.exec('command -v steward');
    } catch {
      // not found at all
    }
    assert.doesNotMatch(plain, /\.nvm/);
    assert.match(
      server.exec(`bash -lc 'command -v steward'`),
      /\.nvm\/versions\/node\/current\/bin\/steward/,
    );
  });

  it('setup: the mirror, the shared files, private and idempotent', async () => {
    release('v1');
    const r = await deploy(['setup']);
    assert.equal(r.code, 0, r.all);
    timings.setup = r.ms;
    assert.ok(existsSync(join(path, 'source/HEAD')), 'a bare mirror in path/source');
    assert.ok(statSync(join(path, 'shared/uploads')).isDirectory());
    assert.equal(statSync(join(path, 'shared/.env')).mode & 0o777, 0o600);
    assert.match(r.stdout, new RegExp(`\\[${server.user}@127\\.0\\.0\\.1:${server.port}\\] » set up`));
    // Again: it fetches, it does not clone again.
    const again = await deploy(['setup']);
    assert.equal(again.code, 0, again.all);
    assert.match(again.stdout, /source exists: fetching/);
  });

  it('update: v1 is exported into a release, switched to, started and health-checked', async () => {
    const r = await deploy([]);
    assert.equal(r.code, 0, r.all);
    timings.firstUpdate = r.ms;
    assert.equal(await get(appPort), 'v1');
    assert.equal(releases().length, 1);
    assert.match(live(), new RegExp(`^releases/\\d{8}T\\d{6}Z-${shas.v1?.slice(0, 7)}$`));
    // shared paths are links into path/shared; the per-release log is on the host
    const rel = join(path, live());
    assert.equal(readlinkSync(join(rel, 'uploads')), join(path, 'shared/uploads'));
    assert.ok(existsSync(join(path, 'logs', `${live().slice('releases/'.length)}.log`)));
    assert.match(r.stdout, /host +release +seconds +result/);
    assert.ok(!existsSync(join(path, '.deploy-lock')), 'the lock is released');
    // secrets and scripts are never printed; the local log exists, private
    const log = join(home.dir, 'deploy/production.log');
    assert.equal(statSync(log).mode & 0o777, 0o600);
  });

  it('update: v2 of the cluster app under HTTP load drops no request', async () => {
    release('v2');
    // Runs until stopped: the load covers the whole deploy, whatever it takes.
    const load$ = autocannon({
      url: `http://127.0.0.1:${appPort}/`,
      connections: 8,
      duration: 120,
      timeout: 5,
    });
    const r = await deploy([]);
    load$.stop();
    const load = await load$;
    assert.equal(r.code, 0, r.all);
    timings.update = r.ms;
    timings.requestsDuringUpdate = load.requests.total;
    timings.failedRequests = load.errors + load.timeouts + load.non2xx;
    assert.ok(load.requests.total > 100, `only ${load.requests.total} requests`);
    assert.deepEqual(
      { errors: load.errors, timeouts: load.timeouts, non2xx: load.non2xx },
      { errors: 0, timeouts: 0, non2xx: 0 },
    );
    assert.equal(await get(appPort), 'v2');
    assert.equal(releases().length, 2);
  });

  it('list, curr and prev show the releases with ref, sha, time and which is live', async () => {
    const list = await deploy(['list']);
    assert.equal(list.code, 0, list.all);
    const lines = list.stdout.split('\n').filter((l) => /\d{8}T\d{6}Z-/.test(l));
    assert.equal(lines.length, 2);
    assert.match(lines[0] ?? '', new RegExp(`  main  ${shas.v1?.slice(0, 12)}  \\d{4}-`));
    assert.match(lines[1] ?? '', /\* .*\(live\)$/);
    const curr = await deploy(['curr']);
    assert.match(curr.stdout, new RegExp(`${shas.v2?.slice(0, 7)}.*\\(live\\)`));
    const prev = await deploy(['prev']);
    assert.match(prev.stdout, new RegExp(`-${shas.v1?.slice(0, 7)} `));
    assert.doesNotMatch(prev.stdout, /live/);
  });

  it('a v3 that crashes at start is rolled back: non-zero exit, its error shown, v2 still serving, the host notified', async () => {
    // The host's daemon has a webhook channel (docs/notifications.md): the rollback is an event there.
    const receiver = new Receiver(undefined);
    await receiver.up();
    const remote = { env: { STEWARD_HOME: join(server.remoteHome, '.steward') } };
    try {
      await home.ok(['set', 'notify.webhook', receiver.url], remote);
      const before = live();
      release('v3', 'start');
      const r = await deploy([]);
      assert.equal(r.code, 1, r.all);
      assert.match(r.all, /v3 is broken: cannot start/);
      assert.match(r.stderr, /\[steward\] error: .*post-deploy hook failed.*rolled back to \d{8}T/);
      assert.equal(live(), before);
      assert.equal(await get(appPort), 'v2');
      assert.equal(releases().length, 2, 'the failed release is removed');
      assert.ok(!existsSync(join(path, '.deploy-lock')));
      await waitFor(() => receiver.of('deploy_rolled_back').length > 0, 'a deploy_rolled_back message');
      const msg = receiver.of('deploy_rolled_back')[0]?.json;
      assert.equal(msg?.app, 'ecosystem.config.js');
      assert.match(String(msg?.reason), new RegExp(`current is ${before.replace(/^releases\//, '')} again`));
    } finally {
      await home.run(['unset', 'notify.webhook'], remote);
      await receiver.down();
    }
  });

  it('a v4 that crashes after it started fails the health window and is rolled back', async () => {
    const before = live();
    release('v4', 'later');
    const r = await deploy([]);
    assert.equal(r.code, 1, r.all);
    assert.match(r.stderr, /error: .*web failed the health check: it (restarted|is errored).*rolled back/);
    assert.match(r.all, /v4 crashed after start/, 'the last error lines are shown');
    assert.equal(live(), before);
    await waitFor(async () => (await get(appPort)) === 'v2', 'v2 serving again');
  });

  it('revert 1 goes back to v1 without fetching or building', async () => {
    const r = await deploy(['revert', '1']);
    assert.equal(r.code, 0, r.all);
    timings.revert = r.ms;
    assert.match(live(), new RegExp(`-${shas.v1?.slice(0, 7)}$`));
    assert.equal(await get(appPort), 'v1');
    assert.doesNotMatch(r.all, /post-deploy|npm/);
    const tooFar = await deploy(['revert', '5']);
    assert.equal(tooFar.code, 1);
    assert.match(tooFar.stderr, /cannot go back 5 release\(s\): only 0 before the live one/);
  });

  it('a first release that fails has nothing to go back to: its apps are deleted, nothing is live', async () => {
    const path2 = join(server.remoteHome, 'first');
    const file = `module.exports = { apps: [{ name: 'first', script: 'crash.js' }], deploy: ${JSON.stringify(
      section({ path: path2 }),
    )} };\n`;
    repo.commit(
      { 'first.config.js': file, 'crash.js': "console.error('first is broken'); process.exit(1);\n" },
      'first',
    );
    assert.equal((await deploy(['setup'], 'first.config.js')).code, 0);
    const r = await deploy([], 'first.config.js');
    assert.equal(r.code, 1, r.all);
    assert.match(r.all, /first is broken/);
    assert.match(r.stderr, /rolled back \(no previous release: its apps were deleted\)/);
    assert.ok(!existsSync(join(path2, 'current')));
    assert.deepEqual(readdirSync(join(path2, 'releases')), []);
    const names = (JSON.parse(server.exec(`bash -lc 'steward jlist'`)) as Array<{ name: string }>).map(
      (e) => e.name,
    );
    assert.deepEqual(names.sort(), ['web', 'web']);
  });

  it('a failing pre-deploy hook stops the deploy with its output, and nothing live changes', async () => {
    const before = live();
    const count = releases().length;
    writeFileSync(
      join(repo.work, 'hook-fail.config.js'),
      ecosystem(section({ 'pre-deploy': 'echo checking the release; echo the tests failed >&2; exit 7' })),
    );
    const r = await deploy([], 'hook-fail.config.js');
    assert.equal(r.code, 1, r.all);
    assert.match(r.all, /\] the tests failed/);
    assert.match(r.stderr, /error: .*the pre-deploy hook failed \(exit 7\)/);
    assert.equal(live(), before);
    assert.equal(releases().length, count);
    assert.ok(!existsSync(join(path, '.deploy-lock')));

    // pre-deploy-local runs here, in the file's directory, before any host is reached.
    writeFileSync(
      join(repo.work, 'local-fail.config.js'),
      ecosystem(section({ 'pre-deploy-local': 'echo "building in $PWD"; exit 4' })),
    );
    const local = await deploy([], 'local-fail.config.js');
    assert.equal(local.code, 1, local.all);
    assert.match(local.stdout, new RegExp(`\\[local *\\] building in ${repo.work}\\n`));
    assert.match(local.stderr, /error: the pre-deploy-local hook failed \(exit 4\); no host was touched/);
    assert.equal(live(), before);
    assert.equal(releases().length, count);
  });

  it('a second deploy while one runs fails in one line naming the holder', async () => {
    release('v5');
    // A longer window keeps the winner holding the lock well past the moment the loser asks for it.
    const [a, b] = await Promise.all([deploy(['--health-window', '3s']), deploy(['--health-window', '3s'])]);
    const codes = [a.code, b.code].sort();
    assert.deepEqual(codes, [0, 1], a.all + b.all);
    const loser = a.code === 1 ? a : b;
    assert.match(loser.stderr, /error: .*another deploy holds the lock: \S+@\S+ pid \d+ since \d{4}-/);
    assert.match(loser.stderr, /remove .*\.deploy-lock on the host/);
    assert.equal(await get(appPort), 'v5');
  });

  it('bad input answers in one line and changes nothing: missing env, bad ref, unwritable path', async () => {
    const before = live();
    const noEnv = await home.run(['deploy', 'ecosystem.config.js', 'staging'], { cwd: repo.work });
    assert.equal(noEnv.code, 1);
    assert.match(noEnv.stderr, /no deploy\.staging section \(the file has deploy sections for: production\)/);
    const badRef = await deploy(['no-such-branch']);
    assert.equal(badRef.code, 1);
    assert.match(badRef.stderr, /error: .*ref "no-such-branch" is not in/);
    assert.equal(live(), before);
    writeFileSync(
      join(repo.work, 'unwritable.config.js'),
      ecosystem(section({ path: '/proc/steward-deploy' })),
    );
    const unwritable = await deploy(['setup'], 'unwritable.config.js');
    assert.equal(unwritable.code, 1);
    assert.match(unwritable.stderr, /error: .*\/proc\/steward-deploy is not writable by the deploy user/);
    writeFileSync(
      join(repo.work, 'nobin.config.js'),
      ecosystem(section({ env: { STEWARD_BIN: '/nonexistent/steward' } })),
    );
    const noBin = await deploy([], 'nobin.config.js');
    assert.equal(noBin.code, 1);
    assert.match(
      noBin.stderr,
      /error: .*STEWARD_BIN=\/nonexistent\/steward is not an executable on the host/,
    );
    assert.equal(live(), before);
    assert.ok(!existsSync(join(path, '.deploy-lock')));
    const badKey = ecosystem(section({ port: 'x' }));
    writeFileSync(join(repo.work, 'badkey.config.js'), badKey);
    const bad = await deploy([], 'badkey.config.js');
    assert.equal(bad.code, 1);
    assert.match(bad.stderr, /deploy\.production\.port: expected a port number/);
  });

  it('an unreachable host or a refused key is one line with ssh’s reason', async () => {
    const closed = await freePort();
    writeFileSync(join(repo.work, 'unreachable.config.js'), ecosystem(section({ port: closed })));
    const r = await deploy([], 'unreachable.config.js');
    assert.equal(r.code, 3, r.all);
    assert.match(r.stderr, /error: cannot reach \S+:\d+ over SSH: .*Connection refused/);
    assert.equal(r.stderr.trim().split('\n').length, 1, r.stderr);
    const otherKey = join(server.dir, 'other_key');
    const { execFileSync } = await import('node:child_process');
    execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', otherKey]);
    writeFileSync(join(repo.work, 'refused.config.js'), ecosystem(section({ key: otherKey })));
    const refused = await deploy([], 'refused.config.js');
    assert.equal(refused.code, 3, refused.all);
    assert.match(refused.stderr, /error: cannot reach .* over SSH: .*Permission denied \(publickey/);
  });

  it('keeps keep_releases releases (the live one always), and never prints env values', async () => {
    const secret = 's3cr3t-value-42';
    // The file the deploy reads is also the one post-deploy reloads on the host: it is committed.
    repo.commit(
      {
        'keep2.config.js': ecosystem(
          section({
            keep_releases: 2,
            env: { SECRET_TOKEN: secret },
            // The hooks see the section's env (and fail the deploy if they do not).
            'pre-deploy': `test "\${#SECRET_TOKEN}" -eq ${secret.length}`,
          }),
        ),
      },
      'keep2',
    );
    assert.ok(releases().length > 2);
    const r = await deploy([], 'keep2.config.js');
    assert.equal(r.code, 0, r.all);
    assert.equal(releases().length, 2);
    assert.equal(live(), `releases/${releases()[1]}`);
    assert.match(r.stdout, /--> pruned release \d{8}T/);
    assert.ok(!r.all.includes(secret), 'the secret is not in the output');
    assert.ok(!readFileSync(join(home.dir, 'deploy/production.log'), 'utf8').includes(secret));
  });

  it('exec runs a command in current, where pm2 means the host’s steward', async () => {
    mkdirSync(join(path, 'shared/uploads/x'), { recursive: true });
    const r = await deploy(['exec', 'ls uploads; pm2 pid web | wc -l']);
    assert.equal(r.code, 0, r.all);
    assert.match(r.stdout, /\] x$/m);
    assert.match(r.stdout, /\] 2$/m, 'pm2 pid web: the two instances of the cluster app');
  });

  it('Ctrl-C during the health window rolls the host back and releases the lock', async () => {
    const before = live();
    const serving = await get(appPort);
    release('v6');
    const child = spawn(
      process.execPath,
      [BIN, 'deploy', 'ecosystem.config.js', 'production', '--health-window', '60s'],
      { cwd: repo.work, env: home.env },
    );
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (out += d.toString()));
    const closed = new Promise<number | null>((resolve) => child.on('close', resolve));
    await waitFor(() => out.includes('» health check:'), 'the health check to begin', 30_000);
    assert.equal(await get(appPort), 'v6');
    child.kill('SIGINT');
    assert.equal(await closed, 1, out);
    assert.match(out, /\[steward\] interrupted: each host finishes its current step/);
    assert.match(out, /error: \S+: interrupted; rolled back to \d{8}T/);
    assert.equal(live(), before);
    assert.ok(!existsSync(join(path, '.deploy-lock')));
    assert.equal(await get(appPort), serving);
  });
});
