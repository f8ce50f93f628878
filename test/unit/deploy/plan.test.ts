import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { describe, it } from 'node:test';
import { acquireLock, releaseLock, type LockOwner } from '../../../src/deploy/lock.js';
import {
  abortScript,
  execScript,
  finishScript,
  listScript,
  postDeployCommand,
  prepareScript,
  reloadCommand,
  revertScript,
  rollbackScript,
  setupScript,
  switchScript,
  type PlanInput,
} from '../../../src/deploy/plan.js';
import { pathWord, prelude } from '../../../src/deploy/prelude.js';
import { readDeploySection } from '../../../src/deploy/section.js';

const owner: LockOwner = { token: 'abc123', description: 'me@laptop pid 1 since 2026-01-01T00:00:00Z' };

function input(over: Record<string, unknown> = {}): PlanInput {
  const { section } = readDeploySection(
    { deploy: { production: { host: 'h', repo: 'git@example.com:a/b.git', path: '/srv/app', ...over } } },
    'production',
    'f',
  );
  return { section, fileName: 'ecosystem.config.js', owner };
}

/** bash -n: the script parses. */
function parses(script: string): void {
  const r = spawnSync('bash', ['-n'], { input: script, encoding: 'utf8' });
  assert.equal(r.status, 0, `${r.stderr}\n${script}`);
}

describe('deploy plan (remote bash scripts)', () => {
  it('every step parses as bash', () => {
    const i = input({
      'pre-setup': 'echo "pre"',
      'post-setup': "echo 'post'",
      'pre-deploy': 'npm test',
      shared_dirs: ['uploads', 'var/cache dir'],
      shared_files: ['.env'],
      env: { NODE_ENV: 'production' },
    });
    for (const s of [
      setupScript(i),
      prepareScript(i, 'main', '20260101T000000Z'),
      switchScript(i, '20260101T000000Z-abcdef0'),
      rollbackScript(i, '20260101T000000Z-abcdef0', '20251231T000000Z-1234567'),
      rollbackScript(i, '20260101T000000Z-abcdef0', undefined),
      finishScript(i),
      abortScript(i, '20260101T000000Z-abcdef0'),
      revertScript(i, 2),
      listScript(i),
      execScript(i, 'ls -la'),
    ])
      parses(s);
  });

  it('exports env values quoted, whatever they hold', () => {
    const secret = `it's "$HOME" and \`id\` \\ ; rm -rf /`;
    const script = prelude({ path: '/srv/app', env: { SECRET: secret } }) + '\nprintf %s "$SECRET"';
    assert.equal(execFileSync('bash', ['-c', script], { encoding: 'utf8' }), secret);
  });

  it('puts ~/ paths under the remote HOME and quotes the rest', () => {
    assert.equal(pathWord('~/my app'), `"$HOME"/'my app'`);
    assert.equal(pathWord('/srv/app'), '/srv/app');
    const script = prelude({ path: '~/my app', env: {} }) + '\nprintf %s "$P"';
    assert.equal(
      execFileSync('bash', ['-c', script], { encoding: 'utf8', env: { HOME: '/h' } }),
      '/h/my app',
    );
  });

  it("PM2's default post-deploy installs production dependencies, then reloads through steward", () => {
    const i = input();
    assert.equal(reloadCommand(i), 'steward startOrReload ecosystem.config.js --env production');
    assert.match(
      postDeployCommand(i),
      /npm ci --omit=dev.*&& steward startOrReload ecosystem\.config\.js --env production$/,
    );
    assert.equal(postDeployCommand(input({ 'post-deploy': 'make deploy' })), 'make deploy');
  });

  it('a hook runs only when the section has it', () => {
    assert.doesNotMatch(setupScript(input()), /run_hook (pre|post)-setup/);
    assert.match(setupScript(input({ 'pre-setup': 'x' })), /run_hook pre-setup "\$P" x/);
    assert.match(
      prepareScript(input({ 'pre-deploy': 'npm test' }), 'main', 's'),
      /run_hook pre-deploy "\$REL" 'npm test'/,
    );
  });

  it('the lock names its holder and is removed only by its owner', () => {
    const dir = execFileSync('mktemp', ['-d'], { encoding: 'utf8' }).trim();
    const run = (body: string, _o: LockOwner) =>
      spawnSync('bash', ['-c', `${prelude({ path: dir, env: {} })}\n${body}`], { encoding: 'utf8' });
    assert.equal(run(acquireLock(owner), owner).status, 0);
    const other: LockOwner = { token: 'zzz', description: 'you@desk pid 2 since 2026-01-02T00:00:00Z' };
    const second = run(acquireLock(other), other);
    assert.equal(second.status, 1);
    assert.equal(second.stdout, '::steward:: fail\tlocked\tme@laptop pid 1 since 2026-01-01T00:00:00Z\n');
    run(releaseLock(other), other);
    assert.equal(run(acquireLock(other), other).status, 1, "another deploy's release leaves the lock");
    run(releaseLock(owner), owner);
    assert.equal(run(acquireLock(other), other).status, 0);
    execFileSync('rm', ['-rf', dir]);
  });

  it('the ref and the release name are quoted, and the mirror is fetched, never cloned again', () => {
    const s = prepareScript(input(), "v1; echo 'x'", '20260101T000000Z');
    assert.match(s, /rev-parse --verify --quiet 'v1; echo '\\''x'\\''\^\{commit\}'/);
    assert.doesNotMatch(s, /git clone/);
    assert.match(
      setupScript(input()),
      /if \[ -d "\$P\/source" \]; then[\s\S]*fetch[\s\S]*else[\s\S]*git clone --mirror/,
    );
  });
});
