import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { StewardError } from '../../common/errors.js';
import type { CliContext } from '../context.js';
import { loadFile } from './lifecycle-files.js';

/**
 * `steward export <kubernetes|nomad|systemd> [file]`: the apps of an ecosystem file for a fleet
 * engine (docs/scaling-out.md). The file is loaded exactly as `start` loads it, so a broken file
 * gets the same errors; the mappers in src/export/ are pure, this writes the result.
 */
export interface ExportCliOptions {
  env?: string;
  only?: string;
  output?: string;
  image?: string;
  runtime?: boolean;
  user?: boolean;
  maxInstances?: string;
  driver?: string;
}

const TARGET_NAMES = ['kubernetes', 'nomad', 'systemd'] as const;
const ALIASES: Record<string, (typeof TARGET_NAMES)[number]> = {
  k8s: 'kubernetes',
  kubernetes: 'kubernetes',
  nomad: 'nomad',
  systemd: 'systemd',
};

export async function exportApps(
  ctx: CliContext,
  targetArg: string,
  fileArg: string | undefined,
  opts: ExportCliOptions,
): Promise<void> {
  const target = ALIASES[targetArg];
  if (!target)
    throw new StewardError('E_USAGE', `export: unknown target ${JSON.stringify(targetArg)}`, {
      hint: `give one of ${TARGET_NAMES.join(', ')}`,
    });
  let max: number | undefined;
  if (opts.maxInstances !== undefined) {
    max = Number(opts.maxInstances);
    if (!Number.isInteger(max) || max < 1)
      throw new StewardError(
        'E_BAD_OPTION',
        `--max-instances: expected a whole number ≥ 1, got ${JSON.stringify(opts.maxInstances)}`,
        {
          hint: 'give the number of copies "max" should become on the target',
        },
      );
  }
  if (opts.driver !== undefined && opts.driver !== 'raw_exec' && opts.driver !== 'exec')
    throw new StewardError(
      'E_BAD_OPTION',
      `--driver: expected raw_exec or exec, got ${JSON.stringify(opts.driver)}`,
      {
        hint: 'give --image <ref> for the docker driver',
      },
    );
  const { findDefaultFile } = await import('../../config/ecosystem-load.js');
  const file = fileArg ?? findDefaultFile(process.cwd());
  if (file === undefined)
    throw new StewardError('E_CONFIG', 'export: no ecosystem file given, and none in this directory', {
      hint: 'give the file: steward export <target> ecosystem.config.js',
    });
  const loaded = await loadFile(ctx, file, opts);
  const { EXPORTERS } = await import('../../export/index.js');
  const apps = loaded.apps.map((config, i) => ({ config, raw: loaded.sources[i] ?? {} }));
  const result = EXPORTERS[target].run(apps, {
    // steward-runtime in a pod reads the file at the path it has here (like the apps' paths).
    file: file === '-' ? file : resolve(file),
    driver: opts.driver,
    envName: opts.env,
    image: opts.image,
    runtime: opts.runtime === true,
    user: opts.user === true,
    maxInstances: max,
  });
  if (opts.output === undefined) {
    // One file alone is printed as it is (a Nomad job stays valid JSON); several are named.
    const only = result.files.length === 1 ? result.files[0] : undefined;
    const sep = target === 'kubernetes' ? '---\n' : '';
    process.stdout.write(
      only
        ? only.content
        : result.files
            .map((f) => (target === 'kubernetes' ? f.content : `# ==> ${f.name} <==\n${f.content}`))
            .join(sep),
    );
    return;
  }
  const dir = resolve(opts.output);
  mkdirSync(dir, { recursive: true });
  const clash = result.files.filter((f) => existsSync(join(dir, f.name))).map((f) => f.name);
  if (clash.length > 0) ctx.warn(`export: replacing ${clash.join(', ')} in ${dir}`);
  for (const f of result.files) {
    // Secret values may be in a file (a Secret manifest, a systemd env file): owner-only.
    writeFileSync(join(dir, f.name), f.content, { mode: f.secret ? 0o600 : 0o644 });
  }
  ctx.info(`Wrote ${result.files.map((f) => f.name).join(', ')} to ${dir}`);
}
