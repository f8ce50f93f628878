#!/usr/bin/env node
// Thin launcher: the real CLI is compiled to dist/. Kept tiny so cold start stays fast.
import '../dist/cli/main.js';
