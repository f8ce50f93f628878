import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { EXPORTERS, TARGETS } from '../../../src/export/index.js';
import { mappingMarkdown } from '../../../src/export/reference.js';
import { ROOT } from '../../helpers.js';

const DOC = join(ROOT, 'docs/scaling-out.md');
const section = (target: string) =>
  new RegExp(`(<!-- mapping:${target} -->\\n)([\\s\\S]*?)(\\n<!-- /mapping -->)`);

describe('docs/scaling-out.md', () => {
  for (const target of TARGETS) {
    it(`holds the ${target} mapping table as the exporter has it`, () => {
      // After a change to a table, STEWARD_UPDATE_GOLDEN=1 rewrites the page's tables; review the diff.
      if (process.env.STEWARD_UPDATE_GOLDEN === '1') {
        const text = readFileSync(DOC, 'utf8');
        const table = mappingMarkdown(EXPORTERS[target].rules);
        writeFileSync(
          DOC,
          text.replace(section(target), (_all, a: string, _b, c: string) => `${a}${table}${c}`),
        );
      }
      const m = section(target).exec(readFileSync(DOC, 'utf8'));
      assert.ok(m, `no mapping:${target} section`);
      assert.equal(m[2], mappingMarkdown(EXPORTERS[target].rules));
    });
  }
});
