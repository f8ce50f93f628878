import type { Client } from '../../client/client.js';
import { StewardError } from '../../common/errors.js';
import {
  NOTIFY_EMIT_EVENTS,
  type NotifyEmitParams,
  type NotifyStatusResult,
} from '../../protocol/methods.js';
import type { CliContext } from '../context.js';

/**
 * `steward notify test [channel]`, `steward notify send --event … --app … --reason …` and
 * `steward notify status`. Channels are configured with `steward set notify.<key>`
 * (docs/notifications.md); the daemon does the sending.
 */
const EMIT_EVENTS: ReadonlyArray<NotifyEmitParams['event']> = NOTIFY_EMIT_EVENTS;

export interface NotifyOpts {
  event?: string;
  app?: string;
  reason?: string;
  id?: string;
  exitCode?: string;
  json?: boolean;
}

export async function notify(
  ctx: CliContext,
  action: string,
  channel: string | undefined,
  opts: NotifyOpts,
): Promise<void> {
  switch (action) {
    case 'test':
      return test(ctx, channel);
    case 'send':
      return send(ctx, opts);
    case 'status':
      return status(ctx, opts.json ?? false);
    default:
      throw new StewardError('E_USAGE', `unknown notify action "${action}"`, {
        hint: 'use `steward notify test [channel]`, `steward notify send --event … --app … --reason …` or `steward notify status`',
      });
  }
}

async function test(ctx: CliContext, channel: string | undefined): Promise<void> {
  const c = await ctx.connect();
  const res = await c.call('notifyTest', channel === undefined ? {} : { channel });
  for (const r of res) ctx.out(`${r.channel}: ${r.ok ? 'ok' : 'failed'}: ${r.answer}`);
  const failed = res.filter((r) => !r.ok);
  if (failed.length > 0) {
    throw new StewardError('E_IO', `notify test: ${failed.map((r) => r.channel).join(', ')} failed`, {
      hint: 'check the address with `steward get`, then the receiver',
    });
  }
}

async function send(ctx: CliContext, opts: NotifyOpts): Promise<void> {
  const event = opts.event as NotifyEmitParams['event'] | undefined;
  if (!event || !EMIT_EVENTS.includes(event)) {
    throw new StewardError('E_USAGE', `notify send: --event must be one of ${EMIT_EVENTS.join(', ')}`, {
      hint: 'e.g. `steward notify send --event deploy_rolled_back --app api --reason "health gate failed"`',
    });
  }
  if (!opts.app || !opts.reason) {
    throw new StewardError('E_USAGE', 'notify send needs --app and --reason', {
      hint: 'e.g. `steward notify send --event deploy_rolled_back --app api --reason "health gate failed"`',
    });
  }
  const params: NotifyEmitParams = { event, app: opts.app, reason: opts.reason };
  if (opts.id !== undefined) params.pm_id = intOption('--id', opts.id);
  if (opts.exitCode !== undefined) params.exit_code = intOption('--exit-code', opts.exitCode);
  const c = await ctx.connect();
  const r = await c.call('notifyEmit', params);
  ctx.info(
    r.queued ? `queued a ${event} message for ${opts.app}` : 'no notify channel is configured: nothing sent',
  );
}

function intOption(flag: string, v: string): number {
  const n = Number(v);
  if (!Number.isInteger(n))
    throw new StewardError('E_USAGE', `${flag}: expected a whole number, got "${v}"`, {
      hint: `e.g. ${flag} 0`,
    });
  return n;
}

async function status(ctx: CliContext, json: boolean): Promise<void> {
  const c = await ctx.connect();
  const s = await c.call('notifyStatus', {});
  if (json) {
    ctx.out(JSON.stringify(s, null, 2));
    return;
  }
  if (s.channels.length === 0) ctx.out('no notify channel is configured (docs/notifications.md)');
  for (const ch of s.channels) ctx.out(channelLine(ch));
}

function channelLine(ch: NotifyStatusResult['channels'][number]): string {
  const parts = [`${ch.channel}: ${ch.configured ? ch.state : 'not configured'}`, `sent ${ch.sent}`];
  if (ch.queued > 0) parts.push(`queued ${ch.queued}`);
  if (ch.dropped > 0) parts.push(`dropped ${ch.dropped}`);
  if (ch.last_error && ch.state !== 'ok')
    parts.push(`last error ${ch.last_error} at ${new Date(ch.last_error_at ?? 0).toISOString()}`);
  if (ch.next_attempt_at) parts.push(`next attempt ${new Date(ch.next_attempt_at).toISOString()}`);
  return parts.join(', ');
}

/** For `steward show`: the channels that are not delivering, if any (nothing otherwise). */
export async function notifyProblems(c: Client): Promise<string[]> {
  const s = await c.call('notifyStatus', {});
  return s.channels.filter((ch) => ch.configured && (ch.state !== 'ok' || ch.queued > 0)).map(channelLine);
}
