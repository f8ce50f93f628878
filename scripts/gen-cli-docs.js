// Writes docs/cli.md from the command registry (the same one that drives the parser and --help).
// `npm run docs` after changing src/cli/registry.ts; a unit test fails when the file is stale.
import { writeFileSync } from 'node:fs';
import { renderCliReference } from '../dist/src/cli/reference.js';

writeFileSync(new URL('../docs/cli.md', import.meta.url), renderCliReference());
console.log('wrote docs/cli.md');
