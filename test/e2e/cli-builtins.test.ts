import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
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

  it('steward ls (daemon running) does not load child_process or dgram', async () => {
    await home.ok(['ping']); // the daemon is started (which does spawn) before the measured run
    const r = await home.ok(['ls'], { env: { NODE_OPTIONS: `--require ${probe}` } });
    assert.match(r.stderr, /^builtins: \[\]$/m, r.stderr);
  });
});
