import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { EXPORTERS, TARGETS } from '../../../src/export/index.js';
import { mappingMarkdown } from '../../../src/export/reference.js';
import { ROOT } from '../../helpers.js';

describe('docs/scaling-out.md', () => {
  const doc = readFileSync(join(ROOT, 'docs/scaling-out.md'), 'utf8');
  for (const target of TARGETS) {
    it(`holds the ${target} mapping table as the exporter has it`, () => {
      const m = new RegExp(`<!-- mapping:${target} -->\\n([\\s\\S]*?)\\n<!-- /mapping -->`).exec(doc);
      assert.ok(m, `no mapping:${target} section`);
      // After a change to a table, paste the new one: node -e "…mappingMarkdown(EXPORTERS.<target>.rules)".
      assert.equal(m[1], mappingMarkdown(EXPORTERS[target].rules));
    });
  }
});
