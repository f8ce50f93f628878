import { dirname } from 'node:path';
import { StewardError } from '../common/errors.js';
import type { AppConfig } from './app-config.js';
import { checkApp, type RawApp } from './ecosystem-schema.js';
import { readConfigFile } from './ecosystem-load.js';
import { normalizeApp } from './normalize.js';
import { nodeIo } from './normalize-io.js';
import { defaultName } from './resolve-script.js';
import { resolveServeScript } from '../serve/app.js';

export interface LoadOptions {
  cwd: string;
  env: NodeJS.ProcessEnv;
  envName?: string | undefined;
  /** `--only a,b`: names to keep (as written in the file). */
  only?: string[] | undefined;
  cpus: number;
  stdinText?: string | undefined;
}

export interface LoadedEcosystem {
  file: string;
  apps: AppConfig[];
  /** Each app's options as the file gave them (canonical keys, values checked), in the order of apps. */
  sources: RawApp[];
  warnings: string[];
}

function isObj(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** `apps` (or PM2's legacy `pm2`) as an array; a single app object or a bare array is accepted too. */
export function extractApps(value: unknown): { apps: unknown[]; deploy: unknown } | undefined {
  if (Array.isArray(value)) return { apps: value, deploy: undefined };
  if (!isObj(value)) return undefined;
  const list = value.apps ?? value.pm2;
  if (list === undefined) return { apps: [value], deploy: undefined };
  return { apps: Array.isArray(list) ? list : [list], deploy: value.deploy };
}

/** The name an app will get: its `name`, or its script's name (before any env suffix). */
function appName(raw: RawApp): string {
  if (typeof raw.name === 'string') return raw.name;
  return typeof raw.script === 'string' ? defaultName(raw.script) : '';
}

/** Splits `--only a,b` / `--only "a b"`. */
export function parseOnly(only: string | undefined): string[] | undefined {
  if (only === undefined) return undefined;
  const names = only.split(/[,\s]+/).filter(Boolean);
  return names.length > 0 ? names : undefined;
}

/**
 * Loads every app of an ecosystem file, validated and normalised. Any error in any app (syntax,
 * wrong type, bad value, missing script, duplicate name) throws E_CONFIG listing all of them, so
 * that a broken file starts nothing.
 */
export async function loadEcosystem(file: string, opts: LoadOptions): Promise<LoadedEcosystem> {
  const { value, abs } = await readConfigFile(file, opts.cwd, opts.stdinText);
  const label = file === '-' ? 'stdin' : file;
  const extracted = extractApps(value);
  if (!extracted) {
    throw new StewardError('E_CONFIG', `${label}: expected an object with "apps" or an array of apps`, {
      hint: 'write { "apps": [ { "name": "api", "script": "server.js" } ] }',
    });
  }
  if (extracted.apps.length === 0) {
    throw new StewardError('E_CONFIG', `${label}: apps is empty`, {
      hint: 'add at least one app with a script',
    });
  }
  const deployEnv =
    opts.envName && isObj(extracted.deploy) && isObj(extracted.deploy[opts.envName])
      ? ((extracted.deploy[opts.envName] as Record<string, unknown>).env as
          Record<string, unknown> | undefined)
      : undefined;

  const errors: string[] = [];
  const warnings: string[] = [];
  const checked: Array<{ raw: RawApp; where: string }> = [];
  extracted.apps.forEach((rawApp, i) => {
    const name = isObj(rawApp) && typeof rawApp.name === 'string' ? ` (${rawApp.name})` : '';
    const where = `${label}: apps[${i}]${name}`;
    const res = checkApp(rawApp, where);
    errors.push(...res.errors);
    warnings.push(...res.warnings);
    checked.push({ raw: res.app, where });
  });
  if (errors.length > 0)
    throw new StewardError('E_CONFIG', errors.join('\n'), { hint: 'fix the file; nothing was started' });

  let selected = checked;
  if (opts.only) {
    const names = checked.map((c) => appName(c.raw));
    const missing = opts.only.filter((n) => !names.includes(n));
    if (missing.length > 0) {
      throw new StewardError('E_CONFIG', `${label}: --only names no app called ${missing.join(', ')}`, {
        hint: `the file has: ${names.filter(Boolean).join(', ') || '(unnamed apps)'}`,
      });
    }
    selected = checked.filter((c) => opts.only?.includes(appName(c.raw)));
  }

  const apps: AppConfig[] = [];
  const sources: RawApp[] = [];
  for (const c of selected) {
    try {
      // PM2's `script: "serve"` is the built-in static file server (docs/serve.md).
      const n = normalizeApp(resolveServeScript(c.raw, opts.env), {
        cwd: opts.cwd,
        fileDir: file === '-' ? opts.cwd : dirname(abs),
        env: opts.env,
        ...(opts.envName ? { envName: opts.envName } : {}),
        ...(deployEnv
          ? { deployEnv: Object.fromEntries(Object.entries(deployEnv).map(([k, v]) => [k, String(v)])) }
          : {}),
        cpus: opts.cpus,
        where: c.where,
        badCode: 'E_CONFIG',
        io: nodeIo,
      });
      apps.push(n.config);
      sources.push(c.raw);
      warnings.push(...n.warnings);
    } catch (e) {
      if (!(e instanceof StewardError)) throw e;
      errors.push(e.message);
    }
  }
  const seen = new Map<string, number>();
  for (const a of apps) seen.set(a.name, (seen.get(a.name) ?? 0) + 1);
  for (const [name, n] of seen)
    if (n > 1)
      errors.push(`${label}: the name "${name}" is used by ${n} apps; names must be unique in a file`);
  if (errors.length > 0)
    throw new StewardError('E_CONFIG', errors.join('\n'), { hint: 'fix the file; nothing was started' });
  return { file: label, apps, sources, warnings };
}
