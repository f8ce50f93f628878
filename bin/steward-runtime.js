#!/usr/bin/env node
// Container entry point (see docs/runtime.md); the real code is bundled in dist/.
import '../dist/runtime.js';
