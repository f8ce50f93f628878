import { mkdirSync, unlinkSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { messageOf } from '../../common/errors.js';
import type { LifecycleEffects, TimerHandle } from '../lifecycle/effects.js';
import { launchProcess, type LauncherContext } from './launcher.js';
import { Proc } from './proc.js';
import { terminate } from './terminate.js';

/** The lifecycle's effects on the real system: Node timers, spawn, signals, pid files. */
export function realEffects(ctx: LauncherContext): LifecycleEffects {
  return {
    now: ctx.now,
    setTimer: (ms, fire) => ({ id: setTimeout(fire, ms) }),
    clearTimer: (t: TimerHandle) => clearTimeout(t.id as NodeJS.Timeout),
    sleep: (ms) => new Promise((r) => setTimeout(r, ms).unref()),
    launch: (req) => launchProcess(req, ctx),
    terminate: (proc, cfg, drain) => {
      // Only processes this module launched reach here; anything else is a wiring mistake.
      if (!(proc instanceof Proc)) throw new Error('terminate: not a process launched by the daemon');
      return terminate(proc, cfg, drain);
    },
    writePidFile: (path, pid) => {
      try {
        mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
        writeFileSync(path, `${pid}\n`, { mode: 0o600 });
      } catch (e) {
        ctx.log(`pid file ${path}: ${messageOf(e)}`);
      }
    },
    removePidFile: (path) => {
      try {
        unlinkSync(path);
      } catch {
        // already gone
      }
    },
    log: ctx.log,
  };
}
