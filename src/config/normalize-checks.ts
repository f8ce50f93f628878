import { resolve } from 'node:path';
import { Cron } from 'croner';
import { StewardError, type ErrorCode } from '../common/errors.js';
import type { AppConfig } from './app-config.js';
import { parseDuration } from './units.js';
import { ISO_FORMAT, isValidDateFormat } from '../common/timefmt.js';
import { isValidInterval } from './interval.js';

/** Checks of single option values for normalize.ts (no I/O: look-ups come in as functions). */

/**
 * A listen address, normalised to `host:port` (`[v6]:port`). A bare port means 127.0.0.1: Steward
 * binds the socket, and what Steward binds stays local unless told otherwise.
 */
export function parseListen(a: string): string | undefined {
  const s = a.trim();
  let host = '127.0.0.1';
  let port: string;
  const v6 = /^\[([0-9a-fA-F:.]+)\]:(\d+)$/.exec(s);
  if (v6) {
    host = `[${v6[1] ?? ''}]`;
    port = v6[2] ?? '';
  } else if (/^\d+$/.test(s)) port = s;
  else {
    const m = /^([^:\s]*):(\d+)$/.exec(s);
    if (!m) return undefined;
    host = m[1] || '127.0.0.1';
    port = m[2] ?? '';
  }
  const n = Number(port);
  return Number.isInteger(n) && n > 0 && n < 65536 ? `${host}:${n}` : undefined;
}

/** Validates a cron expression with croner (5 or 6 fields) at start, not at the first tick. */
export function cronPattern(v: string | null, where: string, code: ErrorCode): string | null {
  if (v === null) return null;
  try {
    new Cron(v, { paused: true }).stop();
    return v;
  } catch (e) {
    throw new StewardError(code, `${where}: invalid cron expression "${v}" (${(e as Error).message})`, {
      hint: 'use 5 fields (minute hour day month weekday) or 6 (with seconds first), e.g. "0 3 * * *"',
    });
  }
}

/** `watch: true` watches cwd; paths must exist (a typo would otherwise watch nothing, silently). */
export function watchPaths(
  v: boolean | string[] | undefined,
  cwd: string,
  where: string,
  code: ErrorCode,
  exists: (path: string) => boolean,
): boolean | string[] {
  if (v === undefined || v === false) return false;
  // As in PM2: true (or no paths) watches cwd, and stays `true` in jlist.
  if (v === true || v.length === 0) return true;
  return v.map((p) => {
    const abs = resolve(cwd, p);
    if (!exists(abs)) {
      throw new StewardError(code, `${where}: ${abs} does not exist`, {
        hint: 'fix the path, or create it first',
      });
    }
    return abs;
  });
}

/** health_check: { url | tcp | command, expect_status, interval, timeout, failure_threshold, initial_delay }. */
export function healthCheck(v: unknown, where: string, code: ErrorCode): AppConfig['health'] {
  if (v === undefined || v === null) return null;
  const o = v as Record<string, unknown>;
  const bad = (what: string, hint: string) =>
    new StewardError(code, `${where}${what.startsWith(':') ? '' : '.'}${what}`, { hint });
  const targets = (['url', 'tcp', 'command'] as const).filter((k) => o[k] !== undefined);
  if (targets.length !== 1)
    throw bad(
      `: give exactly one of url, tcp or command (got ${targets.length})`,
      'e.g. { "url": "http://127.0.0.1:3000/health" }',
    );
  const known = new Set([
    'url',
    'tcp',
    'command',
    'expect_status',
    'interval',
    'timeout',
    'failure_threshold',
    'initial_delay',
  ]);
  for (const k of Object.keys(o))
    if (!known.has(k)) throw bad(`${k}: unknown field`, `fields are ${[...known].join(', ')}`);
  const kind = targets[0] as 'url' | 'tcp' | 'command';
  const target = o[kind];
  if (typeof target !== 'string' || target.trim() === '')
    throw bad(`${kind}: expected a string`, 'give the probe target');
  if (kind === 'url' && !/^https?:\/\/[^\s/]+/.test(target)) {
    throw bad(
      `url: expected an http:// or https:// URL, got ${JSON.stringify(target)}`,
      'for a TCP check use { "tcp": "127.0.0.1:5432" }',
    );
  }
  if (kind === 'tcp' && !/^(\[[^\]]+\]|[^:\s]+)?:?\d+$/.test(target)) {
    throw bad(`tcp: expected host:port, got ${JSON.stringify(target)}`, 'e.g. "127.0.0.1:5432"');
  }
  const dur = (k: string, d: number, min: number) => {
    if (o[k] === undefined) return d;
    const n = typeof o[k] === 'number' || typeof o[k] === 'string' ? parseDuration(o[k]) : undefined;
    if (n === undefined || n < min)
      throw bad(`${k}: expected a duration ≥ ${min}ms, got ${JSON.stringify(o[k])}`, 'e.g. "10s" or 500');
    return n;
  };
  const threshold = o.failure_threshold === undefined ? 3 : Number(o.failure_threshold);
  if (!Number.isInteger(threshold) || threshold < 1) {
    throw bad(
      `failure_threshold: expected a whole number ≥ 1, got ${JSON.stringify(o.failure_threshold)}`,
      'e.g. 3',
    );
  }
  const statuses =
    o.expect_status === undefined ? [] : Array.isArray(o.expect_status) ? o.expect_status : [o.expect_status];
  if (!statuses.every((s) => Number.isInteger(s) && (s as number) >= 100 && (s as number) < 600)) {
    throw bad(
      `expect_status: expected HTTP status codes, got ${JSON.stringify(o.expect_status)}`,
      'e.g. 200 or [200, 204]',
    );
  }
  return {
    type: kind === 'url' ? 'http' : kind,
    target:
      kind === 'tcp' && /^\d+$/.test(target) ? `127.0.0.1:${target}` : target.replace(/^:/, '127.0.0.1:'),
    expect_status: statuses as number[],
    interval: dur('interval', 10_000, 1),
    timeout: dur('timeout', 1000, 1),
    failure_threshold: threshold,
    initial_delay: dur('initial_delay', 0, 0),
  };
}

