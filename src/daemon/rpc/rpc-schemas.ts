import * as v from 'valibot';
import { AppConfigSchema } from '../../config/app-config.js';
import { NOTIFY_EMIT_EVENTS, type MethodName } from '../../protocol/methods.js';
import { PATCH_FIELDS } from '../../config/restart-merge.js';

/** Param schemas for every RPC method: a message that does not match gets INVALID_PARAMS. */
export type ParamSchema = v.GenericSchema;

const Empty = v.optional(v.strictObject({}), {});
const Target = v.object({
  targets: v.pipe(v.array(v.pipe(v.string(), v.minLength(1))), v.minLength(1)),
  cwd: v.pipe(v.string(), v.minLength(1)),
});
/** A restart/reload patch: the AppConfig fields a restart may change, each checked as in AppConfig. */
const entries: Record<string, v.GenericSchema> = AppConfigSchema.entries;
const Patch = v.strictObject(
  Object.fromEntries(
    PATCH_FIELDS.map((k) => {
      const entry = entries[k];
      if (!entry) throw new Error(`PATCH_FIELDS names ${k}, which is not an AppConfig field`);
      return [k, v.optional(entry)];
    }),
  ),
);
const Restart = v.object({
  ...Target.entries,
  update_env: v.optional(v.boolean(), false),
  shell_env: v.optional(v.record(v.string(), v.string())),
  watch: v.optional(v.boolean()),
  options: v.optional(Patch),
});

export const ParamSchemas: Record<MethodName, ParamSchema> = {
  hello: v.object({
    client_version: v.string(),
    protocol: v.pipe(v.number(), v.integer()),
    notices: v.optional(v.boolean()),
  }),
  ping: Empty,
  daemonStats: Empty,
  list: Empty,
  jlist: Empty,
  describe: Target,
  start: v.object({
    apps: v.pipe(v.array(AppConfigSchema), v.minLength(1)),
    force: v.optional(v.boolean(), false),
    settle_ms: v.optional(v.pipe(v.number(), v.integer(), v.minValue(0), v.maxValue(60_000)), 0),
  }),
  startTargets: Target,
  apply: v.object({
    apps: v.pipe(v.array(AppConfigSchema), v.minLength(1)),
    action: v.picklist(['start', 'restart', 'reload', 'stop', 'delete']),
    settle_ms: v.optional(v.pipe(v.number(), v.integer(), v.minValue(0), v.maxValue(60_000)), 0),
  }),
  stop: v.object({ ...Target.entries, watch: v.optional(v.boolean()) }),
  restart: Restart,
  reload: Restart,
  delete: Target,
  reset: Target,
  trigger: v.object({
    ...Target.entries,
    action: v.pipe(v.string(), v.minLength(1)),
    params: v.optional(v.string()),
    timeout_ms: v.optional(v.pipe(v.number(), v.integer(), v.minValue(1), v.maxValue(600_000)), 10_000),
  }),
  sendSignal: v.object({ ...Target.entries, signal: v.pipe(v.string(), v.regex(/^(SIG)?[A-Z][A-Z0-9]*$/)) }),
  sendLine: v.object({ ...Target.entries, line: v.string() }),
  scale: v.object({ name: v.pipe(v.string(), v.minLength(1)), spec: v.pipe(v.string(), v.minLength(1)) }),
  env: Target,
  save: v.object({ force: v.optional(v.boolean(), false) }),
  resurrect: Empty,
  cleardump: Empty,
  kill: Empty,
  update: Empty,
  subscribe: v.object({
    topics: v.optional(v.array(v.picklist(['events', 'logs'])), ['events']),
    frames: v.optional(v.boolean(), false),
  }),
  logInfo: v.object({ targets: v.optional(v.array(v.pipe(v.string(), v.minLength(1)))), cwd: v.string() }),
  flush: v.object({ targets: v.optional(v.array(v.pipe(v.string(), v.minLength(1)))), cwd: v.string() }),
  logTail: v.object({
    files: v.pipe(v.array(v.pipe(v.string(), v.minLength(1))), v.maxLength(1000)),
    lines: v.pipe(v.number(), v.integer(), v.minValue(0), v.maxValue(100_000)),
  }),
  reloadLogs: Empty,
  getSettings: Empty,
  setSetting: v.object({ key: v.pipe(v.string(), v.minLength(1)), value: v.nullable(v.string()) }),
  notifyStatus: Empty,
  notifyTest: v.object({ channel: v.optional(v.pipe(v.string(), v.minLength(1))) }),
  notifyEmit: v.strictObject({
    event: v.picklist(NOTIFY_EMIT_EVENTS),
    app: v.pipe(v.string(), v.minLength(1), v.maxLength(200)),
    reason: v.pipe(v.string(), v.minLength(1), v.maxLength(2000)),
    pm_id: v.optional(v.pipe(v.number(), v.integer(), v.minValue(0))),
    exit_code: v.optional(v.pipe(v.number(), v.integer())),
    signal: v.optional(v.pipe(v.string(), v.regex(/^SIG[A-Z0-9]+$/))),
    lines: v.optional(v.pipe(v.array(v.pipe(v.string(), v.maxLength(2000))), v.maxLength(50))),
  }),
  history: v.object({ targets: v.optional(v.array(v.pipe(v.string(), v.minLength(1)))), cwd: v.string() }),
  webStart: v.strictObject({
    port: v.pipe(v.number(), v.integer(), v.minValue(0), v.maxValue(65535)),
    host: v.pipe(v.string(), v.regex(/^[\w.:[\]-]+$/)),
    tls_cert: v.optional(v.pipe(v.string(), v.minLength(1))),
    tls_key: v.optional(v.pipe(v.string(), v.minLength(1))),
    insecure: v.optional(v.boolean()),
  }),
  webStop: Empty,
  webStatus: Empty,
};
