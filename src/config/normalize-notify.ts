import { StewardError, type ErrorCode } from '../common/errors.js';
import type { AppConfig } from './app-config.js';
import { parseDuration, parseSize } from './units.js';

/**
 * The `notify` option of an app: `false` (no notifications for this app), or
 * `{ events, channels, cpu_above, memory_above, above_for, log_pattern }`. Channel addresses and
 * secrets are global settings only (`steward set notify.*`, kept 0600), so none ends up in the
 * app's config, `jlist` or the dump. The lists are checked against the notifier's names here.
 */
export const NOTIFY_EVENT_NAMES = [
  'exit',
  'errored',
  'crash_loop',
  'memory_restart',
  'health_failed',
  'not_ready',
  'reload_rolled_back',
  'deploy_rolled_back',
  'daemon_recovered',
  'cpu_high',
  'memory_high',
  'log_match',
] as const;
export const NOTIFY_CHANNEL_NAMES = ['webhook', 'slack', 'discord', 'teams', 'email', 'command'] as const;
const FIELDS = ['events', 'channels', 'cpu_above', 'memory_above', 'above_for', 'log_pattern'];
const DEFAULT_ABOVE_FOR_MS = 30_000;

export type AppNotify = NonNullable<AppConfig['notify']>;

export function appNotify(v: unknown, where: string, code: ErrorCode): AppNotify | undefined {
  if (v === undefined || v === null || v === true) return undefined;
  const bad = (what: string, hint: string) => new StewardError(code, `${where}.${what}`, { hint });
  const off = {
    enabled: false,
    events: null,
    channels: null,
    cpu_above: null,
    memory_above: null,
    above_for: 0,
    log_pattern: null,
  };
  if (v === false) return off;
  if (typeof v !== 'object' || Array.isArray(v))
    throw new StewardError(code, `${where}: expected false or an object`, {
      hint: 'e.g. notify: { events: ["errored", "crash_loop"], log_pattern: "FATAL|Unhandled" }',
    });
  const o = v as Record<string, unknown>;
  for (const k of Object.keys(o))
    if (!FIELDS.includes(k))
      throw bad(
        `${k}: unknown field (fields are ${FIELDS.join(', ')}; channels are global settings: steward set notify.${k} …)`,
        'fix the notify section',
      );
  const list = (k: string, allowed: readonly string[]): string[] | null => {
    const x = o[k];
    if (x === undefined) return null;
    const arr = typeof x === 'string' ? x.split(',').map((s) => s.trim()) : x;
    if (!Array.isArray(arr) || !arr.every((s) => typeof s === 'string' && allowed.includes(s)))
      throw bad(
        `${k}: expected a list of ${allowed.join(', ')}, got ${JSON.stringify(x)}`,
        `e.g. ["${allowed[0]}"]`,
      );
    return arr as string[];
  };
  const cpu = o.cpu_above;
  if (cpu !== undefined && (typeof cpu !== 'number' || !(cpu > 0)))
    throw bad(
      `cpu_above: expected a percentage of one core > 0, got ${JSON.stringify(cpu)}`,
      'e.g. 90 (or 250 for 2.5 cores)',
    );
  let memory: number | null = null;
  if (o.memory_above !== undefined) {
    const m =
      typeof o.memory_above === 'number' || typeof o.memory_above === 'string'
        ? parseSize(o.memory_above)
        : undefined;
    if (m === undefined || m === 0)
      throw bad(`memory_above: expected a size, got ${JSON.stringify(o.memory_above)}`, 'e.g. "500M"');
    memory = m;
  }
  let aboveFor = DEFAULT_ABOVE_FOR_MS;
  if (o.above_for !== undefined) {
    const d =
      typeof o.above_for === 'number' || typeof o.above_for === 'string'
        ? parseDuration(o.above_for)
        : undefined;
    if (d === undefined)
      throw bad(`above_for: expected a duration, got ${JSON.stringify(o.above_for)}`, 'e.g. "30s"');
    aboveFor = d;
  }
  let pattern: string | null = null;
  if (o.log_pattern !== undefined) {
    const p = o.log_pattern;
    if (typeof p !== 'string' || p === '')
      throw bad('log_pattern: expected a regular expression', 'e.g. "FATAL|Unhandled"');
    try {
      compileLogPattern(p);
    } catch (e) {
      throw bad(`log_pattern: ${(e as Error).message}`, 'fix the regular expression, e.g. "FATAL|Unhandled"');
    }
    pattern = p;
  }
  return {
    enabled: true,
    events: list('events', NOTIFY_EVENT_NAMES),
    channels: list('channels', NOTIFY_CHANNEL_NAMES),
    cpu_above: typeof cpu === 'number' ? cpu : null,
    memory_above: memory,
    above_for: aboveFor,
    log_pattern: pattern,
  };
}

/** `FATAL|Unhandled` or `/fatal|unhandled/i`: a regular expression, with flags in the second form. */
export function compileLogPattern(p: string): RegExp {
  const m = /^\/(.+)\/([a-z]*)$/.exec(p);
  return m ? new RegExp(m[1] as string, (m[2] as string).replace('g', '')) : new RegExp(p);
}
