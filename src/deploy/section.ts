import { StewardError } from '../common/errors.js';
import { defaultName } from '../config/resolve-script.js';
import { parseDuration } from '../config/units.js';
import { normalizeSshOptions } from '../ssh/command.js';
import { parseSshTarget, type SshTarget } from '../ssh/target.js';

/**
 * The `deploy.<env>` section of an ecosystem file, read once at the edge into strict types. PM2's
 * keys work unchanged (`user`, `host`, `port`, `ref`, `repo`, `path`, `ssh_options`, `key`, `env`
 * and the five hooks); Steward adds `keep_releases`, `shared_dirs`, `shared_files`,
 * `health_window`, `health_timeout` and `ssh_config`. Every error names the key.
 */
export interface DeployHooks {
  'pre-setup'?: string;
  'post-setup'?: string;
  'pre-deploy-local'?: string;
  'pre-deploy'?: string;
  'post-deploy'?: string;
}

export interface DeploySection {
  /** The environment's name (`production` in `deploy.production`). */
  envName: string;
  hosts: SshTarget[];
  repo: string;
  /** A ref of the repository as the mirror names it (`origin/main` becomes `main`). */
  ref: string;
  /** The deploy directory on each host: absolute, or under the remote home (`~/app`). */
  path: string;
  key?: string;
  sshOptions: string[];
  sshConfig?: string;
  /** Exported to every remote step (and merged into the apps' env by `--env`, as in PM2). */
  env: Record<string, string>;
  hooks: DeployHooks;
  keepReleases: number;
  sharedDirs: string[];
  sharedFiles: string[];
  /** How long every app must stay online after the switch (ms). */
  healthWindowMs: number;
  /** How long the apps may take to be online after post-deploy returned (ms). */
  healthTimeoutMs: number;
}

export const HOOK_NAMES = [
  'pre-setup',
  'post-setup',
  'pre-deploy-local',
  'pre-deploy',
  'post-deploy',
] as const;

const KNOWN_KEYS = new Set<string>([
  'user',
  'host',
  'port',
  'ref',
  'repo',
  'path',
  'ssh_options',
  'key',
  'env',
  ...HOOK_NAMES,
  'keep_releases',
  'shared_dirs',
  'shared_files',
  'health_window',
  'health_timeout',
  'ssh_config',
  // pm2-deploy's own keys that Steward has no use for: accepted, said so under warnings.
  'forward-agent',
]);

export const DEFAULT_KEEP_RELEASES = 5;
export const DEFAULT_HEALTH_WINDOW_MS = 5000;
export const DEFAULT_HEALTH_TIMEOUT_MS = 30_000;

