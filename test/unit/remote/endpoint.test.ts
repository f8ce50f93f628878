import assert from 'node:assert/strict';
import { statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { resolveEndpoints } from '../../../src/remote/endpoint.js';
import { readContexts, writeContexts } from '../../../src/remote/contexts.js';
import { tmpDir } from '../../helpers.js';

describe('resolveEndpoints', () => {
  const home = join(tmpDir(), 'home');
  writeContexts(home, {
    format: 1,
    contexts: {
      web1: { host: 'ssh://deploy@web1', sshConfig: '/c1' },
      web2: { host: 'deploy@web2', bin: '/opt/steward' },
    },
  });
  const env = (more: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv => ({ STEWARD_HOME: home, ...more });

  it('is local without flags, variables or a current context', () => {
    assert.equal(resolveEndpoints({}, env()), undefined);
    assert.equal(resolveEndpoints({ context: 'default' }, env()), undefined);
    assert.equal(statSync(join(home, 'contexts.json')).mode & 0o777, 0o600);
  });

  it('follows the precedence --host, --context, STEWARD_HOST, STEWARD_CONTEXT, current', () => {
    const e = env({ STEWARD_HOST: 'ssh://x@env', STEWARD_CONTEXT: 'web2', STEWARD_SSH_CONFIG: '/envcfg' });
    assert.deepEqual(resolveEndpoints({ host: 'ssh://u@flag' }, e), [
      { sshConfig: '/envcfg', name: 'ssh://u@flag', host: 'ssh://u@flag' },
    ]);
    assert.equal(resolveEndpoints({ context: 'web1' }, e)?.[0]?.host, 'ssh://deploy@web1');
    assert.equal(resolveEndpoints({}, e)?.[0]?.host, 'ssh://x@env');
    assert.equal(resolveEndpoints({}, env({ STEWARD_CONTEXT: 'web2' }))?.[0]?.bin, '/opt/steward');
    const file = readContexts(home);
    writeContexts(home, { ...file, current: 'web1' });
    try {
      assert.equal(resolveEndpoints({}, env())?.[0]?.name, 'web1');
    } finally {
      writeContexts(home, file);
    }
  });

  it('gives several endpoints for a list, default being the local daemon', () => {
    const eps = resolveEndpoints({ context: 'default,web1' }, env());
    assert.deepEqual(
      eps?.map((x) => [x.name, x.host]),
      [
        ['default', undefined],
        ['web1', 'ssh://deploy@web1'],
      ],
    );
  });

  it('names the problem: an unknown context, a bad URL', () => {
    assert.throws(() => resolveEndpoints({ context: 'nope' }, env()), {
      code: 'E_USAGE',
      message: 'no context named "nope"',
    });
    assert.throws(() => resolveEndpoints({ host: 'http://web1' }, env()), { code: 'E_USAGE' });
    assert.throws(() => resolveEndpoints({ host: '' }, env()), { code: 'E_USAGE' });
    assert.throws(() => resolveEndpoints({ context: '' }, env()), { code: 'E_USAGE' });
  });
});
