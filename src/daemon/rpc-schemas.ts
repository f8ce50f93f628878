import { z } from 'zod';
import { AppConfigSchema } from '../config/app-config.js';
import type { MethodName } from '../protocol/methods.js';

/** Param schemas for every RPC method: a message that does not match gets INVALID_PARAMS. */
const Empty = z.object({}).strict().optional().default({});
const Target = z.object({ targets: z.array(z.string().min(1)).min(1), cwd: z.string().min(1) });
const Restart = Target.extend({
  update_env: z.boolean().default(false),
  shell_env: z.record(z.string(), z.string()).optional(),
});

export const ParamSchemas: Record<MethodName, z.ZodType> = {
  hello: z.object({ client_version: z.string(), protocol: z.number().int() }),
  ping: Empty,
  list: Empty,
  jlist: Empty,
  describe: Target,
  start: z.object({
    apps: z.array(AppConfigSchema).min(1),
    force: z.boolean().default(false),
    settle_ms: z.number().int().min(0).max(60_000).default(0),
  }),
  startTargets: Target,
  stop: Target,
  restart: Restart,
  reload: Restart,
  delete: Target,
  reset: Target,
  env: Target,
  save: z.object({ force: z.boolean().default(false) }),
  resurrect: Empty,
  cleardump: Empty,
  kill: Empty,
};
