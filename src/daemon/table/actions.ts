import { StewardError } from '../../common/errors.js';
import type { Instance } from '../lifecycle/instance.js';

export interface TriggerReply {
  pm_id: number;
  name: string;
  ok: boolean;
  return?: unknown;
  error?: string;
}

function isRecordish(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null;
}

/** Callers waiting for an app's answer to an action, keyed by instance and action name. */
export class ReplyWaiters {
  private readonly waiters = new Map<string, (data: unknown) => void>();

  deliver(inst: Instance, data: unknown): void {
    const name = isRecordish(data) && typeof data.action_name === 'string' ? data.action_name : '';
    this.waiters.get(`${inst.pm_id}\0${name}`)?.(data);
  }

  /** Sends the action to one instance and waits for its reply, up to `timeoutMs`. */
  ask(i: Instance, action: string, params: string | undefined, timeoutMs: number): Promise<TriggerReply> {
    const base = { pm_id: i.pm_id, name: i.config.name };
    return new Promise((resolve) => {
      const key = `${i.pm_id}\0${action}`;
      const timer = setTimeout(() => {
        this.waiters.delete(key);
        resolve({ ...base, ok: false, error: `no reply within ${timeoutMs}ms` });
      }, timeoutMs);
      this.waiters.set(key, (data) => {
        clearTimeout(timer);
        this.waiters.delete(key);
        // steward/agent replies a failed action as `{ error }` (@pm2/io has no such field).
        const error = isRecordish(data) && typeof data.error === 'string' ? data.error : undefined;
        resolve(
          error !== undefined
            ? { ...base, ok: false, error }
            : { ...base, ok: true, return: isRecordish(data) ? data.return : data },
        );
      });
      if (!i.trigger(action, params)) {
        clearTimeout(timer);
        this.waiters.delete(key);
        resolve({ ...base, ok: false, error: 'not running' });
      }
    });
  }
}

/**
 * PM2's `trigger`: runs an action the app declared, on every matching instance that has it, and
 * collects each one's reply (up to `timeoutMs`).
 */
export function trigger(
  insts: Instance[],
  targets: string[],
  replies: ReplyWaiters,
  action: string,
  params: string | undefined,
  timeoutMs: number,
): Promise<TriggerReply[]> {
  const withAction = insts.filter((i) => i.actions.some((a) => a.action_name === action));
  if (withAction.length === 0) {
    const known = [...new Set(insts.flatMap((i) => i.actions.map((a) => a.action_name)))];
    throw new StewardError(
      'E_APP_NOT_FOUND',
      `no process of ${targets.join(', ')} has an action "${action}"`,
      {
        hint:
          known.length > 0
            ? `actions: ${known.join(', ')}`
            : 'the app declares none (is it running, with @pm2/io or steward/agent?)',
      },
    );
  }
  return Promise.all(withAction.map((i) => replies.ask(i, action, params, timeoutMs)));
}
