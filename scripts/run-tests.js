// Runs the compiled tests with node's test runner, then checks that no process was left behind.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
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
// The tests' homes (and other temporary files) go in a directory of this run, so that the check
// below finds this run's leftovers only, not those of tests run at the same time elsewhere.
const runDir = mkdtempSync(join(tmpdir(), 'stwrun-'));
const res = spawnSync(
  process.execPath,
  ['--test', '--test-concurrency=4', '--test-timeout=120000', ...files],
  {
    stdio: 'inherit',
    env: { ...process.env, TMPDIR: runDir },
  },
);

// Any process still carrying the supervisor mark of a home of this run is a leak, and so is a daemon.
const stray = [];
for (const n of readdirSync('/proc')) {
  if (!/^\d+$/.test(n)) continue;
  try {
    const env = readFileSync(`/proc/${n}/environ`, 'latin1');
    const cmdline = readFileSync(`/proc/${n}/cmdline`, 'latin1');
    if (
      env.includes(`STEWARD_SUPERVISOR=${runDir}/`) ||
      (/\/dist\/daemon\.js/.test(cmdline) && env.includes(`STEWARD_HOME=${runDir}/`))
    )
      stray.push(`${n}: ${cmdline.replace(/\0/g, ' ').trim()}`);
  } catch {
    // gone
  }
}
rmSync(runDir, { recursive: true, force: true });
if (stray.length > 0) {
  console.error(`tests left ${stray.length} process(es) behind:\n${stray.join('\n')}`);
  process.exit(1);
}
process.exit(res.status ?? 1);
