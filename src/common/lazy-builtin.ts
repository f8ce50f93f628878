import { createRequire } from 'node:module';

const load = createRequire(import.meta.url);

/**
 * A Node built-in module loaded on first use instead of at start-up. The daemon is one ES module
 * bundle whose static imports all load when it starts, and some built-ins are not free to hold:
 * loading http, https, crypto and zlib added ~1.8 MB to an idle Node process's private memory here,
 * for health probes, Prometheus and log compression that most set-ups never turn on (issue 21).
 *
 * @example
 * import type * as Zlib from 'node:zlib';
 * const zlib = lazyBuiltin<typeof Zlib>('node:zlib');
 * zlib().createGzip();
 */
export function lazyBuiltin<T>(name: `node:${string}`): () => T {
  let mod: T | undefined;
  return () => (mod ??= load(name) as T);
}

/**
 * A dependency loaded on first use, for one that costs every command its start-up while few need
 * it (dotenv loads node:crypto, ~3 ms of every `steward start`, for the apps that have an
 * `env_file`). Not bundled: it is resolved from node_modules when first used.
 */
export function lazyPackage<T>(name: string): () => T {
  let mod: T | undefined;
  return () => (mod ??= load(name) as T);
}
