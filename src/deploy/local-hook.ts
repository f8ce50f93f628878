import { spawn } from 'node:child_process';
import { resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { StewardError } from '../common/errors.js';
import type { DeployOutput } from './output.js';

/** PM2's pre-deploy-local: a command run here, in the ecosystem file's directory, before any host. */
export function runLocalHook(
  out: DeployOutput,
  command: string,
  cwd: string,
  env: Record<string, string>,
): Promise<void> {
  out.host('local', `--> pre-deploy-local: ${command}`);
  const child = spawn('bash', ['-c', command], {
    cwd: resolve(cwd),
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  createInterface({ input: child.stdout }).on('line', (l) => out.host('local', l));
  createInterface({ input: child.stderr }).on('line', (l) => out.host('local', l, 'err'));
  return new Promise((res, rej) => {
    child.on('error', rej);
    child.on('close', (code) =>
      code === 0
        ? res()
        : rej(
            new StewardError(
              'E_DEPLOY',
              `the pre-deploy-local hook failed (exit ${code ?? 'signal'}); no host was touched`,
              {
                hint: 'its output is above; fix the hook',
              },
            ),
          ),
    );
  });
}
