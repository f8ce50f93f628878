import type { AppConfig } from '../../config/app-config.js';

/**
 * One copy of each distinct shell environment. Every app started by one command carries the CLI's
 * whole environment (`shell_env`, often 5–10 KB), and each arrives as its own object from the
 * request's JSON: 200 apps started from one ecosystem file held 200 equal copies (~1 MB of the
 * daemon's private memory, issue 21). Configs share the one object instead. Entries are weak, so an
 * environment no config uses any more is collected; the shared objects are frozen, since configs are
 * replaced, never changed in place.
 */
const byContent = new Map<string, WeakRef<Readonly<Record<string, string>>>>();
const forget = new FinalizationRegistry<string>((key) => {
  if (byContent.get(key)?.deref() === undefined) byContent.delete(key);
});

function internEnv(env: Record<string, string>): Record<string, string> {
  const key = JSON.stringify(env);
  const hit = byContent.get(key)?.deref();
  if (hit) return hit;
  Object.freeze(env);
  byContent.set(key, new WeakRef(env));
  forget.register(env, key);
  return env;
}

/** `cfg` with its shell environment shared with every other config that has an equal one. */
export function withSharedEnv(cfg: AppConfig): AppConfig {
  const shared = internEnv(cfg.shell_env);
  return shared === cfg.shell_env ? cfg : { ...cfg, shell_env: shared };
}
