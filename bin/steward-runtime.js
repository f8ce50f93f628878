#!/usr/bin/env node
// Container entry point (see docs/runtime.md); the real code is bundled in dist/runtime.js, an ES
// module, so this CommonJS file (see bin/package.json) imports it.
import('../dist/runtime.js');
