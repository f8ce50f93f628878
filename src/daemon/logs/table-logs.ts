import { truncateSync } from 'node:fs';
import type { Instance } from '../lifecycle/instance.js';
import { rotationPolicy, type LogSettings } from './instance-output.js';
import type { LogFiles } from './log-files.js';

/** Output of this instance lost to a full or slow disk (all its files). */
export function droppedBytes(logs: LogFiles, i: Instance): number {
  const p = i.logPaths;
  return [p.out, p.err, p.combined].reduce((n, f) => n + (f ? (logs.get(f)?.dropped ?? 0) : 0), 0);
}

/** Gives open log files the rotation policy of the current settings. */
export function applyRotation(logs: LogFiles, insts: Instance[], settings: LogSettings): void {
  for (const i of insts) {
    const policy = rotationPolicy(i.config, settings);
    const p = i.logPaths;
    for (const f of [p.out, p.err, p.combined]) {
      const open = f ? logs.get(f) : undefined;
      if (open) open.policy = policy;
    }
  }
}

/** Empties log files (`flush`), whether or not they are open. */
export function flushFiles(logs: LogFiles, files: Iterable<string>): void {
  for (const f of files) {
    const open = logs.get(f);
    if (open) {
      open.truncate();
      continue;
    }
    for (const p of [f, `${f}.idx`]) {
      try {
        truncateSync(p, 0);
      } catch {
        // no such file
      }
    }
  }
}
