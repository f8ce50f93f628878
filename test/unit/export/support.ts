import { readdirSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { loadEcosystem } from '../../../src/config/ecosystem.js';
import type { ExportApp } from '../../../src/export/index.js';
import { FIXTURES, ROOT } from '../../helpers.js';

/** The ecosystem files every exporter is tested on: the examples and the good fixtures. */
export const CORPUS: string[] = [
  join(ROOT, 'examples/ecosystem.config.js'),
  ...readdirSync(join(FIXTURES, 'ecosystems/good'))
    .filter((n) => n !== 'package.json' && /\.(c|m)?js$|\.json5?$|\.ya?ml$/.test(n))
    .sort()
    .map((n) => join(FIXTURES, 'ecosystems/good', n)),
];

/** Files whose output depends on this machine (its user name): validated, not golden. */
export const MACHINE_DEPENDENT = new Set(['users.config.js']);

/** A corpus file's name for golden files and messages: `examples/ecosystem.config.js`. */
export const label = (file: string): string => relative(ROOT, file);

/** Loads a corpus file as `steward export` does, run from the file's directory, 4 CPUs. */
export async function loadApps(file: string, envName?: string): Promise<ExportApp[]> {
  const loaded = await loadEcosystem(file, {
    cwd: dirname(file),
    env: { PATH: process.env.PATH, HOME: '/home/test' },
    envName,
    cpus: 4,
  });
  return loaded.apps.map((config, i) => ({ config, raw: loaded.sources[i] ?? {} }));
}

/** Output with this checkout's path replaced, so golden files do not depend on where it is. */
export const portable = (text: string): string => text.split(ROOT).join('/srv/steward');
