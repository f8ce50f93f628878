import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseDeployArgs } from '../../../src/deploy/args.js';
import { throwsCode } from '../support.js';

describe('parseDeployArgs (PM2’s command line)', () => {
  const cases: Array<[string[], unknown]> = [
    [['production'], { file: undefined, envName: 'production', command: { kind: 'update' } }],
    [
      ['eco.config.js', 'production'],
      { file: 'eco.config.js', envName: 'production', command: { kind: 'update' } },
    ],
    [['production', 'setup'], { file: undefined, envName: 'production', command: { kind: 'setup' } }],
    [
      ['app.json', 'prod', 'revert'],
      { file: 'app.json', envName: 'prod', command: { kind: 'revert', n: 1 } },
    ],
    [['prod', 'revert', '3'], { file: undefined, envName: 'prod', command: { kind: 'revert', n: 3 } }],
    [['prod', 'current'], { file: undefined, envName: 'prod', command: { kind: 'curr' } }],
    [['prod', 'previous'], { file: undefined, envName: 'prod', command: { kind: 'prev' } }],
    [['prod', 'list'], { file: undefined, envName: 'prod', command: { kind: 'list' } }],
    [
      ['prod', 'exec', 'ls -la'],
      { file: undefined, envName: 'prod', command: { kind: 'exec', command: 'ls -la' } },
    ],
    [['prod', 'v1.2.0'], { file: undefined, envName: 'prod', command: { kind: 'update', ref: 'v1.2.0' } }],
  ];
  for (const [words, want] of cases)
    it(words.join(' '), () => {
      assert.deepEqual(parseDeployArgs(words), want);
    });

  it('refuses a missing env, a bad revert count, a missing exec command and extra words', () => {
    throwsCode(() => parseDeployArgs(['eco.config.js']), 'E_USAGE', /which environment/);
    throwsCode(() => parseDeployArgs(['prod', 'revert', 'x']), 'E_USAGE', /revert takes a number/);
    throwsCode(() => parseDeployArgs(['prod', 'exec']), 'E_USAGE', /exec needs a command/);
    throwsCode(() => parseDeployArgs(['prod', 'setup', 'now']), 'E_USAGE', /unexpected "now" after setup/);
  });
});
