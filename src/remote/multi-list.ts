import { Client } from '../client/client.js';
import { isStewardError, messageOf, StewardError } from '../common/errors.js';
import type { ProcSummary } from '../protocol/methods.js';
import type { CliContext } from '../cli/context.js';
import { renderList, sortProcs } from '../cli/output/list.js';
import type { Endpoint } from './endpoint.js';

/**
 * `steward ls --context web1,web2`: the lists of several hosts in one table with a host column,
 * fetched in parallel. An unreachable host is one error line and a non-zero exit; the others show.
 */
export async function multiList(ctx: CliContext, eps: Endpoint[], opts: { sort?: string }): Promise<void> {
  const results = await Promise.allSettled(
    eps.map(async (ep) => {
      const c = await Client.connect(ep.host === undefined ? {} : { host: ep.host, remote: ep });
      try {
        return await c.call('list', {});
      } finally {
        c.close();
      }
    }),
  );
  const procs: ProcSummary[] = [];
  const hosts: string[] = [];
  let failure: StewardError | undefined;
  results.forEach((r, n) => {
    const name = eps[n]?.name ?? '?';
    if (r.status === 'fulfilled') {
      for (const p of sortProcs(r.value, opts.sort)) {
        procs.push(p);
        hosts.push(name);
      }
    } else {
      const e = r.reason as unknown;
      failure ??= isStewardError(e) ? e : new StewardError('E_DAEMON_UNREACHABLE', messageOf(e));
      process.stderr.write(`[steward] ${name}: ${messageOf(e)}\n`);
    }
  });
  ctx.out(renderList(procs, Date.now(), hosts));
  if (failure) process.exitCode = failure.exitCode;
}
