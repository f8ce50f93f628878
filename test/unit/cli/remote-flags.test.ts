import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { takeRemoteFlags } from '../../../src/cli/remote-flags.js';

describe('takeRemoteFlags', () => {
  const take = (...argv: string[]) => {
    const rest = [...argv];
    return { flags: takeRemoteFlags(rest), rest };
  };

  it('takes --host and --context before or after the command, in both spellings', () => {
    assert.deepEqual(take('--host', 'ssh://u@h', 'ls'), { flags: { host: 'ssh://u@h' }, rest: ['ls'] });
    assert.deepEqual(take('ls', '--context=a,b', '--sort', 'name'), {
      flags: { context: 'a,b' },
      rest: ['ls', '--sort', 'name'],
    });
    assert.deepEqual(take('-s', '--context', 'prod', 'restart', 'api', '--host=ssh://x'), {
      flags: { context: 'prod', host: 'ssh://x' },
      rest: ['-s', 'restart', 'api'],
    });
  });

  it("leaves serve's own --host (the bind address) to serve, but not a --host before it", () => {
    assert.deepEqual(take('serve', 'dist', '--host', '0.0.0.0'), {
      flags: {},
      rest: ['serve', 'dist', '--host', '0.0.0.0'],
    });
    assert.deepEqual(take('--host', 'ssh://w', 'serve', '--host', '0.0.0.0'), {
      flags: { host: 'ssh://w' },
      rest: ['serve', '--host', '0.0.0.0'],
    });
  });

  it('keeps a missing value as empty (an error later, never a silent local run)', () => {
    assert.deepEqual(take('ls', '--host'), { flags: { host: '' }, rest: ['ls'] });
  });

  it('takes nothing from a command line without them', () => {
    assert.deepEqual(take('start', 'app.js', '--name', 'host'), {
      flags: {},
      rest: ['start', 'app.js', '--name', 'host'],
    });
  });
});
