import { StewardError } from '../../common/errors.js';
import type { CliContext } from '../context.js';

/** `steward trigger <target> <action> [param]`: runs an action the app declared (@pm2/io or steward/agent). */
export async function trigger(
  ctx: CliContext,
  target: string,
  action: string,
  param: string | undefined,
): Promise<void> {
  const c = await ctx.connect();
  const replies = await c.call('trigger', {
    targets: [target],
    cwd: process.cwd(),
    action,
    ...(param === undefined ? {} : { params: param }),
    timeout_ms: 10_000,
  });
  let failed = 0;
  for (const r of replies) {
    if (r.ok)
      ctx.out(
        `${r.pm_id}|${r.name} ${action}: ${typeof r.return === 'string' ? r.return : JSON.stringify(r.return)}`,
      );
    else {
      failed += 1;
      process.stderr.write(`[steward] ${r.pm_id}|${r.name} ${action}: ${r.error ?? 'failed'}\n`);
    }
  }
  if (failed === replies.length) {
    throw new StewardError('E_APP_NOT_FOUND', `action ${action} failed on every process`, {
      hint: 'see the errors above, and `steward logs` of the app',
    });
  }
}

/** `steward sendSignal <signal> <target>`. */
export async function sendSignal(ctx: CliContext, signal: string, target: string): Promise<void> {
  const c = await ctx.connect();
  const res = await c.call('sendSignal', {
    targets: [target],
    cwd: process.cwd(),
    signal: signal.toUpperCase(),
  });
  ctx.info(`sent ${signal.toUpperCase()} to ${res.ids.join(', ')}`);
}

/** `steward send <target> <line>`: writes a line to the app's stdin. */
export async function sendLine(ctx: CliContext, target: string, line: string[]): Promise<void> {
  const c = await ctx.connect();
  const res = await c.call('sendLine', { targets: [target], cwd: process.cwd(), line: line.join(' ') });
  ctx.info(`sent to ${res.ids.join(', ')}`);
}
