import { EventEmitter } from 'node:events';
import { Client } from '../client/client.js';
import { StewardClient } from './client.js';
import type { Subscription } from './subscription.js';
import type { AppOptions, LogLine, ProcessDescription, ProcessEvent, Target } from './types.js';

/**
 * PM2's programmatic API (callbacks, one module-wide connection) on top of StewardClient, so that a
 * script written for PM2 runs with its import changed:
 *
 * @example
 * // was: const pm2 = require('pm2');
 * const pm2 = require('steward/pm2-compat'); // or: import pm2 from 'steward';
 * pm2.connect((err) => {
 *   if (err) throw err;
 *   pm2.start({ script: 'app.js', name: 'api' }, (err, apps) => {
 *     pm2.list((err, list) => {
 *       console.log(list.map((p) => `${p.name}: ${p.pm2_env.status}`));
 *       pm2.disconnect();
 *     });
 *   });
 * });
 *
 * Differences: `connect(true, cb)` (PM2's no-daemon mode) still uses the daemon; callbacks get
 * `StewardError`s (with `code` and `hint`) where PM2 gives plain errors.
 */
export type Callback<T> = (err: Error | null, result?: T) => void;

/** PM2's bus packets. */
export interface BusLogPacket {
  process: { pm_id: number; name: string; namespace: string; rev: null };
  data: string;
  at: number;
}
export interface BusEventPacket {
  event: string;
  process: { pm_id: number; name: string; status: string };
  reason?: string;
  at: number;
}

type BusEvents = {
  'log:out': [packet: BusLogPacket];
  'log:err': [packet: BusLogPacket];
  'process:event': [packet: BusEventPacket];
  close: [];
};

/** PM2's event bus: `bus.on('log:out' | 'log:err' | 'process:event', packet => …)`. */
export class Bus extends EventEmitter<BusEvents> {
  /** @internal */
  constructor(private readonly sub: Subscription<LogLine | ProcessEvent>) {
    super();
    sub.on('data', (item) => {
      if ('event' in item) {
        this.emit('process:event', {
          event: item.event,
          process: { pm_id: item.pm_id, name: item.name, status: item.status },
          ...(item.reason === undefined ? {} : { reason: item.reason }),
          at: item.at,
        });
      } else {
        const packet = {
          process: { pm_id: item.pm_id, name: item.name, namespace: item.namespace, rev: null },
          data: item.data,
          at: item.at,
        };
        if (item.type === 'err') this.emit('log:err', packet);
        else this.emit('log:out', packet);
      }
    });
    sub.once('close', () => this.emit('close'));
  }

  close(): void {
    this.sub.close();
  }
}

let client: StewardClient | undefined;
let connecting: Promise<StewardClient> | undefined;
const buses = new Set<Bus>();

function getClient(): Promise<StewardClient> {
  if (client) return Promise.resolve(client);
  connecting ??= Client.connect()
    .then((c) => {
      client = new StewardClient(c);
      return client;
    })
    .finally(() => {
      connecting = undefined;
    });
  return connecting;
}

const ignore = (): void => undefined;

/** Runs `op` with the module's connection and hands its outcome to `cb` (PM2 style: err first). */
function run<T>(op: (c: StewardClient) => Promise<T>, cb: Callback<T> = ignore): void {
  getClient()
    .then(op)
    .then(
      (v) => cb(null, v),
      (e: unknown) => cb(e instanceof Error ? e : new Error(String(e))),
    );
}

/** Connects to the daemon (starting it if needed). */
export function connect(cb?: Callback<{ home: string }>): void;
export function connect(noDaemonMode: boolean, cb?: Callback<{ home: string }>): void;
export function connect(a?: boolean | Callback<{ home: string }>, b?: Callback<{ home: string }>): void {
  const cb = typeof a === 'function' ? a : b;
  run((c) => Promise.resolve({ home: c.home }), cb);
}

/** Closes the connection and every bus. The daemon and its apps keep running. */
export function disconnect(cb?: () => void): void {
  for (const b of buses) b.close();
  buses.clear();
  client?.disconnect();
  client = undefined;
  cb?.();
}

async function describeIds(c: StewardClient, ids: number[]): Promise<ProcessDescription[]> {
  const wanted = new Set(ids);
  return (await c.jlist()).filter((p) => wanted.has(p.pm_id));
}

type StartInput = string | (AppOptions & Record<string, unknown>);

