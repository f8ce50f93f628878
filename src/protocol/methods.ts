import type { AppConfig } from '../config/app-config.js';

/**
 * The RPC methods between a client (CLI, API) and the daemon: params and results. The daemon
 * validates params with the schemas in src/daemon/rpc/rpc-schemas.ts; the types here are the contract.
 * Kept free of runtime imports so that the CLI's cold start does not pay for them.
 */
export interface HelloResult {
  version: string;
  protocol: number;
  pid: number;
  home: string;
  started_at: number;
  /** Apps that exited within their start window after `start` returned (asked for with `notices`; told once). */
  late_starts?: LateStartNotice[];
}

/** A crash within an app's start window, noticed after `start` had reported the app up. */
export interface LateStartNotice {
  pm_id: number;
  name: string;
  /** The restart policy's account of the exit ("crashed (code 1)"). */
  exit: string;
  /** How long after its spawn it exited (ms). */
  after_ms: number;
}

/** One row of `steward ls`: small on purpose (500 apps must list in milliseconds). */
export interface ProcSummary {
  pm_id: number;
  name: string;
  namespace: string;
  version: string;
  exec_mode: AppConfig['exec_mode'];
  pid: number;
  pm_uptime: number;
  restart_time: number;
  unstable_restarts: number;
  status: string;
  cpu: number;
  memory: number;
  username: string;
  watch: boolean;
  next_restart_at: number | null;
  pm_exec_path: string;
}

export interface TargetParams {
  targets: string[];
  /** The client's cwd, so that `steward stop app.js` resolves the script path like PM2. */
  cwd: string;
}

export interface StartParams {
  apps: AppConfig[];
  force: boolean;
  /** Watch each new instance this long after spawn; an exit in that window fails the start. */
  settle_ms: number;
}

export interface StartResult {
  ids: number[];
  /** Instances that exited during the settle window, with the tail of their error log. */
  failed: Array<{ pm_id: number; name: string; exit: string; log_tail: string[] }>;
  /** Instances that did not say they were ready within listen_timeout (put online anyway, as in PM2). */
  not_ready?: Array<{ pm_id: number; name: string }>;
}

export type ApplyAction = 'start' | 'restart' | 'reload' | 'stop' | 'delete';

/** Apply an ecosystem file: each app is matched by name with what the daemon has. */
export interface ApplyParams {
  apps: AppConfig[];
  action: ApplyAction;
  settle_ms: number;
}

export interface ApplyResult extends StartResult {
  notes: string[];
}

export interface RestartParams extends TargetParams {
  update_env: boolean;
  shell_env?: Record<string, string>;
  /** restart: toggle watching (PM2's `restart --watch`). */
  watch?: boolean;
  /**
   * App options given with the command, merged into each target's config before its restart or
   * reload (as PM2 does). Only the fields of PATCH_FIELDS (src/config/restart-merge.ts).
   */
  options?: Partial<AppConfig>;
}

export interface OpResult {
  ids: number[];
  /** Human lines about fallbacks and warnings ("reload of fork app x is a restart"). */
  notes: string[];
  /** Instances whose reload was aborted, with why and the last lines of the new process's error log. */
  failed?: Array<{ pm_id: number; name: string; reason: string; log_tail: string[] }>;
}

export interface SaveResult {
  path: string;
  count: number;
}

export interface ResurrectResult {
  ids: number[];
  skipped: string[];
  warning?: string;
}

export interface EnvResult {
  pm_id: number;
  env: Record<string, string>;
}

export interface LogInfo {
  pm_id: number;
  name: string;
  namespace: string;
  out: string | null;
  err: string | null;
  combined: string | null;
  /** Bytes of output lost because a file could not be written fast enough, or at all. */
  dropped: number;
  /** The app's timestamp format (log_date_format), for --timestamp display. */
  date_format: string | null;
  json: boolean;
}

export interface Methods {
  hello: { params: { client_version: string; protocol: number; notices?: boolean }; result: HelloResult };
  ping: { params: Record<string, never>; result: { msg: 'pong' } };
  list: { params: Record<string, never>; result: ProcSummary[] };
  jlist: { params: Record<string, never>; result: unknown[] };
  describe: { params: TargetParams; result: unknown[] };
  start: { params: StartParams; result: StartResult };
  startTargets: { params: TargetParams; result: OpResult };
  apply: { params: ApplyParams; result: ApplyResult };
  stop: { params: TargetParams & { watch?: boolean }; result: OpResult };
  restart: { params: RestartParams; result: OpResult };
  reload: { params: RestartParams; result: OpResult };
  delete: { params: TargetParams; result: OpResult };
  reset: { params: TargetParams; result: OpResult };
  scale: { params: { name: string; spec: string }; result: OpResult };
  trigger: {
    params: TargetParams & { action: string; params?: string; timeout_ms: number };
    result: Array<{ pm_id: number; name: string; ok: boolean; return?: unknown; error?: string }>;
  };
  sendSignal: { params: TargetParams & { signal: string }; result: { ids: number[] } };
  sendLine: { params: TargetParams & { line: string }; result: { ids: number[] } };
  env: { params: TargetParams; result: EnvResult[] };
  save: { params: { force: boolean }; result: SaveResult };
  resurrect: { params: Record<string, never>; result: ResurrectResult };
  cleardump: { params: Record<string, never>; result: { path: string } };
  kill: { params: Record<string, never>; result: { stopped: number } };
  update: { params: Record<string, never>; result: { version: string; processes: number } };
  /** `frames`: log chunks come as raw bytes after their line (see FrameDecoder), not as `data`. */
  subscribe: {
    params: { topics: Array<'events' | 'logs'>; frames?: boolean };
    result: { subscribed: string[] };
  };
  logInfo: { params: { targets?: string[]; cwd: string }; result: LogInfo[] };
  flush: { params: { targets?: string[]; cwd: string }; result: { files: string[] } };
  reloadLogs: { params: Record<string, never>; result: { reopened: true } };
  getSettings: { params: Record<string, never>; result: Record<string, unknown> };
  setSetting: { params: { key: string; value: string | null }; result: Record<string, unknown> };
}

export type MethodName = keyof Methods;
export type ParamsOf<M extends MethodName> = Methods[M]['params'];
export type ResultOf<M extends MethodName> = Methods[M]['result'];
