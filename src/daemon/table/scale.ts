import { StewardError } from '../../common/errors.js';
import type { OpResult } from '../../protocol/methods.js';
import type { Supervisor } from './supervisor.js';

/**
 * `scale <app> N|+N|-N`: new instances copy the app's config (lowest free instance numbers);
 * going down stops the highest instance numbers gracefully (drained first when possible). One
 * group operation in the app's lane: a stop or delete of the app interrupts it.
 */
export function scale(sup: Supervisor, name: string, spec: string): Promise<OpResult> {
  const m = /^([+-]?)(\d+)$/.exec(spec.trim());
  if (!m)
    throw new StewardError('E_USAGE', `scale: expected N, +N or -N, got ${JSON.stringify(spec)}`, {
      hint: 'e.g. `steward scale api 4`',
    });
  if (!sup.instances().some((i) => i.config.name === name)) throw notFound(name);
  return sup.appLane(name).run('scale', 'queue', async () => {
    const list = sup.instances().filter((i) => i.config.name === name);
    const first = list[0];
    if (!first) throw notFound(name);
    const n = Number(m[2]);
    const target = m[1] === '+' ? list.length + n : m[1] === '-' ? list.length - n : n;
    if (target < 1) {
      throw new StewardError('E_USAGE', `scale: ${name} would have ${target} instances`, {
        hint: 'keep at least 1, or use `steward delete`',
      });
    }
    for (const i of list) i.setConfig({ ...i.config, instances: target });
    const note = `${name}: ${list.length} → ${target} instances`;
    if (target > list.length) {
      const added = sup.addInstances({ ...first.config, instances: target }, target - list.length);
      await Promise.all(added.map((i) => i.start('scale up')));
      return { ids: added.map((i) => i.pm_id), notes: [note] };
    }
    const removed = [...list].sort((a, b) => b.index - a.index).slice(0, list.length - target);
    await sup.deleteInstances(removed, { drain: true, fromAppLane: true });
    return { ids: removed.map((i) => i.pm_id), notes: [note] };
  });
}

function notFound(name: string): StewardError {
  return new StewardError('E_APP_NOT_FOUND', `app not found: ${name}`, {
    hint: 'scale takes an app name; run `steward ls`',
  });
}