/** `start(options, cb)`, `start(script, options, cb)` or `start('ecosystem.config.js', cb)`. */
export function start(what: StartInput, cb?: Callback<ProcessDescription[]>): void;
export function start(
  what: StartInput,
  options: Partial<AppOptions> & Record<string, unknown>,
  cb?: Callback<ProcessDescription[]>,
): void;
export function start(
  what: StartInput,
  b?: (Partial<AppOptions> & Record<string, unknown>) | Callback<ProcessDescription[]>,
  c?: Callback<ProcessDescription[]>,
): void {
  const cb = typeof b === 'function' ? b : c;
  const options = typeof b === 'function' ? undefined : b;
  run(
    async (cl) => {
      const { force, ...app } = (options ?? {}) as Record<string, unknown>;
      const res =
        typeof what === 'string'
          ? await cl.start(what, app as Omit<AppOptions, 'script'>, { force: force === true })
          : await cl.start(what, { force: force === true });
      return describeIds(
        cl,
        res.processes.map((p) => p.pm_id),
      );
    },
    cb ?? (() => undefined),
  );
}

function targetOp(
  op: (c: StewardClient, t: Target) => Promise<number[]>,
  before = false,
): (target: Target, cb?: Callback<ProcessDescription[]>) => void {
  return (target, cb) => {
    run(
      async (c) => {
        const prior = before ? await c.jlist() : [];
        const ids = await op(c, target);
        if (!before) return describeIds(c, ids);
        return prior.filter((p) => ids.includes(p.pm_id));
      },
      cb ?? (() => undefined),
    );
  };
}

/** Stops processes by name, id, namespace or `all`. */
export const stop = targetOp((c, t) => c.stop(t));
/** Deletes processes (stop, then remove from the list). */
export const del = targetOp((c, t) => c.delete(t), true);

/** Restarts processes; `options.updateEnv` refreshes their environment. */
export function restart(target: Target, cb?: Callback<ProcessDescription[]>): void;
export function restart(
  target: Target,
  options: { updateEnv?: boolean },
  cb?: Callback<ProcessDescription[]>,
): void;
export function restart(
  target: Target,
  b?: { updateEnv?: boolean } | Callback<ProcessDescription[]>,
  c?: Callback<ProcessDescription[]>,
): void {
  const opts = typeof b === 'function' ? {} : (b ?? {});
  targetOp((cl, t) => cl.restart(t, opts))(target, typeof b === 'function' ? b : c);
}

/** Reloads processes (a restart where no zero-downtime reload is possible). */
export function reload(target: Target, cb?: Callback<ProcessDescription[]>): void;
export function reload(
  target: Target,
  options: { updateEnv?: boolean },
  cb?: Callback<ProcessDescription[]>,
): void;
export function reload(
  target: Target,
  b?: { updateEnv?: boolean } | Callback<ProcessDescription[]>,
  c?: Callback<ProcessDescription[]>,
): void {
  const opts = typeof b === 'function' ? {} : (b ?? {});
  targetOp((cl, t) => cl.reload(t, opts))(target, typeof b === 'function' ? b : c);
}

/** Every process, in PM2's `jlist` shape. */
export function list(cb: Callback<ProcessDescription[]>): void {
  // PM2's shape only: Steward's details are not part of it.
  run(async (c) => (await c.jlist()).map(({ steward: _s, ...p }) => p), cb);
}

/** The processes of one target, in PM2's `jlist` shape. */
export function describe(target: Target, cb: Callback<ProcessDescription[]>): void {
  run((c) => c.describe(target), cb);
}

/** Saves the process list (`pm2 save`). */
export function dump(cb?: Callback<{ path: string; count: number }>): void {
  run((c) => c.save({ force: true }), cb);
}

/** Starts the saved processes. */
export function resurrect(cb?: Callback<{ ids: number[]; skipped: string[] }>): void {
  run((c) => c.resurrect(), cb);
}

/** Stops every app and the daemon. */
export function killDaemon(cb?: Callback<{ stopped: number }>): void {
  run(
    async (c) => {
      const res = await c.killDaemon();
      client = undefined;
      return res;
    },
    cb ?? (() => undefined),
  );
}

/** PM2's event bus: log lines (`log:out`, `log:err`) and process events (`process:event`). */
export function launchBus(cb: Callback<Bus>): void {
  run(async (c) => {
    const sub = await c.logsAndEvents();
    const bus = new Bus(sub);
    buses.add(bus);
    bus.once('close', () => buses.delete(bus));
    return bus;
  }, cb);
}

/** Closes every bus opened by launchBus. */
export function disconnectBus(cb?: () => void): void {
  for (const b of buses) b.close();
  buses.clear();
  cb?.();
}

export { del as delete };

/** The whole facade as one object, as `require('pm2')` gives it. */
const pm2 = {
  connect,
  disconnect,
  start,
  stop,
  restart,
  reload,
  delete: del,
  del,
  list,
  describe,
  dump,
  resurrect,
  killDaemon,
  launchBus,
  disconnectBus,
};
export default pm2;
