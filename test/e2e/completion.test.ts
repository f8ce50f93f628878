import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { chmodSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { which } from '../../src/config/resolve-script.js';
import { APPS, BIN, Home, tmpDir } from '../helpers.js';

describe('completion', () => {
  const home = new Home();
  const shim = tmpDir();
  const env = () => ({ ...home.env, PATH: `${shim}:${process.env.PATH ?? ''}` });

  /** Runs a shell script with `steward` on PATH. */
  function sh(shell: string, script: string): Promise<string> {
    return new Promise((resolve, reject) => {
      execFile(shell, ['-c', script], { env: env() }, (err, stdout, stderr) =>
        err ? reject(new Error(`${err.message}\n${stderr}`)) : resolve(stdout),
      );
    });
  }

  /** What bash's completion function offers for the words typed so far (the last one is being completed). */
  async function bash(...words: string[]): Promise<string[]> {
    const arr = ['steward', ...words].map((w) => `'${w}'`).join(' ');
    const out = await sh(
      'bash',
      `source <(steward completion bash)
COMP_WORDS=(${arr}); COMP_CWORD=${words.length}; _steward_complete; printf '%s\\n' "\${COMPREPLY[@]}"`,
    );
    return out.split('\n').filter(Boolean);
  }

  before(async () => {
    writeFileSync(join(shim, 'steward'), `#!/bin/sh\nexec ${process.execPath} ${BIN} "$@"\n`);
    chmodSync(join(shim, 'steward'), 0o755);
    await home.ok(['start', join(APPS, 'forever.js'), '--name', 'alpha']);
    await home.ok(['start', join(APPS, 'forever.js'), '--name', 'beta', '-f']);
  });
  after(() => home.cleanup());

  it('bash: commands and aliases from the registry', async () => {
    assert.deepEqual(await bash('st'), [
      'start',
      'stop',
      'startOrRestart',
      'startOrReload',
      'startOrGracefulReload',
      'status',
      'startup',
    ]);
    assert.deepEqual(await bash('exp'), ['export', 'expose']);
    assert.deepEqual(await bash('--ver'), ['--version']);
  });

  it('bash: the options of the command being typed, global ones included', async () => {
    assert.deepEqual(await bash('start', '--na'), ['--name', '--namespace']);
    assert.deepEqual(await bash('serve', '--basic'), ['--basic-auth-username', '--basic-auth-password']);
    assert.deepEqual(await bash('ls', '--sil'), ['--silent']);
  });

  it('bash: app names (and all) for targets, fixed lists, nothing after an option that takes a value', async () => {
    assert.deepEqual(await bash('stop', ''), ['alpha', 'beta', 'all']);
    assert.deepEqual(await bash('restart', 'alpha', 'b'), ['beta'], 'targets repeat');
    assert.deepEqual(await bash('describe', 'al'), ['alpha', 'all']);
    assert.deepEqual(await bash('id', 'al'), ['alpha'], 'an app name, not a target');
    assert.deepEqual(await bash('logs', '--lines', '5', 'a'), ['alpha', 'all'], 'option values are skipped');
    assert.deepEqual(await bash('start', '--name', ''), []);
    assert.deepEqual(await bash('startup', ''), ['systemd', 'openrc', 'launchd']);
    assert.deepEqual(await bash('completion', ''), ['bash', 'zsh']);
    assert.deepEqual(await bash('serve', '.', ''), [], 'the port is free text');
  });

  it('app names never start a daemon', async () => {
    const other = new Home();
    try {
      const r = await other.ok(['completion', '--apps']);
      assert.equal(r.stdout, '');
      assert.equal(other.daemonPid(), undefined);
    } finally {
      await other.cleanup();
    }
  });

  it('zsh: the script loads and offers the same words', async (t) => {
    if (!which('zsh', process.env.PATH)) return t.skip('zsh is not installed (.ci/run installs it)');
    // Stand-ins for zsh's completion builtins print what _steward would offer for the current word.
    const out = await sh(
      'zsh',
      `autoload -U compinit && compinit -u -D
source <(steward completion zsh)
offer() { local w; for w in "$@"; do [[ $w == \${words[CURRENT]}* ]] && print -r -- $w; done }
_describe() { shift 3; offer \${\${(P)1}%%:*} }
compadd() { offer \${(P)2} }
_files() { print FILES }
for line in 'steward st' 'steward stop ' 'steward start --na' 'steward startup ' 'steward start -n '; do
  words=(\${=line}); [[ $line == *' ' ]] && words+=('')
  CURRENT=\${#words}
  print "[$line]" $(_steward)
done`,
    );
    const lines = out.trim().split('\n');
    assert.deepEqual(lines, [
      '[steward st] start stop startOrRestart startOrReload startOrGracefulReload status startup',
      '[steward stop ] alpha beta all',
      '[steward start --na] --name --namespace',
      '[steward startup ] systemd openrc launchd',
      '[steward start -n ] FILES',
    ]);
  });
});