function isObj(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** A relative path under the release that stays inside it (no `..`, not absolute). */
function safeRelative(p: string): boolean {
  return p.length > 0 && !p.startsWith('/') && !p.split('/').includes('..');
}

export interface SectionResult {
  section: DeploySection;
  warnings: string[];
}

/**
 * Reads `deploy.<envName>` of a file's top-level value. `label` names the file in messages. All
 * errors of the section are reported at once, one per line, each naming its key.
 */
export function readDeploySection(fileValue: unknown, envName: string, label: string): SectionResult {
  const deploy = isObj(fileValue) ? fileValue.deploy : undefined;
  if (!isObj(deploy) || !isObj(deploy[envName])) {
    const names = isObj(deploy) ? Object.keys(deploy).filter((k) => isObj(deploy[k])) : [];
    throw new StewardError('E_CONFIG', `${label}: no deploy.${envName} section`, {
      hint:
        names.length > 0
          ? `the file has deploy sections for: ${names.join(', ')}`
          : 'add deploy: { production: { host, repo, path, ref } } to the file (steward init writes an example)',
    });
  }
  const raw = deploy[envName];
  const where = (key: string) => `${label}: deploy.${envName}.${key}`;
  const errors: string[] = [];
  const warnings: string[] = [];

  const str = (key: string, required: boolean): string | undefined => {
    const v = raw[key];
    if (v === undefined || v === null) {
      if (required) errors.push(`${where(key)}: missing (required)`);
      return undefined;
    }
    if (typeof v !== 'string' || v.trim() === '') {
      errors.push(`${where(key)}: expected a non-empty string, got ${JSON.stringify(v)}`);
      return undefined;
    }
    return v.trim();
  };
  const strList = (key: string): string[] => {
    const v = raw[key];
    if (v === undefined || v === null) return [];
    const list = typeof v === 'string' ? [v] : v;
    if (!Array.isArray(list) || list.some((x) => typeof x !== 'string' || x.trim() === '')) {
      errors.push(`${where(key)}: expected a string or an array of strings`);
      return [];
    }
    return (list as string[]).map((x) => x.trim());
  };
  const duration = (key: string, dflt: number): number => {
    const v = raw[key];
    if (v === undefined) return dflt;
    const ms = typeof v === 'string' || typeof v === 'number' ? parseDuration(v) : undefined;
    if (ms === undefined) {
      errors.push(`${where(key)}: expected a duration like "5s" or a number of ms, got ${JSON.stringify(v)}`);
      return dflt;
    }
    return ms;
  };

  for (const k of Object.keys(raw)) {
    if (!KNOWN_KEYS.has(k)) warnings.push(`${where(k)}: unknown key, ignored`);
  }

  const user = str('user', false);
  let port: number | undefined;
  if (raw.port !== undefined) {
    const n = Number(raw.port);
    if (!Number.isInteger(n) || n < 1 || n > 65535) {
      errors.push(`${where('port')}: expected a port number 1-65535, got ${JSON.stringify(raw.port)}`);
    } else port = n;
  }

  const hosts: SshTarget[] = [];
  const hostList = strList('host');
  if (raw.host === undefined) errors.push(`${where('host')}: missing (required)`);
  else if (hostList.length === 0 && !errors.some((e) => e.startsWith(where('host'))))
    errors.push(`${where('host')}: no host given`);
  for (const h of hostList) {
    try {
      const t = parseSshTarget(h);
      hosts.push({ host: t.host, user: t.user ?? user, port: t.port ?? port });
    } catch (e) {
      errors.push(`${where('host')}: ${(e as Error).message}`);
    }
  }

  const repo = str('repo', true);
  const path = str('path', true);
  if (path !== undefined && !path.startsWith('/') && !path.startsWith('~/'))
    errors.push(
      `${where('path')}: expected an absolute path or one under the remote home (~/…), got "${path}"`,
    );
  if (path !== undefined && path.split('/').includes('..'))
    errors.push(`${where('path')}: ".." is not allowed`);
  const refRaw = str('ref', false) ?? 'HEAD';
  const key = str('key', false);
  const sshConfig = str('ssh_config', false);
  const sshOptions = normalizeSshOptions(strList('ssh_options'));

  const env: Record<string, string> = {};
  if (raw.env !== undefined) {
    if (!isObj(raw.env)) errors.push(`${where('env')}: expected an object of NAME: value`);
    else
      for (const [k, v] of Object.entries(raw.env)) {
        if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(k))
          errors.push(`${where(`env.${k}`)}: not a valid variable name`);
        else if (typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean') env[k] = String(v);
        else errors.push(`${where(`env.${k}`)}: expected a string, number or boolean`);
      }
  }

  const hooks: DeployHooks = {};
  for (const h of HOOK_NAMES) {
    const v = raw[h];
    if (v === undefined || v === null || v === '') continue;
    // An array of commands runs in order and stops at the first failure.
    if (typeof v === 'string') hooks[h] = v;
    else if (Array.isArray(v) && v.every((x) => typeof x === 'string')) hooks[h] = v.join(' && ');
    else errors.push(`${where(h)}: expected a shell command (a string or an array of strings)`);
  }

  let keepReleases = DEFAULT_KEEP_RELEASES;
  if (raw.keep_releases !== undefined) {
    const n = Number(raw.keep_releases);
    if (!Number.isInteger(n) || n < 1)
      errors.push(
        `${where('keep_releases')}: expected a whole number ≥ 1, got ${JSON.stringify(raw.keep_releases)}`,
      );
    else keepReleases = n;
  }
  const sharedDirs = strList('shared_dirs');
  const sharedFiles = strList('shared_files');
  for (const [k, list] of [
    ['shared_dirs', sharedDirs],
    ['shared_files', sharedFiles],
  ] as const) {
    for (const p of list)
      if (!safeRelative(p)) errors.push(`${where(k)}: "${p}" must be a relative path inside the release`);
  }
  const healthWindowMs = duration('health_window', DEFAULT_HEALTH_WINDOW_MS);
  const healthTimeoutMs = duration('health_timeout', DEFAULT_HEALTH_TIMEOUT_MS);
  if (raw['forward-agent'] !== undefined)
    warnings.push(`${where('forward-agent')}: not used (the hosts fetch the repository with their own keys)`);

  if (errors.length > 0)
    throw new StewardError('E_CONFIG', errors.join('\n'), {
      hint: 'fix the deploy section; nothing was run',
    });
  return {
    section: {
      envName,
      hosts,
      repo: repo ?? '',
      ref: mirrorRef(refRaw),
      path: (path ?? '').replace(/\/+$/, ''),
      ...(key !== undefined ? { key } : {}),
      sshOptions,
      ...(sshConfig !== undefined ? { sshConfig } : {}),
      env,
      hooks,
      keepReleases,
      sharedDirs,
      sharedFiles,
      healthWindowMs,
      healthTimeoutMs,
    },
    warnings,
  };
}

/**
 * PM2 names refs as a working clone sees them (`origin/main`); the host keeps a mirror, where the
 * branch is `main`. A tag or a commit stays as it is.
 */
export function mirrorRef(ref: string): string {
  return ref.replace(/^(refs\/remotes\/)?origin\//, '');
}

/** The repository as printed: a password or token in an https URL is masked. */
export function displayRepo(repo: string): string {
  return repo.replace(/^([a-z][a-z0-9+.-]*:\/\/)([^@/:]*):[^@/]*@/i, '$1$2:***@');
}

/** The names of the file's apps (what the health check waits for), as `start` would name them. */
export function appNames(fileValue: unknown): string[] {
  let list: unknown;
  if (Array.isArray(fileValue)) list = fileValue;
  else if (isObj(fileValue)) list = fileValue.apps ?? fileValue.pm2 ?? [fileValue];
  const apps = Array.isArray(list) ? list : [list];
  const names: string[] = [];
  for (const a of apps) {
    if (!isObj(a)) continue;
    if (typeof a.name === 'string') names.push(a.name);
    else if (typeof a.script === 'string') names.push(defaultName(a.script));
  }
  return names;
}