/** listen addresses, ready_pattern and ready_probe, checked. */
export function readinessOptions(
  listenRaw: string[],
  readyPattern: string | null,
  readyProbe: string | null,
  at: (key: string) => string,
  code: ErrorCode,
): { listen: string[]; readyPattern: string | null; readyProbe: string | null } {
  const bad = (c: ErrorCode, message: string, hint: string) => new StewardError(c, message, { hint });
  const listen = listenRaw.map((a) => {
    const parsed = parseListen(a);
    if (!parsed) {
      throw bad(
        code,
        `${at('listen')}: expected a port or host:port, got ${JSON.stringify(a)}`,
        'e.g. 8000, "127.0.0.1:8000" or "[::]:8000"',
      );
    }
    return parsed;
  });
  if (readyPattern !== null) {
    try {
      new RegExp(readyPattern);
    } catch (e) {
      throw bad(
        code,
        `${at('ready_pattern')}: not a regular expression (${(e as Error).message})`,
        'fix the pattern',
      );
    }
  }
  if (readyProbe !== null && !/^(tcp:\/\/[^/]+:\d+|https?:\/\/\S+)$/.test(readyProbe)) {
    throw bad(
      code,
      `${at('ready_probe')}: expected tcp://host:port or http://host:port/path, got ${JSON.stringify(readyProbe)}`,
      'e.g. "http://127.0.0.1:8000/health"',
    );
  }
  return { listen, readyPattern, readyProbe };
}

/** log_date_format, or `time`'s ISO format when only `time` is set; it must have a date or time token. */
export function dateFormat(
  fmt: string | undefined,
  time: boolean,
  at: (key: string) => string,
  code: ErrorCode,
): string | null {
  const v = fmt ?? (time ? ISO_FORMAT : null);
  if (v !== null && !isValidDateFormat(v)) {
    throw new StewardError(code, `${at('log_date_format')}: "${v}" has no date or time token`, {
      hint: 'use a dayjs format such as "YYYY-MM-DD HH:mm:ss Z"',
    });
  }
  return v;
}

/** log_rotate_interval: "daily", "hourly" or a cron expression. */
export function rotateInterval(
  v: string | undefined,
  at: (key: string) => string,
  code: ErrorCode,
): string | null {
  if (v === undefined) return null;
  if (!isValidInterval(v)) {
    throw new StewardError(
      code,
      `${at('log_rotate_interval')}: expected "daily", "hourly" or a cron expression, got ${JSON.stringify(v)}`,
      { hint: 'e.g. "daily" or "0 */6 * * *"' },
    );
  }
  return v;
}

/** log_type: "json", or "raw" (the default). */
export function logType(v: string | undefined, at: (key: string) => string, code: ErrorCode): 'raw' | 'json' {
  if (v === undefined || v === 'raw' || v === 'json') return v ?? 'raw';
  throw new StewardError(code, `${at('log_type')}: expected "json" or "raw", got ${JSON.stringify(v)}`, {
    hint: 'use log_type: "json"',
  });
}
