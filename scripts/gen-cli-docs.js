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
const BEGIN = '<!-- BEGIN GENERATED OPTIONS (npm run docs) -->';
const END = '<!-- END GENERATED OPTIONS -->';
const doc = readFileSync(at('docs/ecosystem.md'), 'utf8');
const i = doc.indexOf(BEGIN);
const j = doc.indexOf(END);
if (i < 0 || j < 0) throw new Error('docs/ecosystem.md lacks the generated-options markers');
writeFileSync(
  at('docs/ecosystem.md'),
  doc.slice(0, i + BEGIN.length) + '\n\n' + optionReference() + '\n' + doc.slice(j),
);
console.log('wrote docs/cli.md, docs/ecosystem.md (options), schema/ecosystem.schema.json');

// The lifecycle state diagram in docs/architecture.md, from the transition table.
const { mermaid } = await import('../dist/src/daemon/lifecycle/state-machine.js');
const SM_BEGIN = '<!-- BEGIN GENERATED STATE DIAGRAM (npm run docs) -->';
const SM_END = '<!-- END GENERATED STATE DIAGRAM -->';
const arch = readFileSync(at('docs/architecture.md'), 'utf8');
const a = arch.indexOf(SM_BEGIN);
const b = arch.indexOf(SM_END);
if (a < 0 || b < 0) throw new Error('docs/architecture.md lacks the state diagram markers');
writeFileSync(
  at('docs/architecture.md'),
  arch.slice(0, a + SM_BEGIN.length) + '\n```mermaid\n' + mermaid() + '\n```\n' + arch.slice(b),
);
console.log('wrote docs/architecture.md (state diagram)');
