/**
 * The health gate after a switch: every app of the file must be online on the host (after its
 * own readiness: `wait_ready`, `listen_timeout`, health checks, all of which the remote steward
 * already applies before it calls a process online), and stay so, without a restart, for a window.
 * `judge` is a pure function of two snapshots of the remote `steward jlist`; `waitHealthy` polls.
 */
export interface ProcessRow {
  name: string;
  pm_id: number;
  pid: number;
  status: string;
  restarts: number;
}

export type Verdict =
  { kind: 'healthy' } | { kind: 'waiting' } | { kind: 'failed'; app: string; status: string; why: string };

/** The rows of `steward jlist` output (a profile may print lines before the JSON). */
export function parseJlist(text: string): ProcessRow[] {
  const start = text.search(/^\[/m);
  if (start < 0) throw new Error('steward jlist printed no JSON');
  const list = JSON.parse(text.slice(start)) as unknown;
  if (!Array.isArray(list)) throw new Error('steward jlist printed no list');
  return list.map((e: unknown) => {
    const r = e as { name?: unknown; pm_id?: unknown; pid?: unknown; pm2_env?: Record<string, unknown> };
    return {
      name: String(r.name),
      pm_id: Number(r.pm_id),
      pid: Number(r.pid),
      status: typeof r.pm2_env?.status === 'string' ? r.pm2_env.status : 'unknown',
      restarts: Number(r.pm2_env?.restart_time ?? 0),
    };
  });
}

/** Statuses from which an app will not come back on its own. */
const DEAD = new Set(['errored', 'stopped', 'stopping']);

/**
 * Judges the latest snapshot against the first one taken after post-deploy (`baseline`): an app
 * missing, dead, or restarted since the baseline has failed; all online is healthy; else waiting.
 */
export function judge(apps: string[], baseline: ProcessRow[], now: ProcessRow[]): Verdict {
  let waiting = false;
  for (const app of apps) {
    const rows = now.filter((r) => r.name === app);
    if (rows.length === 0)
      return {
        kind: 'failed',
        app,
        status: 'missing',
        why: 'it is not in the process list after post-deploy',
      };
    for (const r of rows) {
      const before = baseline.find((b) => b.pm_id === r.pm_id);
      if (DEAD.has(r.status)) return { kind: 'failed', app, status: r.status, why: `it is ${r.status}` };
      if (before && r.restarts > before.restarts)
        return {
          kind: 'failed',
          app,
          status: r.status,
          why: `it restarted ${r.restarts - before.restarts} time(s) after the switch`,
        };
      if (r.status !== 'online') waiting = true;
    }
  }
  return waiting ? { kind: 'waiting' } : { kind: 'healthy' };
}

/** What the gate ends with. */
export type Outcome = Exclude<Verdict, { kind: 'waiting' }>;

export interface HealthOptions {
  apps: string[];
  /** How long all apps must stay online (ms). */
  windowMs: number;
  /** How long they may take to be online at all (ms). */
  timeoutMs: number;
  pollMs?: number;
  snapshot(): Promise<ProcessRow[]>;
  now?: () => number;
  sleep?: (ms: number) => Promise<void>;
}

/**
 * Polls until every app has been online for the whole window (healthy), or one fails, or the
 * timeout passes while some are still starting (failed, naming one of them).
 */
export async function waitHealthy(o: HealthOptions): Promise<Outcome> {
  const now = o.now ?? Date.now;
  const sleep = o.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
  const poll = o.pollMs ?? 500;
  const deadline = now() + o.timeoutMs;
  const baseline = await o.snapshot();
  let onlineSince: number | undefined;
  let last = baseline;
  for (;;) {
    const v = judge(o.apps, baseline, last);
    if (v.kind === 'failed') return v;
    if (v.kind === 'healthy') {
      onlineSince ??= now();
      if (now() - onlineSince >= o.windowMs) return { kind: 'healthy' };
    } else {
      onlineSince = undefined;
      if (now() > deadline) {
        const slow = last.find((r) => o.apps.includes(r.name) && r.status !== 'online');
        return {
          kind: 'failed',
          app: slow?.name ?? o.apps[0] ?? '?',
          status: slow?.status ?? 'unknown',
          why: `it was not online within ${Math.round(o.timeoutMs / 1000)} s`,
        };
      }
    }
    await sleep(poll);
    last = await o.snapshot();
  }
}
