// The SSH fixture itself: the deploy and remote tests depend on it reaching a real sshd on loopback
// with nothing from the user's ~/.ssh, and on the remote HOME being the test's own directory.
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { SshServer, sshSkipReason } from '../sshd-support.js';

const skip = sshSkipReason();
const server = new SshServer();

before(async () => {
  if (!skip) await server.start({ env: { STEWARD_TEST_MARK: 'x y' } });
});
after(() => server.stop());

test(
  'ssh reaches the test sshd with the test key, and the remote HOME is the test directory',
  { skip },
  () => {
    const out = server.exec('echo "$HOME|$STEWARD_TEST_MARK"').trim();
    assert.equal(out, `${server.remoteHome}|x y`);
  },
);

test('a login shell on the remote side reads the profile under the test HOME', { skip }, () => {
  writeFileSync(join(server.remoteHome, '.profile'), 'export STEWARD_PROFILE_SEEN=yes\n');
  assert.equal(server.exec('bash -lc \'echo "$STEWARD_PROFILE_SEEN"\'').trim(), 'yes');
});
