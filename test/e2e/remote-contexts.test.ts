// Named contexts over two real sshds on loopback (test/sshd-support.ts): add, ls, use, rm,
// --context, and `ls --context a,b` with a host column. Each server's remote HOME holds its own
// daemon (`server.stop()` ends it); nothing touches ~/.ssh or ~/.steward.
import assert from 'node:assert/strict';
import { statSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { APPS, BIN, Home } from '../helpers.js';
import { SshServer, sshSkipReason } from '../sshd-support.js';

const skip = sshSkipReason();
const FOREVER = join(APPS, 'forever.js');

describe('remote contexts', { skip }, () => {
  const a = new SshServer('hosta');
  const b = new SshServer('hostb');
  const home = new Home();

  before(async () => {
    await Promise.all([a.start({ env: { STEWARD_BIN: BIN } }), b.start({ env: { STEWARD_BIN: BIN } })]);
  });
  after(async () => {
    await home.cleanup();
    await Promise.all([a.stop(), b.stop()]);
  });

  it('keeps named contexts (0600): add, ls, use, rm, --context, and ls --context a,b with a host column', async () => {
    const ctx = (...args: string[]) => home.run(['context', ...args]);
    assert.equal((await ctx('add', 'web1', a.url, '--ssh-config', a.configFile)).code, 0);
    assert.equal((await home.run(['--context', 'web1', 'start', FOREVER, '--name', 'rf'])).code, 0);
    assert.equal(
      (await ctx('add', 'web2', `ssh://${b.user}@${b.alias}`, '--ssh-config', b.configFile)).code,
      0,
    );
    const file = join(home.dir, 'contexts.json');
    assert.equal(statSync(file).mode & 0o777, 0o600);
    const dup = await ctx('add', 'web1', a.url);
    assert.equal(dup.code, 2);
    assert.match(dup.stderr, /context "web1" exists/);
    const badName = await ctx('add', 'a,b', a.url);
    assert.equal(badName.code, 2);

    const listed = await ctx('ls');
    assert.match(listed.stdout, /\*.*default/);
    assert.match(listed.stdout, /web1 +│ ssh:\/\/.*127\.0\.0\.1/);
    assert.match(listed.stdout, /web2 +│ ssh:\/\/.*hostb/);

    // An app on web2 only, started through --context.
    const started = await home.run(['--context', 'web2', 'start', FOREVER, '--name', 'onb']);
    assert.equal(started.code, 0, started.stderr);

    // `context use`: plain commands go there until `context use default`.
    assert.equal((await ctx('use', 'web1')).code, 0);
    const onWeb1 = await home.run(['ls']);
    assert.equal(onWeb1.code, 0, onWeb1.stderr);
    assert.match(onWeb1.stdout, /│ rf +│/);
    assert.doesNotMatch(onWeb1.stdout, /onb/);

    const both = await home.run(['ls', '--context', 'web1,web2']);
    assert.equal(both.code, 0, both.stderr);
    assert.match(both.stdout, /│ host +│ id +│ name/);
    assert.match(both.stdout, /│ web1 +│ \d+ +│ rf +│/);
    assert.match(both.stdout, /│ web2 +│ 0 +│ onb +│/);

    // One host down: the others still show, one line says which failed, and the exit is 3.
    assert.equal(
      (await ctx('add', 'down', 'ssh://nobody@127.0.0.1:1', '--ssh-config', a.configFile)).code,
      0,
    );
    const partial = await home.run(['ls', '--context', 'web2,down']);
    assert.equal(partial.code, 3);
    assert.match(partial.stdout, /│ web2 +│ 0 +│ onb +│/);
    assert.match(partial.stderr, /^\[steward\] down: cannot reach .* Connection refused/);
    const many = await home.run(['stop', 'all', '--context', 'web1,web2']);
    assert.equal(many.code, 2);
    assert.match(many.stderr, /several contexts work with `ls` only/);

    assert.equal((await ctx('rm', 'web1', 'down')).code, 0);
    // web1 was current: back to the local daemon (which has nothing and is started now).
    const local = await home.run(['ls']);
    assert.match(local.stdout, /No processes are managed/);
    const unknown = await home.run(['--context', 'web1', 'ls']);
    assert.equal(unknown.code, 2);
    assert.match(unknown.stderr, /no context named "web1" \(known: web2/);
    assert.equal((await home.run(['--context', 'web2', 'delete', 'onb'])).code, 0);
  });
});
