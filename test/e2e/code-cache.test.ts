import assert from 'node:assert/strict';
import { chmodSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { Home } from '../helpers.js';

/** The CLI's V8 code cache (src/cli/code-cache.ts) in STEWARD_HOME/cache. A flag keeps `ping` and `ls` off the fast path, which has no cache. */
describe('CLI code cache', () => {
  const home = new Home();
  after(() => home.cleanup());
  const dir = join(home.dir, 'cache');
  const pingCache = () => readdirSync(dir).filter((f) => f.startsWith('cli-ping-'));

  it('is written privately once per command and reused', async () => {
    await home.ok(['ping', '-s']); // starts the daemon, which makes the home
    await home.ok(['ping', '-s']);
    const [file, ...more] = pingCache();
    assert.ok(file, 'no cache for ping');
    assert.equal(more.length, 0);
    assert.equal(statSync(dir).mode & 0o777, 0o700);
    const path = join(dir, file);
    assert.equal(statSync(path).mode & 0o777, 0o600);
    const before = statSync(path).mtimeMs;
    const r = await home.ok(['ping', '-s']);
    assert.match(r.stdout, /pong/);
    // Accepted by V8, so not written again.
    assert.equal(statSync(path).mtimeMs, before);
  });

  it('replaces a corrupt cache, and ignores one in a directory others can write to', async () => {
    const path = join(dir, pingCache()[0] ?? 'missing');
    writeFileSync(path, 'not a code cache');
    assert.match((await home.ok(['ping', '-s'])).stdout, /pong/);
    assert.notEqual(readFileSync(path, 'latin1'), 'not a code cache');

    writeFileSync(path, 'planted by someone else');
    chmodSync(dir, 0o777);
    try {
      assert.match((await home.ok(['ping', '-s'])).stdout, /pong/);
      assert.equal(readFileSync(path, 'latin1'), 'planted by someone else');
    } finally {
      chmodSync(dir, 0o700);
    }
  });

  it('is not used with STEWARD_CODE_CACHE=0', async () => {
    await home.ok(['ls', '--sort', 'id'], { env: { STEWARD_CODE_CACHE: '0' } });
    assert.deepEqual(
      readdirSync(dir).filter((f) => f.startsWith('cli-ls-')),
      [],
    );
  });
});
