import type { AppConfig } from '../../config/app-config.js';
import { StewardError } from '../../common/errors.js';
import type { Instance } from '../lifecycle/instance.js';
import { hasProcess } from '../lifecycle/state-machine.js';

export type StartStep =
  | { kind: 'new'; config: AppConfig }
  /** Stopped copies of the same script are started again with the new config. */
  | { kind: 'again'; config: AppConfig; instances: Instance[] };

/**
 * What `start` will do for each app, decided before anything starts, so that a refused app in a
 * batch starts nothing: the same name and script already running is refused (as PM2 does) unless
 * forced, and so is the same script twice in one command.
 */
export function planStart(apps: AppConfig[], force: boolean, table: Instance[]): StartStep[] {
  const plan: StartStep[] = [];
  const batch = new Set<string>();
  for (const cfg of apps) {
    const key = `${cfg.name}\0${cfg.pm_exec_path}`;
    if (batch.has(key) && !force) {
      throw new StewardError('E_ALREADY_RUNNING', `script given twice: ${cfg.name} (${cfg.pm_exec_path})`, {
        hint: 'add -f to start several copies',
      });
    }
    batch.add(key);
    const same = table.filter(
      (i) => i.config.name === cfg.name && i.config.pm_exec_path === cfg.pm_exec_path,
    );
    if (same.length === 0 || force) {
      plan.push({ kind: 'new', config: cfg });
      continue;
    }
    if (same.some((i) => hasProcess(i.lifecyclePhase))) {
      throw new StewardError(
        'E_ALREADY_RUNNING',
        `script already launched: ${cfg.name} (${cfg.pm_exec_path})`,
        {
          hint: `use \`steward restart ${cfg.name}\`, or add -f to start another copy`,
        },
      );
    }
    plan.push({ kind: 'again', config: cfg, instances: same });
  }
  return plan;
}
