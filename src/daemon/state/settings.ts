import { readFileSync } from 'node:fs';
import { writeFileAtomic } from '../../common/atomic-write.js';
import { StewardError } from '../../common/errors.js';
import { isValidInterval } from '../../config/interval.js';
import { parseSize } from '../../config/units.js';
import { DEFAULT_LOG_SETTINGS, type LogSettings } from '../logs/instance-output.js';

/**
 * Global settings (`steward set <key> <value>`), kept in STEWARD_HOME/settings.json. pm2-logrotate's
 * keys are accepted too, so `steward set pm2-logrotate:max_size 10M` works as it did with PM2.
 */
const ALIASES: Record<string, keyof LogSettings> = {
  'pm2-logrotate:max_size': 'log_max_size',
  'pm2-logrotate:retain': 'log_retain',
  'pm2-logrotate:compress': 'log_compress',
  'pm2-logrotate:rotateInterval': 'log_rotate_interval',
};

export function settingKey(key: string): keyof LogSettings {
  const k = ALIASES[key] ?? key;
  if (!(k in DEFAULT_LOG_SETTINGS)) {
    throw new StewardError('E_USAGE', `unknown setting "${key}"`, {
      hint: `settings are ${Object.keys(DEFAULT_LOG_SETTINGS).join(', ')}`,
    });
  }
  return k as keyof LogSettings;
}

function parseValue(key: keyof LogSettings, value: string): LogSettings[keyof LogSettings] {
  const bad = (expected: string) =>
    new StewardError('E_USAGE', `${key}: expected ${expected}, got ${JSON.stringify(value)}`, {
      hint: `fix the value of ${key}`,
    });
  switch (key) {
    case 'log_max_size': {
      const n = parseSize(value);
      if (n === undefined) throw bad('a size such as 10M or 1G (0 = never)');
      return n;
    }
    case 'log_retain': {
      const n = Number(value);
      if (!Number.isInteger(n) || n < 0) throw bad('a whole number ≥ 0');
      return n;
    }
    case 'log_compress':
      if (value !== 'true' && value !== 'false') throw bad('true or false');
      return value === 'true';
    case 'log_rotate_interval':
      if (value === 'none') return null;
      if (!isValidInterval(value)) throw bad('"daily", "hourly", "none" or a cron expression');
      return value;
    case 'prometheus_port': {
      const n = Number(value);
      if (!Number.isInteger(n) || n < 0 || n > 65535) throw bad('a port (0 turns the endpoint off)');
      return n;
    }
    case 'prometheus_host':
      if (!/^[\w.:[\]-]+$/.test(value)) throw bad('an address such as 127.0.0.1 or 0.0.0.0');
      return value;
  }
}

export function loadSettings(path: string): LogSettings {
  try {
    const raw = JSON.parse(readFileSync(path, 'utf8')) as Partial<LogSettings>;
    return { ...DEFAULT_LOG_SETTINGS, ...raw };
  } catch {
    return { ...DEFAULT_LOG_SETTINGS };
  }
}

/** Sets (or with null, resets) one setting; returns the new settings, already saved. */
export function updateSetting(
  path: string,
  cur: LogSettings,
  key: string,
  value: string | null,
): LogSettings {
  const k = settingKey(key);
  const next: LogSettings = { ...cur, [k]: value === null ? DEFAULT_LOG_SETTINGS[k] : parseValue(k, value) };
  writeFileAtomic(path, JSON.stringify(next, null, 2) + '\n');
  return next;
}
