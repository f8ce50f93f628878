import { readFileSync } from 'node:fs';
import { writeFileAtomic } from '../../common/atomic-write.js';
import { StewardError } from '../../common/errors.js';
import { parseDuration } from '../../config/units.js';
import { EVENT_KINDS, isEventKind, type EventKind } from './types.js';

/**
 * The notifier's global settings (`steward set notify.<key> <value>`), kept apart from the other
 * settings in STEWARD_HOME/notify.json (0600: it holds webhook URLs, the HMAC secret and the SMTP
 * password). Every value is checked before anything is written, so a bad one saves nothing.
 */
export interface NotifySettings {
  webhook?: string;
  webhook_secret?: string;
  slack?: string;
  discord?: string;
  teams?: string;
  smtp?: string;
  email_to?: string;
  email_from?: string;
  command?: string;
  /** Event kinds sent (all when unset). */
  events?: EventKind[];
  /** Grouping window per app and kind, in ms. */
  window?: number;
}

export type NotifyKey = keyof NotifySettings;
export const NOTIFY_KEYS: readonly NotifyKey[] = [
  'webhook',
  'webhook_secret',
  'slack',
  'discord',
  'teams',
  'smtp',
  'email_to',
  'email_from',
  'command',
  'events',
  'window',
];
export const DEFAULT_WINDOW_MS = 60_000;

function isNotifyKey(k: string): k is NotifyKey {
  return (NOTIFY_KEYS as readonly string[]).includes(k);
}

/** `notify.slack` → `slack`; an unknown key is a usage error naming the known ones. */
export function notifyKey(key: string): NotifyKey {
  const k = key.slice('notify.'.length);
  if (!isNotifyKey(k)) {
    throw new StewardError('E_USAGE', `unknown setting "${key}"`, {
      hint: `notify settings are ${NOTIFY_KEYS.map((n) => `notify.${n}`).join(', ')}`,
    });
  }
  return k;
}

function httpUrl(key: string, value: string): string {
  let u: URL;
  try {
    u = new URL(value);
  } catch {
    throw bad(key, 'an http:// or https:// URL', value);
  }
  if (u.protocol !== 'http:' && u.protocol !== 'https:') throw bad(key, 'an http:// or https:// URL', value);
  return u.toString();
}

const EMAIL = /^[^\s@,]+@[^\s@,]+$/;

function bad(key: string, expected: string, value: string): StewardError {
  // Only values that cannot hold a secret are echoed (not URLs, the HMAC secret, or a command).
  const plain = key === 'events' || key === 'window' || key === 'email_to' || key === 'email_from';
  const shown = plain && value.length <= 60 ? ` (got "${value}")` : '';
  return new StewardError('E_USAGE', `notify.${key}: expected ${expected}${shown}`, {
    hint: `fix the value of notify.${key}; nothing was saved`,
  });
}

export function parseNotifyValue(key: NotifyKey, value: string): NotifySettings[NotifyKey] {
  switch (key) {
    case 'webhook':
    case 'slack':
    case 'discord':
    case 'teams':
      return httpUrl(key, value);
    case 'webhook_secret':
      if (value.length < 8) throw bad(key, 'a shared secret of at least 8 characters', value);
      return value;
    case 'smtp': {
      let u: URL | undefined;
      try {
        u = new URL(value);
      } catch {
        u = undefined;
      }
      if (!u || (u.protocol !== 'smtp:' && u.protocol !== 'smtps:') || !u.hostname)
        throw bad(key, 'smtp://user:pass@host:port or smtps://… (implicit TLS)', value);
      return value;
    }
    case 'email_to': {
      const list = value.split(',').map((s) => s.trim());
      if (list.length === 0 || !list.every((a) => EMAIL.test(a)))
        throw bad(key, 'one address or a comma-separated list (ops@example.com,dev@example.com)', value);
      return list.join(',');
    }
    case 'email_from':
      if (!EMAIL.test(value.trim()) && !/<[^\s@]+@[^\s@]+>$/.test(value.trim()))
        throw bad(key, 'an address such as steward@example.com', value);
      return value.trim();
    case 'command':
      if (value.trim() === '') throw bad(key, 'a shell command', value);
      return value;
    case 'events': {
      if (value === 'all') return [...EVENT_KINDS];
      const list = value.split(',').map((s) => s.trim());
      const unknown = list.filter((s) => !isEventKind(s));
      if (list.length === 0 || unknown.length > 0)
        throw bad(key, `"all" or a comma-separated list of ${EVENT_KINDS.join(', ')}`, value);
      return list as EventKind[];
    }
    case 'window': {
      const ms = parseDuration(value);
      if (ms === undefined || ms < 1000 || ms > 86_400_000)
        throw bad(key, 'a duration between 1s and 24h, e.g. 60s or 5m', value);
      return ms;
    }
  }
}

export function loadNotifySettings(path: string): NotifySettings {
  try {
    const raw = JSON.parse(readFileSync(path, 'utf8')) as Record<string, unknown>;
    const out: Record<string, unknown> = {};
    // A hand-edited file is checked like `steward set`: a bad value is left out, not used.
    for (const k of NOTIFY_KEYS) {
      const v = raw[k];
      const text = Array.isArray(v) ? v.join(',') : typeof v === 'number' ? `${v}ms` : v;
      if (typeof text !== 'string') continue;
      try {
        out[k] = parseNotifyValue(k, text);
      } catch {
        // left out
      }
    }
    return out;
  } catch {
    return {};
  }
}

/** Sets (or with null, removes) one key; returns the new settings, already saved (0600). */
export function updateNotifySetting(
  path: string,
  cur: NotifySettings,
  key: string,
  value: string | null,
): NotifySettings {
  const k = notifyKey(key);
  const next: Record<string, unknown> = { ...cur };
  if (value === null) delete next[k];
  else next[k] = parseNotifyValue(k, value);
  writeFileAtomic(path, JSON.stringify(next, null, 2) + '\n');
  return next;
}

/**
 * What `steward get` / `set` show: URLs without their path (a Slack or Discord webhook's path is its
 * secret), the SMTP password and the HMAC secret replaced by ***.
 */
export function maskedNotifySettings(s: NotifySettings): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const k of NOTIFY_KEYS) {
    const v = s[k];
    if (v === undefined) continue;
    out[`notify.${k}`] = maskValue(k, v);
  }
  return out;
}

function maskValue(k: NotifyKey, v: NonNullable<NotifySettings[NotifyKey]>): unknown {
  switch (k) {
    case 'webhook':
    case 'slack':
    case 'discord':
    case 'teams':
      return maskUrl(v as string);
    case 'webhook_secret':
      return '***';
    case 'smtp':
      return maskSmtp(v as string);
    case 'events':
      return (v as EventKind[]).join(',');
    default:
      return v;
  }
}

/** `https://hooks.slack.com/services/T0/B0/xyz` → `https://hooks.slack.com/…`. */
export function maskUrl(url: string): string {
  try {
    const u = new URL(url);
    return `${u.protocol}//${u.host}${u.pathname === '/' && !u.search ? '/' : '/…'}`;
  } catch {
    return '***';
  }
}

/** `smtp://user:secret@host:587` → `smtp://user:***@host:587`. */
export function maskSmtp(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.toString().replace('%2A%2A%2A', '***');
  } catch {
    return '***';
  }
}
