import { resolve } from 'node:path';
import { StewardError } from '../../common/errors.js';

/** What target resolution needs to know about an instance. */
export interface Targetable {
  pm_id: number;
  name: string;
  namespace: string;
  pm_exec_path: string;
}

/**
 * Resolves one CLI target to instance ids, following PM2: `all`; `/regex/` on the name; a name (or
 * the script's path); then a namespace; a number is tried as a name, a namespace, then an id.
 * Returns an empty list when nothing matches.
 */
export function resolveTarget(target: string, items: readonly Targetable[], cwd: string): number[] {
  if (target === 'all') return items.map((i) => i.pm_id);
  if (target.length > 2 && target.startsWith('/') && target.endsWith('/')) {
    let re: RegExp;
    try {
      re = new RegExp(target.slice(1, -1));
    } catch (e) {
      throw new StewardError('E_USAGE', `invalid regular expression ${target}: ${(e as Error).message}`, {
        hint: 'write the pattern as /pattern/ with JavaScript RegExp syntax',
      });
    }
    return items.filter((i) => re.test(i.name)).map((i) => i.pm_id);
  }
  const abs = resolve(cwd, target);
  const byName = items.filter((i) => i.name === target || i.pm_exec_path === abs);
  if (byName.length > 0) return byName.map((i) => i.pm_id);
  const byNs = items.filter((i) => i.namespace === target);
  if (byNs.length > 0) return byNs.map((i) => i.pm_id);
  if (/^\d+$/.test(target)) {
    const id = Number(target);
    return items.filter((i) => i.pm_id === id).map((i) => i.pm_id);
  }
  return [];
}

/** Resolves several targets; an unmatched one is an error naming it (nothing is acted upon). */
export function resolveTargets(
  targets: readonly string[],
  items: readonly Targetable[],
  cwd: string,
): number[] {
  if (targets.length === 0) {
    throw new StewardError('E_USAGE', 'no target given', {
      hint: 'name an app, an id, a namespace, /regex/ or all',
    });
  }
  const ids = new Set<number>();
  const missing: string[] = [];
  for (const t of targets) {
    const found = resolveTarget(t, items, cwd);
    if (found.length === 0) missing.push(t);
    for (const id of found) ids.add(id);
  }
  if (missing.length > 0) {
    const what = missing.map((m) => (m === 'all' ? 'all (no apps are managed)' : m)).join(', ');
    throw new StewardError('E_APP_NOT_FOUND', `process or namespace not found: ${what}`, {
      hint: 'run `steward ls` to see the managed apps',
    });
  }
  return [...ids].sort((a, b) => a - b);
}
