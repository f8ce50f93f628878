import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { COMMANDS } from '../../../src/cli/registry.js';
import { FAST_COMMANDS } from '../../../src/cli/fast-commands.js';
import { ROOT } from '../../helpers.js';

describe('CLI fast path: which command lines take it', () => {
  it('bin/steward.js has the same list as src/cli/fast-commands.ts', () => {
    const bin = readFileSync(join(ROOT, 'bin/steward.js'), 'utf8');
    const m = /const FAST = (\[[^\]]*\]);/.exec(bin);
    assert.ok(m, 'bin/steward.js: no FAST list');
    assert.deepEqual(JSON.parse((m[1] as string).replace(/'/g, '"')), FAST_COMMANDS);
  });

  it('every fast command is a name or alias of list, jlist or ping in the registry', () => {
    for (const word of FAST_COMMANDS) {
      const def = COMMANDS.find((c) => c.name === word || (c.aliases ?? []).includes(word));
      assert.ok(def && ['list', 'jlist', 'ping'].includes(def.name), `${word}: ${def?.name}`);
    }
  });
});
