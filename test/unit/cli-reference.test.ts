import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { renderCliReference } from '../../src/cli/reference.js';
import { COMMANDS } from '../../src/cli/registry.js';
import { ROOT } from '../helpers.js';

describe('CLI reference', () => {
  it('docs/cli.md is generated from the registry and up to date (run `npm run docs`)', () => {
    assert.equal(readFileSync(join(ROOT, 'docs/cli.md'), 'utf8'), renderCliReference());
  });

  it('names each command and alias once', () => {
    const names = COMMANDS.flatMap((c) => [c.name, ...(c.aliases ?? [])]);
    assert.equal(new Set(names).size, names.length);
  });
});
