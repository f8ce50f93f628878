import { mkdirSync, unlinkSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { messageOf } from '../../common/errors.js';
import type { LifecycleEffects, TimerHandle } from '../lifecycle/effects.js';
import { launchProcess, type LauncherContext } from './launcher.js';
import { Proc } from './proc.js';
import { terminate } from './terminate.js';

/** A timer of ours: a 0 ms deadline is an immediate (see setTimer). */
interface RealTimer extends TimerHandle {
  readonly id: NodeJS.Timeout | NodeJS.Immediate;
  readonly immediate: boolean;
}

/** The lifecycle's effects on the real system: Node timers, spawn, signals, pid files. */
export function realEffects(ctx: LauncherContext): LifecycleEffects {
  return {
    now: ctx.now,
    // `restart_delay: 0` arms a 0 ms deadline after a crash: setTimeout(0) waits for the next
    // timers phase (≥ 1 ms, ~1.5 ms measured between the exit and the respawn); an immediate runs
    // in this turn of the loop, right after the exit was handled.
    setTimer: (ms, fire): RealTimer =>
      ms <= 0 ? { id: setImmediate(fire), immediate: true } : { id: setTimeout(fire, ms), immediate: false },
    clearTimer: (t: TimerHandle) => {
      const r = t as RealTimer;
      if (r.immediate) clearImmediate(r.id as NodeJS.Immediate);
      else clearTimeout(r.id as NodeJS.Timeout);
    },
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
