import { StewardError } from '../common/errors.js';
import type { AppConfig } from './app-config.js';
import { checkFlags, flagLabel, flagsToOptions, type StartFlags } from './from-cli.js';
import { cronPattern, dateFormat, logType, readinessOptions, rotateInterval } from './normalize-checks.js';
import { KEPT, MERGED } from './restart-merge.js';

/** The app options given to `restart`/`reload`, converted to AppConfig fields. */
export interface RestartPatch {
  /** Merged into the config of each target before its restart (sent as the RPC's `options`). */
  patch: Partial<AppConfig>;
  /** `--name`/`--namespace` given: accepted only when they are the target's own (the caller checks). */
  identity: { name?: string; namespace?: string };
}

const code = 'E_BAD_OPTION';

/**
 * Converts the restart/reload flags the user gave with the start pipeline's per-option conversion
 * (`300M` → bytes, `5s` → ms, cron checked with croner), so a bad value is the same one-line error
 * as on `start`. Options that cannot change on restart (src/config/restart-merge.ts, KEPT) are
 * refused; those without effect on restart are left out (`--verbose` notes them).
 *
 * @example restartPatch({ maxMemoryRestart: '300M' }).patch // { max_memory_restart: 314572800 }
 */
export function restartPatch(flags: StartFlags): RestartPatch {
  // Only what acts is checked: a flag without effect on restart is not an error either.
  const raw = Object.fromEntries(
    Object.entries(flagsToOptions(flags, true)).filter(([k]) => MERGED.has(k) || KEPT.has(k)),
  );
  // PM2: `--node-args=null` deletes the interpreter arguments.
  if (raw.node_args === 'null') raw.node_args = [];
  const given = checkFlags(raw, false);
  const at = (k: string) => flagLabel(k);
  const patch: Record<string, unknown> = {};
  const identity: RestartPatch['identity'] = {};
  for (const [key, value] of Object.entries(given)) {
    const why = KEPT.get(key);
    if (key === 'name' || key === 'namespace') identity[key] = value as string;
    else if (why !== undefined) {
      throw new StewardError('E_BAD_OPTION', `${flagLabel(key)} cannot be changed by a restart: ${why}`, {
        hint: `to change it, delete the app and start it again with ${flagLabel(key)}, or apply an ecosystem file`,
      });
    } else if (MERGED.has(key)) patch[key] = value;
  }
  const str = (k: string) => (typeof given[k] === 'string' ? given[k] : undefined);
  if ('log_date_format' in given || 'time' in given) {
    delete patch.time;
    patch.log_date_format = dateFormat(str('log_date_format'), given.time === true, at, code);
  }
  if ('log_type' in given) patch.log_type = logType(str('log_type'), at, code);
  if ('log_rotate_interval' in given)
    patch.log_rotate_interval = rotateInterval(str('log_rotate_interval'), at, code);
  if ('cron_restart' in given)
    patch.cron_restart = cronPattern(str('cron_restart') ?? null, at('cron_restart'), code);
  if ('ready_pattern' in given || 'ready_probe' in given) {
    const r = readinessOptions([], str('ready_pattern') ?? null, str('ready_probe') ?? null, at, code);
    if ('ready_pattern' in given) patch.ready_pattern = r.readyPattern;
    if ('ready_probe' in given) patch.ready_probe = r.readyProbe;
  }
  // The same floors as at start (normalize.ts).
  if (typeof patch.memory_check_interval === 'number')
    patch.memory_check_interval = Math.max(100, patch.memory_check_interval);
  if (typeof patch.restart_limit_window === 'number')
    patch.restart_limit_window = Math.max(1, patch.restart_limit_window);
  return { patch, identity };
}
