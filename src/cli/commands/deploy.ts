import { StewardError } from '../../common/errors.js';
import { parseDuration } from '../../config/units.js';
import type { CliContext } from '../context.js';

/**
 * `steward deploy [file] <env> [command]` (docs/deploy.md). A client of the hosts' own steward
 * over the system's ssh: it never starts or needs the local daemon. All of src/deploy/ is loaded
 * here, only for this command.
 */
export interface DeployCliOptions {
  parallel?: string;
  canary?: boolean;
  healthWindow?: string;
}

export async function deploy(ctx: CliContext, words: string[], opts: DeployCliOptions): Promise<void> {
  const { parseDeployArgs } = await import('../../deploy/args.js');
  const args = parseDeployArgs(words);
  let parallel: number | undefined;
  if (opts.parallel !== undefined) {
    parallel = Number(opts.parallel);
    if (!Number.isInteger(parallel) || parallel < 1)
      throw new StewardError(
        'E_BAD_OPTION',
        `--parallel: expected a whole number ≥ 1, got ${JSON.stringify(opts.parallel)}`,
        {
          hint: 'give how many hosts to deploy at a time',
        },
      );
  }
  let healthWindowMs: number | undefined;
  if (opts.healthWindow !== undefined) {
    healthWindowMs = parseDuration(opts.healthWindow);
    if (healthWindowMs === undefined)
      throw new StewardError(
        'E_BAD_OPTION',
        `--health-window: expected a duration like 5s, got ${JSON.stringify(opts.healthWindow)}`,
        {
          hint: 'e.g. --health-window 10s',
        },
      );
  }
  const { findDefaultFile } = await import('../../config/ecosystem-load.js');
  const file = args.file ?? findDefaultFile(process.cwd());
  if (file === undefined)
    throw new StewardError('E_CONFIG', 'deploy: no ecosystem file given, and none in this directory', {
      hint: `give the file: steward deploy ecosystem.config.js ${args.envName}`,
    });
  const { runDeploy } = await import('../../deploy/deploy.js');
  await runDeploy({
    file,
    envName: args.envName,
    command: args.command,
    parallel,
    canary: opts.canary,
    healthWindowMs,
    warn: (m) => ctx.warn(m),
  });
}
