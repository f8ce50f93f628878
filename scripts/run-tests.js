// Runs the compiled tests with node's test runner, then checks that no process was left behind.
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';

function collect(dir, out = []) {
  for (const n of readdirSync(dir)) {
    const p = join(dir, n);
    if (statSync(p).isDirectory()) collect(p, out);
    else if (n.endsWith('.test.js')) out.push(p);
  }
  return out;
}

const filter = process.argv.slice(2);
let files = collect('dist/test').sort();
if (filter.length > 0) files = files.filter((f) => filter.some((x) => f.includes(x)));
if (files.length === 0) {
  console.error(`no test file matches ${filter.join(' ')} (looked in dist/test; run npm run build first)`);
  process.exit(1);
}
const res = spawnSync(
  process.execPath,
  ['--test', '--test-concurrency=4', '--test-timeout=120000', ...files],
  {
    stdio: 'inherit',
  },
);

// Any process still carrying a test home's supervisor mark is a leak.
const stray = [];
for (const n of readdirSync('/proc')) {
  if (!/^\d+$/.test(n)) continue;
  try {
    const env = readFileSync(`/proc/${n}/environ`, 'latin1');
    const cmdline = readFileSync(`/proc/${n}/cmdline`, 'latin1');
    // The daemon's command line names its checkout, which tells apart other worktrees' leftovers.
    if (
      /STEWARD_SUPERVISOR=\/tmp\/stw-/.test(env) ||
      (/\/dist\/daemon\.js/.test(cmdline) && /STEWARD_HOME=\/tmp\/stw-/.test(env))
    )
      stray.push(`${n}: ${cmdline.replace(/\0/g, ' ').trim()}`);
  } catch {
    // gone
  }
}
if (stray.length > 0) {
  console.error(`tests left ${stray.length} process(es) behind:\n${stray.join('\n')}`);
  process.exit(1);
}
process.exit(res.status ?? 1);
