// `steward deploy` to two hosts (two sshd servers on loopback, each with its own HOME and remote
// daemon): in parallel, with a canary first, and the first failure stopping hosts not started.
// Host A has nvm as its installer leaves it on Debian/Ubuntu (in ~/.bashrc, after the line that ends
// non-interactive shells); host B names its steward with STEWARD_BIN.
import assert from 'node:assert/strict';
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { Home } from '../helpers.js';
import { freePort, SshServer, sshSkipReason } from '../sshd-support.js';
import { appSource, ecosystem, get, nvmBashrcProfile, stewardBinShim, TestRepo } from './deploy-support.js';

const skip = sshSkipReason();

describe('steward deploy (two hosts)', { skip }, () => {
  const a = new SshServer('hosta');
  const b = new SshServer('hostb');
  const home = new Home();
  const repo = new TestRepo();
  const ports = { a: 0, b: 0 };
  const label = (s: SshServer) => `${s.user}@127.0.0.1:${s.port}`;

  const section = () => ({
    production: {
      host: [`ssh://${a.user}@127.0.0.1:${a.port}`, `ssh://${b.user}@127.0.0.1:${b.port}`],
      // PM2's ssh_options only: one IdentityFile and one known_hosts file per server.
      ssh_options: [
        `IdentityFile=${a.keyFile}`,
        `IdentityFile=${b.keyFile}`,
        `UserKnownHostsFile=${a.knownHostsFile} ${b.knownHostsFile}`,
        'StrictHostKeyChecking=yes',
        'IdentitiesOnly=yes',
      ],
      repo: repo.bare,
      ref: 'origin/main',
      path: '~/fleet',
      'pre-deploy': '[ ! -e "$HOME/fail-here" ] || { echo "refusing on this host"; exit 3; }',
      health_window: '1s',
    },
  });
  const release = (version: string) =>
    repo.commit({ 'server.js': appSource(version), 'ecosystem.config.js': ecosystem(section(), 1) }, version);
  const deploy = async (args: string[]) => {
    const r = await home.run(['deploy', 'production', ...args], { cwd: repo.work });
    return { ...r, all: r.stdout + r.stderr };
  };
  const summaryRow = (out: string, s: SshServer) =>
    out.split('\n').find((l) => l.startsWith(`${label(s)} `)) ?? '(no summary row)';

  before(async () => {
    if (skip) return;
    ports.a = await freePort();
    ports.b = await freePort();
    await a.start({ env: { APP_PORT: String(ports.a) } });
    await b.start({ env: { APP_PORT: String(ports.b), STEWARD_BIN: stewardBinShim() } });
    nvmBashrcProfile(a);
  });
  after(async () => {
    if (!skip) await Promise.all([a.stop(), b.stop()]);
    await home.cleanup();
  });

  it("host A's login shell has no steward: nvm is in ~/.bashrc after the non-interactive guard", () => {
    let found = '';
    try {
      found = a.exec(`bash -lc 'command -v steward'`);
    } catch {
      // not found at all
    }
    assert.doesNotMatch(found, /\.nvm/);
  });

  it('sets up both hosts in parallel, under ~/ of each', async () => {
    release('v1');
    const r = await deploy(['setup']);
    assert.equal(r.code, 0, r.all);
    assert.match(summaryRow(r.stdout, a), /set up$/);
    assert.match(summaryRow(r.stdout, b), /set up$/);
    assert.match(r.stdout, new RegExp(`\\[${label(a)}\\] cloning .* into ${a.remoteHome}/fleet/source`));
    assert.match(r.stdout, new RegExp(`\\[${label(b)}\\] cloning .* into ${b.remoteHome}/fleet/source`));
  });

  it('--canary: the first host is deployed and health-checked before the other starts', async () => {
    const r = await deploy(['--canary']);
    assert.equal(r.code, 0, r.all);
    const canaryLive = r.stdout.indexOf(`[${label(a)}] » live:`);
    const secondStarts = r.stdout.indexOf(`[${label(b)}] --> release`);
    assert.ok(canaryLive >= 0 && secondStarts > canaryLive, r.stdout);
    assert.equal(await get(ports.a), 'v1', "host A's steward comes from ~/.nvm/nvm.sh");
    assert.equal(await get(ports.b), 'v1', 'STEWARD_BIN names the steward of host B');
  });

  it('a failing canary stops the deploy: the other host is skipped and keeps its release', async () => {
    release('v2');
    writeFileSync(join(a.remoteHome, 'fail-here'), '');
    try {
      const r = await deploy(['--canary']);
      assert.equal(r.code, 1, r.all);
      assert.match(r.all, /refusing on this host/);
      assert.match(summaryRow(r.stdout, a), /failed: the pre-deploy hook failed \(exit 3\)/);
      assert.match(summaryRow(r.stdout, b), /skipped \(an earlier host failed\)/);
      assert.doesNotMatch(r.stdout, new RegExp(`\\[${label(b)}\\]`));
    } finally {
      rmSync(join(a.remoteHome, 'fail-here'));
    }
    assert.equal(await get(ports.a), 'v1');
    assert.equal(await get(ports.b), 'v1');
  });

  it('in parallel, one host failing does not undo the other; the summary says which', async () => {
    writeFileSync(join(b.remoteHome, 'fail-here'), '');
    try {
      const r = await deploy(['--parallel', '2']);
      assert.equal(r.code, 1, r.all);
      assert.match(summaryRow(r.stdout, a), /\d{8}T\d{6}Z-\w{7} +\d+\.\d +ok$/);
      assert.match(summaryRow(r.stdout, b), /failed: the pre-deploy hook failed/);
      assert.match(r.stderr, new RegExp(`error: ${label(b)}: the pre-deploy hook failed`));
    } finally {
      rmSync(join(b.remoteHome, 'fail-here'));
    }
    assert.equal(await get(ports.a), 'v2');
    assert.equal(await get(ports.b), 'v1');
  });
});
