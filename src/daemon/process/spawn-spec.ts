import { basename, extname } from 'node:path';
import type { AppConfig } from '../../config/app-config.js';
import {
  isNodeInterpreter,
  stripsTypes,
  TSX_MISSING,
  TYPESCRIPT_EXTS,
  typescriptNodeArgs,
} from '../../config/interpreter.js';

/** Variable that marks every process Steward launches, so leftovers of a dead daemon can be found. */
export const SUPERVISOR_MARK = 'STEWARD_SUPERVISOR';

export type StdioEntry = 'pipe' | 'ipc' | 'ignore' | number;

export interface SpawnSpec {
  file: string;
  args: string[];
  cwd: string;
  env: Record<string, string>;
  /** Give the child an IPC channel (Node apps: `process.send`, `ready`, `shutdown`). */
  ipc: boolean;
  /** stdin, stdout, stderr, then the shared listening sockets (fd 3…), the IPC channel, the readiness pipe. */
  stdio: StdioEntry[];
  /** Index of the readiness pipe in `stdio` (the app writes a newline to it when ready), or null. */
  readyFd: number | null;
}

export interface SpawnContext {
  home: string;
  nodePath: string;
  nodeVersion: string;
  /** tsx's loader, '' when tsx is not installed (read only for a TypeScript app on an older Node). */
  tsxLoaderUrl: string;
  /** Steward's in-app agent (src/agent/preload.cts), preloaded into Node apps. */
  agentPath: string;
}

/** What a process gets besides its command: shared sockets and a readiness pipe. */
export interface SpawnExtras {
  /** File descriptors (in the daemon) of the app's shared listening sockets, passed as fd 3, 4… */
  listenFds: number[];
  listenNames: string[];
  /** Give the app a pipe to write a newline into when it is ready (env STEWARD_READY_FD). */
  readyPipe: boolean;
}

const NO_EXTRAS: SpawnExtras = { listenFds: [], listenNames: [], readyPipe: false };

/**
 * systemd's socket activation wants LISTEN_PID = the app's own pid, unknown before the fork: a
 * shell sets it and then execs the app (same pid).
 */
const LISTEN_PID_WRAPPER = 'LISTEN_PID=$$; export LISTEN_PID; exec "$0" "$@"';

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

/** The command line of the app itself: interpreter, its arguments, the script, the script's arguments. */
function command(cfg: AppConfig, ctx: SpawnContext): { file: string; args: string[]; node: boolean } {
  const interp = cfg.exec_interpreter;
  if (interp === 'none') return { file: cfg.pm_exec_path, args: [...cfg.args], node: false };
  if (isNodeInterpreter(interp)) {
    const tsArgs = TYPESCRIPT_EXTS.has(extname(cfg.pm_exec_path).toLowerCase())
      ? typescriptNodeArgs(interp === 'node' ? ctx.nodeVersion : '0.0.0', ctx.tsxLoaderUrl)
      : [];
    const agent = cfg.agent && ctx.agentPath ? ['--require', ctx.agentPath] : [];
    return {
      file: interp === 'node' ? ctx.nodePath : interp,
      args: [...agent, ...tsArgs, ...cfg.node_args, cfg.pm_exec_path, ...cfg.args],
      node: true,
    };
  }
  return { file: interp, args: [...cfg.node_args, cfg.pm_exec_path, ...cfg.args], node: false };
}

/** The reason a TypeScript app cannot run here (an older Node without tsx), or undefined. */
export function missingTypescriptLoader(cfg: AppConfig, ctx: SpawnContext): string | undefined {
  const interp = cfg.exec_interpreter;
  if (!isNodeInterpreter(interp) || !TYPESCRIPT_EXTS.has(extname(cfg.pm_exec_path).toLowerCase()))
    return undefined;
  if (stripsTypes(interp === 'node' ? ctx.nodeVersion : '0.0.0')) return undefined;
  return ctx.tsxLoaderUrl === '' ? TSX_MISSING : undefined;
}

export function buildSpawnSpec(
  cfg: AppConfig,
  pmId: number,
  index: number,
  ctx: SpawnContext,
  extras: SpawnExtras = NO_EXTRAS,
): SpawnSpec {
  const env = processEnv(cfg, pmId, index, ctx.home);
  const cmd = command(cfg, ctx);
  const stdio: StdioEntry[] = ['pipe', 'pipe', 'pipe', ...extras.listenFds];
  let file = cmd.file;
  let args = cmd.args;
  if (extras.listenFds.length > 0) {
    env.LISTEN_FDS = String(extras.listenFds.length);
    env.LISTEN_FDNAMES = extras.listenNames.join(':');
    args = ['-c', LISTEN_PID_WRAPPER, file, ...args];
    file = '/bin/sh';
  }
  if (cmd.node) {
    stdio.push('ipc');
    if (cfg.exec_mode === 'cluster_mode') env.STEWARD_CLUSTER = '1';
  }
  let readyFd: number | null = null;
  if (extras.readyPipe) {
    readyFd = stdio.length;
    stdio.push('pipe');
    env.STEWARD_READY_FD = String(readyFd);
  }
  return { file, args, cwd: cfg.pm_cwd, env, ipc: cmd.node, stdio, readyFd };
}
