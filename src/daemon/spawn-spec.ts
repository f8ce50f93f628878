import { basename, extname } from 'node:path';
import type { AppConfig } from '../config/app-config.js';
import { isNodeInterpreter, TYPESCRIPT_EXTS, typescriptNodeArgs } from '../config/interpreter.js';

/** Variable that marks every process Steward launches, so leftovers of a dead daemon can be found. */
export const SUPERVISOR_MARK = 'STEWARD_SUPERVISOR';

export interface SpawnSpec {
  file: string;
  args: string[];
  cwd: string;
  env: Record<string, string>;
  /** Give the child an IPC channel (Node apps: `process.send`, `ready`, `shutdown`). */
  ipc: boolean;
}

export interface SpawnContext {
  home: string;
  nodePath: string;
  nodeVersion: string;
  tsxLoaderUrl: string;
}

/** Drops the shell variables that `filter_env` names (true: all of them; strings: names containing them). */
export function filterShellEnv(
  shell: Record<string, string>,
  filter: AppConfig['filter_env'],
): Record<string, string> {
  if (filter === false) return shell;
  if (filter === true) return {};
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(shell)) {
    if (!filter.some((f) => k.includes(f))) out[k] = v;
  }
  return out;
}

/** The environment a process of this app gets: shell env < app env < Steward's own variables. */
export function processEnv(
  cfg: AppConfig,
  pmId: number,
  index: number,
  home: string,
): Record<string, string> {
  const env: Record<string, string> = { ...filterShellEnv(cfg.shell_env, cfg.filter_env), ...cfg.env };
  delete env[SUPERVISOR_MARK];
  if (cfg.increment_var) {
    const base = Number(env[cfg.increment_var] ?? 0);
    env[cfg.increment_var] = String((Number.isFinite(base) ? base : 0) + index);
  }
  env[cfg.instance_var] = String(index);
  env.pm_id = String(pmId);
  env.name = cfg.name;
  env.namespace = cfg.namespace;
  env.STEWARD_HOME = home;
  env[SUPERVISOR_MARK] = home;
  // By name, so that a path (`/opt/venv/bin/python`) counts too.
  if (basename(cfg.exec_interpreter).startsWith('python')) env.PYTHONUNBUFFERED ??= '1';
  return env;
}

export function buildSpawnSpec(cfg: AppConfig, pmId: number, index: number, ctx: SpawnContext): SpawnSpec {
  const env = processEnv(cfg, pmId, index, ctx.home);
  const interp = cfg.exec_interpreter;
  if (interp === 'none') {
    return { file: cfg.pm_exec_path, args: [...cfg.args], cwd: cfg.pm_cwd, env, ipc: false };
  }
  if (isNodeInterpreter(interp)) {
    const file = interp === 'node' ? ctx.nodePath : interp;
    const tsArgs = TYPESCRIPT_EXTS.has(extname(cfg.pm_exec_path).toLowerCase())
      ? typescriptNodeArgs(interp === 'node' ? ctx.nodeVersion : '0.0.0', ctx.tsxLoaderUrl)
      : [];
    return {
      file,
      args: [...tsArgs, ...cfg.node_args, cfg.pm_exec_path, ...cfg.args],
      cwd: cfg.pm_cwd,
      env,
      ipc: true,
    };
  }
  return {
    file: interp,
    args: [...cfg.node_args, cfg.pm_exec_path, ...cfg.args],
    cwd: cfg.pm_cwd,
    env,
    ipc: false,
  };
}
