/**
 * Human units at the edge: durations (`"5s"`, `"100ms"`, `"2m"`, `1600`) to milliseconds and sizes
 * (`"300M"`, `"1G"`, `"512K"`, `1048576`) to bytes. A bare number is ms / bytes, as in PM2.
 */
const DURATION = /^(\d+(?:\.\d+)?)\s*(ms|s|sec|m|min|h|d)?$/i;
const DURATION_MS: Record<string, number> = {
  ms: 1,
  s: 1000,
  sec: 1000,
  m: 60_000,
  min: 60_000,
  h: 3_600_000,
  d: 86_400_000,
};

export function parseDuration(v: string | number): number | undefined {
  if (typeof v === 'number') return Number.isFinite(v) && v >= 0 ? Math.round(v) : undefined;
  const m = DURATION.exec(v.trim());
  if (!m) return undefined;
  return Math.round(Number(m[1]) * (DURATION_MS[(m[2] ?? 'ms').toLowerCase()] ?? 1));
}

const SIZE = /^(\d+(?:\.\d+)?)\s*([kmgt]?)i?b?$/i;
const SIZE_MULT: Record<string, number> = { '': 1, k: 1024, m: 1024 ** 2, g: 1024 ** 3, t: 1024 ** 4 };

export function parseSize(v: string | number): number | undefined {
  if (typeof v === 'number') return Number.isFinite(v) && v >= 0 ? Math.round(v) : undefined;
  const m = SIZE.exec(v.trim());
  if (!m) return undefined;
  return Math.round(Number(m[1]) * (SIZE_MULT[(m[2] ?? '').toLowerCase()] ?? 1));
}
