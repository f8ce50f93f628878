import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { chmodSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { parsePreamble } from '../../../src/remote/preamble.js';
import { remoteStewardCommand } from '../../../src/remote/remote-command.js';
import { tmpDir } from '../../helpers.js';

describe('remoteStewardCommand', () => {
  // A "steward" that prints its arguments and STEWARD_HOME, run through a real shell as sshd would.
  const dir = tmpDir();
  const fake = join(dir, 'fake steward');
  writeFileSync(fake, '#!/bin/sh\nprintf "%s|" "$STEWARD_HOME" "$@"\n');
  chmodSync(fake, 0o755);
  const sh = (cmd: string, env: NodeJS.ProcessEnv = {}) =>
    execFileSync('/bin/sh', ['-c', cmd], {
      encoding: 'utf8',
      env: { PATH: process.env.PATH, HOME: dir, ...env },
    });

  it('quotes every word, so that arguments with spaces and quotes arrive intact', () => {
    const out = sh(
      remoteStewardCommand(['start', "it's a.js", '--name', 'a b'], { bin: fake, home: '/h x' }),
    );
    assert.equal(out, "/h x|start|it's a.js|--name|a b|");
  });

  it('uses STEWARD_BIN of the remote environment when the client names no binary', () => {
    assert.equal(sh(remoteStewardCommand(['ls']), { STEWARD_BIN: fake }), '|ls|');
  });

  it("keeps the command on that host: the host's own STEWARD_HOST or context do not apply", () => {
    const show = join(dir, 'show-env');
    writeFileSync(show, '#!/bin/sh\nprintf "%s|%s" "$STEWARD_HOST" "$STEWARD_CONTEXT"\n');
    chmodSync(show, 0o755);
    const env = { STEWARD_HOST: 'ssh://elsewhere', STEWARD_CONTEXT: 'other' };
    assert.equal(sh(remoteStewardCommand(['ls'], { bin: show }), env), '|default');
  });

  it('runs in a login shell: a profile that sets PATH (nvm style) is read', () => {
    writeFileSync(join(dir, '.profile'), `export PATH="${dir}/bin:$PATH"\n`);
    const bin = join(dir, 'bin');
    execFileSync('mkdir', ['-p', bin]);
    writeFileSync(join(bin, 'steward'), '#!/bin/sh\necho from-profile "$@"\n');
    chmodSync(join(bin, 'steward'), 0o755);
    assert.equal(sh(remoteStewardCommand(['ping'])).trim(), 'from-profile ping');
  });
});

describe('parsePreamble', () => {
  it('finds the preamble and ignores what a login profile may print', () => {
    assert.equal(parsePreamble('Welcome to web1'), undefined);
    assert.equal(parsePreamble('{"steward_dial": 2}'), undefined);
    assert.equal(parsePreamble('steward_dial is not JSON'), undefined);
    const p = parsePreamble('{"steward_dial":1,"ok":false,"code":"E_HOME","error":"bad home"}');
    assert.deepEqual(p, { steward_dial: 1, ok: false, code: 'E_HOME', error: 'bad home' });
  });
});
