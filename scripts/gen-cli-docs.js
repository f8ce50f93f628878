// Writes the generated documents: docs/cli.md (from the command registry), the option reference
// inside docs/ecosystem.md and schema/ecosystem.schema.json (from the option table).
// Run `npm run docs` after changing src/cli/registry.ts or src/config/options.ts; a unit test
// fails when a generated file is stale.
import { readFileSync, writeFileSync } from 'node:fs';
import { renderCliReference } from '../dist/src/cli/reference.js';
import { ecosystemJsonSchema, optionReference } from '../dist/src/config/reference.js';

const at = (p) => new URL(`../${p}`, import.meta.url);
writeFileSync(at('docs/cli.md'), renderCliReference());
writeFileSync(at('schema/ecosystem.schema.json'), JSON.stringify(ecosystemJsonSchema(), null, 2) + '\n');
/** Rewrites what stands between two marker lines of a document. */
function replaceBetween(file, begin, end, text) {
  const doc = readFileSync(at(file), 'utf8');
  const i = doc.indexOf(begin);
  const j = doc.indexOf(end);
  if (i < 0 || j < 0) throw new Error(`${file} lacks the markers ${begin} … ${end}`);
  writeFileSync(at(file), doc.slice(0, i + begin.length) + text + doc.slice(j));
}
replaceBetween(
  'docs/ecosystem.md',
  '<!-- BEGIN GENERATED OPTIONS (npm run docs) -->',
  '<!-- END GENERATED OPTIONS -->',
  '\n\n' + optionReference() + '\n',
);
console.log('wrote docs/cli.md, docs/ecosystem.md (options), schema/ecosystem.schema.json');
// The web API's OpenAPI document, from its route table (src/web/routes.ts).
const { openApiDocument } = await import('../dist/src/web/openapi.js');
writeFileSync(at('docs/openapi.json'), JSON.stringify(openApiDocument(), null, 2) + '\n');
console.log('wrote docs/openapi.json');

// The lifecycle state diagram in docs/architecture.md, from the transition table.
const { mermaid } = await import('../dist/src/daemon/lifecycle/state-machine.js');
replaceBetween(
  'docs/architecture.md',
  '<!-- BEGIN GENERATED STATE DIAGRAM (npm run docs) -->',
  '<!-- END GENERATED STATE DIAGRAM -->',
  '\n```mermaid\n' + mermaid() + '\n```\n',
);
console.log('wrote docs/architecture.md (state diagram)');
