import { Client } from '../client/client.js';
import { StewardClient } from './client.js';
import pm2, { connect as pm2Connect, type Callback } from './pm2-compat.js';
import type { ConnectOptions } from './types.js';

/**
 * Steward's programmatic API (docs/api.md).
 *
 * Typed, promise-based:
 * ```ts
 * import { connect } from 'steward';
 * const steward = await connect();
 * await steward.start({ script: 'server.js', name: 'api' });
 * const events = await steward.events();
 * events.on('data', (e) => console.log(e.name, e.event));
 * ```
 *
 * PM2-compatible, callback-based (the default export, also `steward/pm2-compat`): a script written
 * for `require('pm2')` works with `require('steward')` or `import pm2 from 'steward'`.
 */
export { StewardClient } from './client.js';
export { Subscription } from './subscription.js';
export { StewardError, ErrorCodes, type ErrorCode } from '../common/errors.js';
export type * from './types.js';
export type { Bus, BusEventPacket, BusLogPacket, Callback } from './pm2-compat.js';

/**
 * Connects to the daemon of a home (default: STEWARD_HOME, else ~/.steward), starting it if needed.
 *
 * @example
 * const steward = await connect({ home: '/srv/steward' });
 * console.log(await steward.list());
 * // Another host, over SSH (docs/remote.md):
 * const web1 = await connect({ host: 'ssh://deploy@web1' });
 * steward.disconnect();
 */
export function connect(options?: ConnectOptions): Promise<StewardClient>;
/** PM2's form: connects the module-wide PM2 facade, then calls back. */
export function connect(cb: Callback<{ home: string }>): void;
export function connect(noDaemonMode: boolean, cb?: Callback<{ home: string }>): void;
export function connect(
  a?: ConnectOptions | Callback<{ home: string }> | boolean,
  b?: Callback<{ home: string }>,
): Promise<StewardClient> | void {
  if (typeof a === 'function') return pm2Connect(a);
  if (typeof a === 'boolean') return pm2Connect(a, b);
  const ssh = a?.ssh;
  return Client.connect({
    ...(a?.home !== undefined ? { home: a.home } : {}),
    ...(a?.autostart !== undefined ? { autostart: a.autostart } : {}),
    ...(a?.host !== undefined
      ? {
          host: a.host,
          remote: {
            sshConfig: ssh?.config,
            identity: ssh?.identity,
            sshOptions: ssh?.options,
            bin: ssh?.bin,
            home: ssh?.home,
            connectTimeout: ssh?.connectTimeout,
          },
        }
      : {}),
  }).then((c) => new StewardClient(c));
}

// PM2's other functions as named exports too, so that `require('steward')` (Node ≥ 20.19) and
// `import * as pm2 from 'steward'` behave like `require('pm2')`.
export {
  disconnect,
  start,
  stop,
  restart,
  reload,
  delete,
  list,
  describe,
  dump,
  resurrect,
  killDaemon,
  launchBus,
  disconnectBus,
} from './pm2-compat.js';

export default pm2;
