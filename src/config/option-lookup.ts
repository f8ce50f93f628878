import { OPTIONS } from './options.js';

/** alias (and canonical name) → canonical name; built on first use (the table imports nothing back). */
let canonical: ReadonlyMap<string, string> | undefined;
function canonicalMap(): ReadonlyMap<string, string> {
  canonical ??= new Map(
    OPTIONS.flatMap((o) => [[o.key, o.key] as const, ...(o.aliases ?? []).map((a) => [a, o.key] as const)]),
  );
  return canonical;
}

/** Resolves a key: an option, an alias, a camelCase spelling (PM2 accepts those), or `env_<name>`. */
export function canonicalKey(key: string): string | undefined {
  const direct = canonicalMap().get(key);
  if (direct) return direct;
  const snake = key.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);
  return canonicalMap().get(snake);
}

/** Edit distance, for "did you mean" suggestions. */
export function editDistance(a: string, b: string): number {
  const prev = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i += 1) {
    let diag = prev[0] ?? 0;
    prev[0] = i;
    for (let j = 1; j <= b.length; j += 1) {
      const tmp = prev[j] ?? 0;
      prev[j] = Math.min((prev[j] ?? 0) + 1, (prev[j - 1] ?? 0) + 1, diag + (a[i - 1] === b[j - 1] ? 0 : 1));
      diag = tmp;
    }
  }
  return prev[b.length] ?? 0;
}

export function closestOption(key: string): string | undefined {
  let best: string | undefined;
  let bestD = Infinity;
  for (const name of canonicalMap().keys()) {
    const d = editDistance(key.toLowerCase(), name.toLowerCase());
    if (d < bestD) {
      bestD = d;
      best = canonicalMap().get(name);
    }
  }
  return bestD <= Math.max(2, Math.floor(key.length / 3)) ? best : undefined;
}
