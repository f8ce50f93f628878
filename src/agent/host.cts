/**
 * The contract between the preloaded agent (preload.cts) and the app's `steward/agent` API (api.ts):
 * one object on `globalThis[Symbol.for('steward.agent')]`. It is shared by every copy of the API
 * loaded in the process (its ESM and CommonJS builds, or two versions in node_modules) and by the
 * preload agent, which may come from another Steward version than the app's — so it is versioned
 * (`v`), and each side uses only what is written here. Types only: nothing here runs.
 *
 * - The preload agent creates it when it loads (before the app) and, when it reports metrics, sets
 *   `reporter: 'preload'` and adds every entry of `metrics` to its own `axm:monitor` message.
 * - Otherwise (`--no-agent`, an older agent) the first API to register a metric sets
 *   `reporter: 'api'` and reports them with its own unref'd timer.
 */
export interface AgentHost {
  readonly v: 1;
  /** Custom metrics by name, in registration order. */
  readonly metrics: Map<string, HostMetric>;
  /** Who sends the periodic `axm:monitor` with `metrics`; unset while nobody does. */
  reporter?: 'preload' | 'api';
  /** Action handlers by name (API only); `listening` once the IPC listener is installed. */
  actions?: Map<string, (param?: string) => unknown>;
  listening?: boolean;
  /** `ready()` was called: readiness is signalled once per process. */
  readySent?: boolean;
}

export interface HostMetric {
  readonly kind: 'gauge' | 'counter' | 'meter' | 'histogram';
  /** The handle the app got, given again to whoever asks for the same name and kind. */
  readonly handle: unknown;
  /** Its `axm_monitor` entry now (`{ value, unit, kind, … }`), or undefined to leave it out. */
  read(): Record<string, unknown> | undefined;
}
