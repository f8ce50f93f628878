import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { Home, tmpDir } from '../helpers.js';

/**
 * scripts/build.js patches the bundled commander so that child_process (and dgram with it) is loaded
 * only when commander spawns a git-style subcommand, which Steward never does. This proves it on the
 * built CLI: a commander release that loads it eagerly again fails here, not on users' cold starts.
 */
describe('CLI bundle: built-in modules loaded by a command', () => {
  const home = new Home();
  after(() => home.cleanup());
  const probe = join(tmpDir(), 'probe.cjs');
  writeFileSync(
    probe,
    `process.on('exit', () => {
  const loaded = process.moduleLoadList.filter((m) => /^NativeModule (child_process|dgram)$/.test(m));
  require('node:fs').writeSync(2, 'builtins: ' + JSON.stringify(loaded) + '\\n');
});
`,
  );

  it('ls, start, stop and delete (daemon running) do not load child_process or dgram', async () => {
    await home.ok(['ping']); // the daemon is started (which does spawn) before the measured run
    // `ls --sort id` runs the full CLI (commander); `ls` alone the fast path (src/cli/fast.ts).
    for (const args of [
      ['ls', '--sort', 'id'],
      ['ls'],
      // Only --uid/--gid need child_process (getent): the everyday commands do not load it.
      ['start', 'test/fixtures/apps/forever.js', '--name', 'no-child-process'],
      ['stop', 'no-child-process'],
      ['delete', 'no-child-process'],
    ]) {
      const r = await home.ok(args, { env: { NODE_OPTIONS: `--require ${probe}` } });
      assert.match(r.stderr, /^builtins: \[\]$/m, `${args.join(' ')}: ${r.stderr}`);
    }
  });

  it('steward start loads crypto only for an app with an env_file (dotenv is loaded on first use)', async () => {
    const probeCrypto = join(tmpDir(), 'probe-crypto.cjs');
    writeFileSync(
      probeCrypto,
      `process.on('exit', () => {
  const loaded = process.moduleLoadList.includes('NativeModule crypto');
  require('node:fs').writeSync(2, 'crypto: ' + loaded + '\\n');
});
`,
    );
    const env = { NODE_OPTIONS: `--require ${probeCrypto}` };
    const plain = await home.ok(['start', 'test/fixtures/apps/forever.js', '--name', 'no-env-file'], { env });
    assert.match(plain.stderr, /^crypto: false$/m, plain.stderr);
    const envFile = join(tmpDir(), 'app.env');
    writeFileSync(envFile, 'FROM_FILE="yes"\n');
    const withFile = await home.ok(
      ['start', 'test/fixtures/apps/forever.js', '--name', 'env-file', '--env-file', envFile],
      { env },
    );
    assert.match(withFile.stderr, /^crypto: true$/m, 'dotenv ran (it loads crypto)');
    const envOut = await home.ok(['env', 'env-file']);
    assert.match(envOut.stdout, /^FROM_FILE: yes$/m);
  });
});

/**
 * `steward ls`, `jlist` and `ping` alone run a small bundle of their own (src/cli/fast.ts); with a
 * flag, or with STEWARD_FAST=0, the full CLI runs the same handlers. Both must answer the same.
 */
describe('CLI fast path', () => {
  const home = new Home();
  after(() => home.cleanup());
  const probe = join(tmpDir(), 'bundles.cjs');
  writeFileSync(
    probe,
    `process.on('exit', () => {
  const ours = Object.keys(require.cache).filter((f) => /dist[\\\\/]cli[\\\\/]/.test(f)).map((f) => f.replace(/.*[\\\\/]/, ''));
  require('node:fs').writeSync(2, 'bundles: ' + JSON.stringify(ours.sort()) + '\\n');
});
`,
  );
  const withProbe = { env: { NODE_OPTIONS: `--require ${probe}` } };
  const names = (out: string) => [...out.matchAll(/^│ \d+\s+│ (\S+)/gm)].map((m) => m[1]);

  it('ls, jlist and ping alone load only the fast bundle and answer as the full CLI does', async () => {
    await home.ok(['start', 'test/fixtures/apps/forever.js', '--name', 'fast-a']);
    await home.ok(['start', 'test/fixtures/apps/forever.js', '--name', 'fast-b']);
    for (const cmd of ['ls', 'status', 'jlist', 'ping']) {
      const fast = await home.ok([cmd], withProbe);
      assert.match(fast.stderr, /^bundles: \["fast\.cjs"\]$/m, `${cmd}: ${fast.stderr}`);
      const full = await home.ok([cmd], { env: { ...withProbe.env, STEWARD_FAST: '0' } });
      assert.match(full.stderr, /^bundles: \["boot\.cjs"\]$/m, `${cmd}: ${full.stderr}`);
      if (cmd === 'jlist') {
        const ids = (s: string) => (JSON.parse(s) as Array<{ name: string }>).map((e) => e.name);
        assert.deepEqual(ids(fast.stdout), ['fast-a', 'fast-b']);
        assert.deepEqual(ids(fast.stdout), ids(full.stdout));
      } else if (cmd === 'ping') {
        assert.equal(fast.stdout, full.stdout);
      } else {
        assert.deepEqual(names(fast.stdout), ['fast-a', 'fast-b']);
        assert.deepEqual(names(fast.stdout), names(full.stdout));
      }
    }
  });

  it('an error on the fast path is the same one line and exit code as on the full CLI', async () => {
    // A home that is a file: the daemon cannot be reached or started there.
    const file = join(tmpDir(), 'not-a-home');
    writeFileSync(file, '');
    const fast = await home.run(['ls'], { env: { STEWARD_HOME: file } });
    const full = await home.run(['ls'], { env: { STEWARD_HOME: file, STEWARD_FAST: '0' } });
    assert.notEqual(fast.code, 0);
    assert.equal(fast.code, full.code);
    assert.equal(fast.stderr, full.stderr);
    assert.match(fast.stderr, /^\[steward\] error: .+\n$/);
  });
});

/**
 * The daemon loads http, https, crypto, zlib and fs/promises (with readline) only for the features
 * that need them (src/common/lazy-builtin.ts): together ~1.8 MB of private memory (issue 21).
 */
describe('daemon: built-in modules loaded when idle', () => {
  const home = new Home();
  after(() => home.cleanup());
  const out = join(tmpDir(), 'daemon-builtins.txt');
  const probe = join(tmpDir(), 'daemon-probe.cjs');
  writeFileSync(
    probe,
    `if (/daemon\\.js$/.test(process.argv[1] || '')) process.on('exit', () => {
  const names = process.moduleLoadList.filter((m) => m.startsWith('NativeModule ')).map((m) => m.slice(13));
  require('node:fs').writeFileSync(${JSON.stringify(out)}, names.join('\\n'));
});
`,
  );

  it('a daemon that started, listed and stopped an app loads none of them', async () => {
    const env = { NODE_OPTIONS: `--require ${probe}` };
    await home.ok(['start', 'test/fixtures/apps/forever.js', '--name', 'quiet'], { env });
    await home.ok(['ls'], { env });
    await home.ok(['stop', 'quiet'], { env });
    await home.ok(['kill'], { env });
    const loaded = readFileSync(out, 'utf8').split('\n');
    assert.ok(loaded.includes('net'), 'the probe did not run in the daemon');
    for (const m of ['http', 'https', 'crypto', 'zlib', 'fs/promises', 'readline'])
      assert.ok(!loaded.includes(m), `the idle daemon loaded ${m}`);
  });
});
