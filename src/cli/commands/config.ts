import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { dirname, join } from 'node:path';
import { StewardError } from '../../common/errors.js';
import { findDefaultFile } from '../../config/ecosystem-load.js';
import { loadEcosystem, parseOnly } from '../../config/ecosystem.js';
import type { CliContext } from '../context.js';

/** `steward validate [file]`: loads and checks a file, starts nothing. */
export async function validate(
  ctx: CliContext,
  file: string | undefined,
  opts: { only?: string; env?: string },
): Promise<void> {
  const found = file === undefined ? findDefaultFile(process.cwd()) : undefined;
  const target = file ?? (found ? found.slice(process.cwd().length + 1) : undefined);
  if (!target) {
    throw new StewardError('E_USAGE', 'no ecosystem file given and none found here', {
      hint: 'e.g. `steward validate ecosystem.config.js`',
    });
  }
  let stdinText: string | undefined;
  if (target === '-') {
    const chunks: Buffer[] = [];
    for await (const c of process.stdin) chunks.push(c as Buffer);
    stdinText = Buffer.concat(chunks).toString('utf8');
  }
  const loaded = await loadEcosystem(target, {
    cwd: process.cwd(),
    env: process.env,
    envName: opts.env,
    only: parseOnly(opts.only),
    cpus: availableParallelism(),
    stdinText,
  });
  for (const w of loaded.warnings) ctx.warn(w);
  ctx.out(
    `${loaded.file}: ok, ${loaded.apps.length} app${loaded.apps.length === 1 ? '' : 's'}: ${loaded.apps.map((a) => `${a.name} (${a.pm_exec_path}, ${a.instances}×)`).join(', ')}`,
  );
}

/** Nearest package.json says `"type": "module"`? Then a `.js` config would be ESM. */
function inEsmPackage(dir: string): boolean {
  for (let d = dir, i = 0; i < 30; i += 1) {
    try {
      return (
        (JSON.parse(readFileSync(join(d, 'package.json'), 'utf8')) as { type?: string }).type === 'module'
      );
    } catch {
      // not here
    }
    const up = dirname(d);
    if (up === d) break;
    d = up;
  }
  return false;
}

export const STARTER = `// Steward ecosystem file (PM2-compatible). Start with: steward start
// Reference of every option: docs/ecosystem.md in Steward's package.
module.exports = {
  apps: [
    {
      name: 'app',
      script: './app.js',
      // args: ['--port', '3000'],
      // instances: 1,               // a number, 'max' (one per CPU) or -1 (CPUs minus one)
      // cwd: __dirname,
      env: {
        NODE_ENV: 'development',
      },
      env_production: {             // applied with: steward start --env production
        NODE_ENV: 'production',
      },
      // Restart policy
      // autorestart: true,
      // max_restarts: 16,          // unstable restarts (exit within min_uptime) before errored
      // min_uptime: '1s',
      // restart_delay: '0ms',
      // exp_backoff_restart_delay: 100,
      // restart_limit: 50,         // at most 50 automatic restarts…
      // restart_limit_window: '10m', // …within 10 minutes, then errored
      // Stopping
      // kill_signal: 'SIGINT',
      // kill_timeout: '1600ms',
      // Logs
      // out_file: './logs/app-out.log',
      // error_file: './logs/app-error.log',
    },
  ],
  // Deploy from git over ssh: steward deploy production setup, then steward deploy production
  // (docs/deploy.md). PM2's keys work unchanged.
  // deploy: {
  //   production: {
  //     user: 'deploy',                       // a user that owns path and runs its own steward
  //     host: ['web1.example.com'],           // one or more; 'ssh://deploy@web2:2222' works too
  //     ref: 'origin/main',                   // branch, tag or commit (overridden by: deploy production v1.2)
  //     repo: 'git@github.com:me/app.git',    // the host fetches it with its own key
  //     path: '/srv/app',                     // source/ (git mirror), releases/, shared/, current
  //     // key: '~/.ssh/deploy_ed25519',
  //     // ssh_options: ['StrictHostKeyChecking=yes'],
  //     // keep_releases: 5,                  // releases kept for revert
  //     // shared_dirs: ['uploads'],          // kept across releases, linked into each
  //     // shared_files: ['.env'],
  //     // health_window: '5s',               // every app must stay online this long, else rollback
  //     // 'pre-deploy': 'npm ci && npm test',          // in the new release, before the switch
  //     // 'post-deploy': 'npm ci --omit=dev && steward startOrReload ecosystem.config.js --env production',
  //     env: { NODE_ENV: 'production' },
  //   },
  // },
};
`;

/** `steward init`: a commented starter file, CommonJS (`.cjs` inside an ESM package). */
export function init(ctx: CliContext): Promise<void> {
  const cwd = process.cwd();
  const name = inEsmPackage(cwd) ? 'ecosystem.config.cjs' : 'ecosystem.config.js';
  const path = join(cwd, name);
  if (existsSync(path)) {
    throw new StewardError('E_USAGE', `${name} already exists here`, { hint: 'edit it, or remove it first' });
  }
  writeFileSync(path, STARTER, { mode: 0o644 });
  ctx.info(`wrote ${path}`);
  return Promise.resolve();
}
