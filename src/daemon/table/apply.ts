import type { AppConfig } from '../../config/app-config.js';
import type { ApplyAction, ApplyResult, OpResult, StartResult } from '../../protocol/methods.js';
import type { Instance } from '../lifecycle/instance.js';
import { reloadInstances, startApps } from './operations.js';
import type { Supervisor } from './supervisor.js';

/**
 * Applies an ecosystem file. Apps are matched by name (in any namespace, as PM2 does): `start`,
 * `restart` and `reload` restart the ones that exist with the file's config and environment (so
 * that a variable removed from the file is removed) and start the missing ones; `stop` and
 * `delete` act on the ones that exist. Instance counts are not reconciled (use `scale`).
 */
export async function applyEcosystem(
  sup: Supervisor,
  apps: AppConfig[],
  action: ApplyAction,
  settleMs: number,
): Promise<ApplyResult> {
  sup.checkUsers(apps);
  const notes: string[] = [];
  const fresh: AppConfig[] = [];
  const ids: number[] = [];
  const work: Array<Promise<unknown>> = [];
  const restarted: Instance[] = [];
  for (const cfg of apps) {
    const existing = sup.instances().filter((i) => i.config.name === cfg.name);
    if (existing.length === 0) {
      if (action === 'stop' || action === 'delete')
        notes.push(`${cfg.name} is not managed; nothing to ${action}`);
      else fresh.push(cfg);
      continue;
    }
    ids.push(...existing.map((i) => i.pm_id));
    if (action === 'stop') {
      sup.appLane(cfg.name).interrupt('stop');
      work.push(...existing.map((i) => i.stop()));
    } else if (action === 'delete') work.push(sup.deleteInstances(existing));
    else {
      if (existing.length !== cfg.instances) {
        notes.push(
          `${cfg.name}: the file says ${cfg.instances} instance(s), ${existing.length} run; instance counts are not changed by ${action}`,
        );
      }
      for (const i of existing) {
        i.setConfig(cfg);
        restarted.push(i);
        if (action === 'restart' || action === 'start') work.push(i.restart(`${action} from config file`));
      }
    }
  }
  await Promise.all(work);
  let reloadRes: OpResult | undefined;
  if (action === 'reload' && restarted.length > 0)
    reloadRes = await reloadInstances(sup, restarted, 'reload from config file');
  let failed: StartResult['failed'] = [];
  if (fresh.length > 0) {
    const res = await startApps(sup, fresh, false, settleMs);
    ids.push(...res.ids);
    failed = res.failed;
  }
  if (reloadRes) {
    notes.push(...reloadRes.notes);
    for (const f of reloadRes.failed ?? [])
      failed.push({ pm_id: f.pm_id, name: f.name, exit: f.reason, log_tail: f.log_tail });
  }
  return { ids, failed, notes };
}
