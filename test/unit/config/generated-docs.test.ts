import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { ecosystemJsonSchema, optionReference } from '../../../src/config/reference.js';
import { OPTIONS } from '../../../src/config/options.js';
import { ROOT } from '../../helpers.js';

describe('generated ecosystem documents (run `npm run docs` when these fail)', () => {
  it('schema/ecosystem.schema.json matches the option table', () => {
    const onDisk = JSON.parse(readFileSync(join(ROOT, 'schema/ecosystem.schema.json'), 'utf8')) as unknown;
    assert.deepEqual(onDisk, ecosystemJsonSchema());
  });

  it('docs/ecosystem.md holds the current option reference', () => {
    assert.ok(readFileSync(join(ROOT, 'docs/ecosystem.md'), 'utf8').includes(optionReference()));
  });

  it('documents every option once, aliases included', () => {
    const names = OPTIONS.flatMap((o) => [o.key, ...(o.aliases ?? [])]);
    assert.equal(new Set(names).size, names.length);
    const ref = optionReference();
    for (const o of OPTIONS) assert.ok(ref.includes(`\`${o.key}\``), o.key);
  });
});
