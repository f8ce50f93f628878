import { readFileSync } from 'node:fs';
import * as v from 'valibot';
import { AppConfigSchema } from '../../config/app-config.js';
import { writeFileAtomic } from '../../common/atomic-write.js';
import { errnoCode, messageOf, StewardError } from '../../common/errors.js';
import { firstIssue } from '../../common/validate.js';
import { STATUSES } from '../lifecycle/state-machine.js';
import type { InstanceSnapshot } from '../lifecycle/instance.js';

/**
 * Two files share one format: `dump.json` (written by `save`, read by `resurrect`) and `state.json`
 * (the live table, journaled on every change so that a daemon killed with -9 comes back with the
 * same apps). Version 1; golden-tested in test/unit/daemon/state/persistence.test.ts.
 */
export const SNAPSHOT_FORMAT = 1;

const int0 = v.pipe(v.number(), v.integer(), v.minValue(0));
const SnapshotSchema = v.object({
  pm_id: int0,
  index: int0,
  config: AppConfigSchema,
  status: v.picklist(STATUSES),
  pid: int0,
  pid_start: int0,
  restart_time: int0,
  exit_code: v.nullable(v.pipe(v.number(), v.integer())),
  counters: v.object({
    created_at: v.nullable(v.number()),
    pm_uptime: v.number(),
    unstable_restarts: int0,
    prev_restart_delay: v.pipe(v.number(), v.minValue(0)),
    crash_times: v.array(v.number()),
  }),
  history: v.array(
    v.object({
      at: v.number(),
      event: v.string(),
      reason: v.optional(v.string()),
      pid: v.optional(v.number()),
      exit_code: v.optional(v.number()),
      signal: v.optional(v.string()),
      not_ready: v.optional(v.boolean()),
    }),
  ),
});

const FileSchema = v.object({
  format: v.literal(SNAPSHOT_FORMAT),
  steward_version: v.string(),
  written_at: v.number(),
  /** Set when a daemon hands its table over to the next one on purpose (`steward update`). */
  handover: v.optional(v.string()),
  processes: v.array(SnapshotSchema),
});

export interface SnapshotFile {
  format: typeof SNAPSHOT_FORMAT;
  steward_version: string;
  written_at: number;
  handover?: string;
  processes: InstanceSnapshot[];
}

/** History entries kept per process in the files (the daemon keeps more in memory). */
export const HISTORY_KEPT = 20;

/**
 * Serialises a list. Shell environments are stored once in `shell_envs` and referred to as `"@N"`
 * (most apps are started from the same shell: with 500 apps this divides the file by ~4), and only
 * the latest HISTORY_KEPT history entries are kept.
 */
export function serialize(
  processes: InstanceSnapshot[],
  version: string,
  now: number,
  pretty: boolean,
  handover?: string,
): string {
  const envs: Array<Record<string, string>> = [];
  const byObject = new Map<object, string>();
  const byText = new Map<string, string>();
  const ref = (env: Record<string, string>): string => {
    const known = byObject.get(env);
    if (known) return known;
    const text = JSON.stringify(env);
    let r = byText.get(text);
    if (!r) {
      r = `@${envs.length}`;
      envs.push(env);
      byText.set(text, r);
    }
    byObject.set(env, r);
    return r;
  };
  const file = {
    format: SNAPSHOT_FORMAT,
    steward_version: version,
    written_at: now,
    ...(handover ? { handover } : {}),
    shell_envs: envs,
    processes: processes.map((p) => ({
      ...p,
      config: { ...p.config, shell_env: ref(p.config.shell_env) },
      history: p.history.slice(-HISTORY_KEPT),
    })),
  };
  return JSON.stringify(file, null, pretty ? 2 : undefined) + '\n';
}

/** Puts the shared shell environments back in place of their `"@N"` references. */
function resolveEnvRefs(raw: unknown): unknown {
  if (typeof raw !== 'object' || raw === null || !('processes' in raw) || !Array.isArray(raw.processes))
    return raw;
  const envs = 'shell_envs' in raw && Array.isArray(raw.shell_envs) ? (raw.shell_envs as unknown[]) : [];
  for (const p of raw.processes as unknown[]) {
    if (typeof p !== 'object' || p === null || !('config' in p)) continue;
    const cfg = p.config as Record<string, unknown> | null;
    if (cfg && typeof cfg.shell_env === 'string' && /^@\d+$/.test(cfg.shell_env)) {
      cfg.shell_env = envs[Number(cfg.shell_env.slice(1))];
    }
  }
  return raw;
}

/** Parses a snapshot file; throws E_DUMP_CORRUPT with the first problem found. */
export function parseSnapshot(text: string, path: string): SnapshotFile {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (e) {
    throw new StewardError('E_DUMP_CORRUPT', `${path} is not valid JSON (${messageOf(e)})`, {
      hint: 'restore it from its .bak copy, or run `steward cleardump` to start over',
    });
  }
  const res = v.safeParse(FileSchema, resolveEnvRefs(raw));
  if (!res.success) {
    throw new StewardError('E_DUMP_CORRUPT', `${path} is not a Steward dump: ${firstIssue(res.issues)}`, {
      hint: 'restore it from its .bak copy, or run `steward cleardump` to start over',
    });
  }
  return res.output as SnapshotFile;
}

export function readSnapshot(path: string): SnapshotFile | undefined {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    if (errnoCode(e) === 'ENOENT') return undefined;
    throw new StewardError('E_IO', `cannot read ${path}: ${messageOf(e)}`, { hint: 'check its permissions' });
  }
  return parseSnapshot(text, path);
}

export interface DumpLoad {
  file: SnapshotFile;
  warning?: string;
}

/** Reads the dump, falling back to the backup (with a warning) when the dump is missing or corrupt. */
export function loadDump(dump: string, bak: string): DumpLoad {
  let primaryError: StewardError | undefined;
  try {
    const file = readSnapshot(dump);
    if (file) return { file };
  } catch (e) {
    if (!(e instanceof StewardError)) throw e;
    primaryError = e;
  }
  let backup: SnapshotFile | undefined;
  try {
    backup = readSnapshot(bak);
  } catch (e) {
    if (primaryError) {
      throw new StewardError(
        'E_DUMP_CORRUPT',
        `${primaryError.message}; its backup is unusable too (${messageOf(e)})`,
        {
          hint: 'nothing was changed; fix or remove the files, or run `steward cleardump`',
        },
      );
    }
    throw e;
  }
  if (backup) {
    const warning = primaryError
      ? `${primaryError.message}; using the backup ${bak}`
      : `${dump} is missing; using the backup ${bak}`;
    return { file: backup, warning };
  }
  if (primaryError) throw primaryError;
  throw new StewardError('E_DUMP_MISSING', `no saved process list at ${dump}`, {
    hint: 'run `steward save` to save the current list first',
  });
}

export function writeSnapshot(path: string, text: string, backup?: string, fsync = true): void {
  try {
    writeFileAtomic(path, text, backup === undefined ? { fsync } : { backup, fsync });
  } catch (e) {
    const code = errnoCode(e);
    const why = code === 'ENOSPC' ? 'the disk is full' : messageOf(e);
    throw new StewardError('E_IO', `cannot write ${path}: ${why}`, {
      hint: 'free some space or fix permissions; the previous file was kept unchanged',
      cause: e,
    });
  }
}
