/**
 * The details pane's data, parsed once from a `describe` entry (PM2's jlist shape, typed `unknown`
 * on the wire) into a strict type: the view never digs into raw JSON.
 */
export interface Metric {
  name: string;
  /** Value and unit, ready to print: `12.4 MiB`, `3 req/min`. */
  value: string;
}

export interface Details {
  pm_id: number;
  name: string;
  namespace: string;
  mode: 'fork' | 'cluster';
  interpreter: string;
  script: string;
  cwd: string;
  outLog: string;
  errLog: string;
  createdAt: number;
  unstableRestarts: number;
  /** Custom and runtime metrics (`pm2_env.axm_monitor`), in the app's order. */
  metrics: Metric[];
}

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
const str = (v: unknown, dflt = ''): string => (typeof v === 'string' ? v : dflt);
const num = (v: unknown, dflt = 0): number => (typeof v === 'number' && Number.isFinite(v) ? v : dflt);

/** `12.3456` → `12.35`, `3` → `3`. */
function formatNumber(n: number): string {
  if (Number.isInteger(n)) return String(n);
  return String(Math.round(n * 100) / 100);
}

/** One `axm_monitor` entry: `{ value, unit }` as PM2 writes it, or a bare value. */
export function formatMetric(raw: unknown): string {
  const value = isObj(raw) && 'value' in raw ? raw.value : raw;
  const unit = isObj(raw) ? str(raw.unit) : '';
  let text: string;
  if (typeof value === 'number') text = Number.isFinite(value) ? formatNumber(value) : String(value);
  else if (typeof value === 'string' || typeof value === 'boolean') text = String(value);
  else if (value === null || value === undefined) text = '-';
  else text = JSON.stringify(value) ?? '-';
  return unit ? `${text} ${unit}` : text;
}

export function parseDetails(entry: unknown): Details | undefined {
  if (!isObj(entry) || !isObj(entry.pm2_env)) return undefined;
  const env = entry.pm2_env;
  const axm = isObj(env.axm_monitor) ? env.axm_monitor : {};
  return {
    pm_id: num(entry.pm_id, -1),
    name: str(entry.name),
    namespace: str(env.namespace, 'default'),
    mode: env.exec_mode === 'cluster_mode' ? 'cluster' : 'fork',
    interpreter: str(env.exec_interpreter),
    script: str(env.pm_exec_path),
    cwd: str(env.pm_cwd),
    outLog: str(env.pm_out_log_path),
    errLog: str(env.pm_err_log_path),
    createdAt: num(env.created_at),
    unstableRestarts: num(env.unstable_restarts),
    metrics: Object.entries(axm).map(([name, raw]) => ({ name, value: formatMetric(raw) })),
  };
}
