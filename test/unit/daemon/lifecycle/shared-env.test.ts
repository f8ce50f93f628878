import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { withSharedEnv } from '../../../../src/daemon/lifecycle/shared-env.js';
import type { AppConfig } from '../../../../src/config/app-config.js';

const cfg = (name: string, shell_env: Record<string, string>) =>
  ({ name, shell_env }) as unknown as AppConfig;

describe('shared shell environments', () => {
  it('configs with equal environments share one frozen object; others keep their own', () => {
    const a = withSharedEnv(cfg('a', { PATH: '/bin', HOME: '/root' }));
    const b = withSharedEnv(cfg('b', { PATH: '/bin', HOME: '/root' }));
    const c = withSharedEnv(cfg('c', { PATH: '/usr/bin', HOME: '/root' }));
    assert.equal(a.shell_env, b.shell_env);
    assert.notEqual(a.shell_env, c.shell_env);
    assert.deepEqual(c.shell_env, { PATH: '/usr/bin', HOME: '/root' });
    assert.equal(b.name, 'b');
    assert.ok(Object.isFrozen(a.shell_env));
  });

  it('returns the config itself when its environment is the shared one already', () => {
    const first = withSharedEnv(cfg('x', { ONLY: 'here' }));
    assert.equal(withSharedEnv(first), first);
  });
});
