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

/**
 * The daemon's own process: its Node heap and memory, for diagnosis and the soak benchmark
 * (bench/soak.js), which tells a leak (heap_used growing) from pages the allocator keeps.
 */
export interface DaemonStats {
  pid: number;
  uptime_ms: number;
  /** process.memoryUsage(), in bytes. */
  memory: { rss: number; heap_total: number; heap_used: number; external: number; array_buffers: number };
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

/** One notify channel's state (`notifyStatus`): failing after 3 failed attempts in a row. */
export interface NotifyChannelStatus {
  channel: string;
  configured: boolean;
  state: 'ok' | 'retrying' | 'failing';
  queued: number;
  sent: number;
  failures: number;
  dropped: number;
  consecutive_failures: number;
  last_error?: string;
  last_error_at?: number;
  last_ok_at?: number;
  next_attempt_at?: number;
}

export interface NotifyStatusResult {
  host: string;
  channels: NotifyChannelStatus[];
  /** The notify.* settings, secrets masked. */
  settings: Record<string, unknown>;
}

/** The events a client may report to a host's notifier (`notifyEmit`, `steward notify send`). */
export const NOTIFY_EMIT_EVENTS = [
  'deploy_rolled_back',
  'reload_rolled_back',
  'errored',
  'exit',
  'health_failed',
  'not_ready',
] as const;

/** An event a client reports to this host's notifier (e.g. a deploy rolled back here). */
export interface NotifyEmitParams {
  event: (typeof NOTIFY_EMIT_EVENTS)[number];
  app: string;
  reason: string;
  pm_id?: number;
  exit_code?: number;
  signal?: string;
  /** Context lines (e.g. the failed health check's output); else the app's error log tail. */
  lines?: string[];
}

/** One line of a log file's tail (src/cli/logs/tail.ts): its text, time and offset. */
export interface LogTailLine {
  text: string;
  at: number;
  offset: number;
  source: number;
}

/** The series of the metrics history (src/daemon/views/history.ts). */
export type MetricSeriesName = 'cpu' | 'memory' | 'loop_lag' | 'heap' | 'http_rate' | 'http_latency';

/** One ring of the history: `series[name][k]` is the value at `start + k * step_ms` (null: no sample). */
export interface HistoryRing {
  step_ms: number;
  start: number;
  series: Partial<Record<MetricSeriesName, Array<number | null>>>;
}

/** An instance's last hour: every second of the last minutes (`fine`), 10 s means for the hour (`coarse`). */
export interface InstanceHistory {
  pm_id: number;
  name: string;
  fine: HistoryRing;
  coarse: HistoryRing;
}

/** `steward web`: what the daemon keeps (web.json) and brings back on every start. */
export interface WebSettings {
  port: number;
  host: string;
  tls_cert?: string;
  tls_key?: string;
  /** Serve plain HTTP on a non-loopback address anyway (the loud opt-out). */
  insecure?: boolean;
}

export interface WebStatus {
  enabled: boolean;
  settings: WebSettings | null;
  pid: number;
  /** The address it listens on (`http://127.0.0.1:9615`), once up. */
  url: string | null;
  /** Why the last start failed, or why it was last restarted. */
  last_error: string | null;
  restarts: number;
}

export interface Methods {
  hello: { params: { client_version: string; protocol: number; notices?: boolean }; result: HelloResult };
  ping: { params: Record<string, never>; result: { msg: 'pong' } };
  daemonStats: { params: Record<string, never>; result: DaemonStats };
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
  /**
   * The last `lines` of each of these log files (paths from `logInfo`), for a client on another
   * host (`steward --host … logs`); a local client reads the files itself.
   */
  logTail: { params: { files: string[]; lines: number }; result: LogTailLine[][] };
  reloadLogs: { params: Record<string, never>; result: { reopened: true } };
  getSettings: { params: Record<string, never>; result: Record<string, unknown> };
  setSetting: { params: { key: string; value: string | null }; result: Record<string, unknown> };
  notifyStatus: { params: Record<string, never>; result: NotifyStatusResult };
  notifyTest: {
    params: { channel?: string };
    result: Array<{ channel: string; ok: boolean; answer: string }>;
  };
  notifyEmit: { params: NotifyEmitParams; result: { queued: boolean } };
  /** The metrics history of the targets (every instance without targets). */
  history: { params: { targets?: string[]; cwd: string }; result: InstanceHistory[] };
  /** Starts (or restarts with new settings) the web server and keeps it up; saved in web.json. */
  webStart: { params: WebSettings; result: WebStatus };
  webStop: { params: Record<string, never>; result: WebStatus };
  webStatus: { params: Record<string, never>; result: WebStatus };
}

export type MethodName = keyof Methods;
export type ParamsOf<M extends MethodName> = Methods[M]['params'];
export type ResultOf<M extends MethodName> = Methods[M]['result'];
