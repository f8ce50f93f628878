/**
 * The CLI's launcher (dist/cli/boot.cjs, required by bin/steward.js): runs the whole CLI,
 * `dist/cli/main.cjs`, with a V8 code cache (src/cli/code-cache.ts). `steward ls`, `jlist` and `ping`
 * given alone do not come here: bin/steward.js runs the small fast-path bundle for them instead
 * (src/cli/fast.ts).
 */
import path from 'node:path';
import { runWithCodeCache } from './code-cache.js';

// esbuild bundles this file as CommonJS (dist/cli/boot.cjs), where __dirname is dist/cli/.
runWithCodeCache(path.join(__dirname, 'main.cjs'));
