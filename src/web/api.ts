import { mergeTails, tailLines } from '../cli/logs/tail.js';
import type { OpResult } from '../protocol/methods.js';
import type { DaemonLink } from './daemon-link.js';
import { HttpError } from './http.js';

/**
 * What the API's handlers do beyond passing a call through: hiding environment values, log tails,
 * the host's timeline. Separate from the route table so that the table reads as a list.
 */
/** Targets are names, ids or `all`: the daemon needs a cwd only for script paths, which the API does not take. */
export const CWD = '/';
export const HIDDEN = '(hidden)';

type Entry = Record<string, unknown> & {
  pm2_env?: Record<string, unknown> & { env?: Record<string, unknown> };
};

/**
 * Replaces every environment value of a jlist entry (under `pm2_env.env`, and the copies PM2 puts
 * at the top level of `pm2_env`) with HIDDEN: secrets live there.
 */
export function hideEnv(entries: unknown[]): unknown[] {
  for (const raw of entries) {
    const pe = (raw as Entry).pm2_env;
    const env = pe?.env;
    if (!pe || !env || typeof env !== 'object') continue;
    for (const k of Object.keys(env)) {
      if (k in pe && pe[k] === env[k]) pe[k] = HIDDEN;
      env[k] = HIDDEN;
    }
  }
  return entries;
}

export const ACTIONS = ['restart', 'reload', 'stop', 'start', 'delete', 'reset', 'flush'] as const;
export type Action = (typeof ACTIONS)[number];

/** An action on a target, as the CLI command of the same name does it. */
export async function act(
  d: DaemonLink,
  action: Action,
  target: string,
): Promise<OpResult | { files: string[] }> {
  const t = { targets: [target], cwd: CWD };
  switch (action) {
    case 'restart':
      return d.call('restart', { ...t, update_env: false });
    case 'reload':
      return d.call('reload', { ...t, update_env: false });
    case 'stop':
      return d.call('stop', t);
    case 'start':
      return d.call('startTargets', t);
    case 'delete':
      return d.call('delete', t);
    case 'reset':
      return d.call('reset', t);
    case 'flush':
      // `flush <app>` must not flush every app when the name is wrong: check it exists first.
      await d.call('describe', t);
      return d.call('flush', t);
  }
}

export interface LogLine {
  pm_id: number;
  name: string;
  type: 'out' | 'err';
  at: number;
  text: string;
}

/** The last `n` lines of the target's out and error logs, in time order. */
export async function logTail(d: DaemonLink, target: string, n: number): Promise<LogLine[]> {
  const infos = await d.call('logInfo', { targets: [target], cwd: CWD });
  const files: Array<{ path: string; pm_id: number; name: string; type: 'out' | 'err' }> = [];
  const seen = new Set<string>();
  for (const i of infos) {
    for (const [type, path] of [
      ['out', i.out],
      ['err', i.err],
    ] as const) {
      if (!path || seen.has(path)) continue;
      seen.add(path);
      files.push({ path, pm_id: i.pm_id, name: i.name, type });
    }
  }
  const merged = mergeTails(
    files.map((f) => tailLines(f.path, n)),
    n,
  );
  return merged.map((l) => {
    const f = files[l.source];
    return { pm_id: f?.pm_id ?? -1, name: f?.name ?? '', type: f?.type ?? 'out', at: l.at, text: l.text };
  });
}

export interface HistoryEvent {
  at: number;
  pm_id: number;
  name: string;
  event: string;
  reason?: string;
  pid?: number;
  exit_code?: number;
  signal?: string;
}

/**
 * The host's timeline, newest first: every instance's history (restarts with reasons, exits with
 * codes), and the table events this server saw of instances since deleted (their history went with them).
 */
export async function timeline(
  d: DaemonLink,
  limit: number,
  seen: readonly HistoryEvent[] = [],
): Promise<HistoryEvent[]> {
  const list = (await d.call('jlist', {})) as Array<{
    pm_id: number;
    name: string;
    steward?: { history?: Array<Omit<HistoryEvent, 'pm_id' | 'name'>> };
  }>;
  const out: HistoryEvent[] = [];
  for (const e of list)
    for (const h of e.steward?.history ?? []) out.push({ ...h, pm_id: e.pm_id, name: e.name });
  const present = new Set(list.map((e) => `${e.pm_id}:${e.name}`));
  for (const ev of seen) if (!present.has(`${ev.pm_id}:${ev.name}`)) out.push(ev);
  return out.sort((a, b) => b.at - a.at).slice(0, limit);
}

/** A positive whole number from the query string, within bounds. */
export function intParam(raw: string | null, def: number, max: number, name: string): number {
  if (raw === null) return def;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 0 || n > max) {
    throw new HttpError(
      400,
      'E_BAD_REQUEST',
      `${name}: expected a whole number from 0 to ${max}`,
      `fix ?${name}=`,
    );
  }
  return n;
}

/** A required string field of a JSON body. */
export function stringField(body: unknown, name: string, optional = false): string | undefined {
  const v = body && typeof body === 'object' ? (body as Record<string, unknown>)[name] : undefined;
  if (v === undefined && optional) return undefined;
  if (typeof v !== 'string' || v.length === 0 || v.length > 4096) {
    throw new HttpError(
      400,
      'E_BAD_REQUEST',
      `body field "${name}" must be a non-empty string`,
      `send {"${name}": "…"}`,
    );
  }
  return v;
}
