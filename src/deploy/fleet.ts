import { messageOf } from '../common/errors.js';

/**
 * Many hosts: at most `parallel` at a time, optionally one canary first (alone, health-checked,
 * then the rest). The first failure stops hosts that have not started; those already running
 * finish (each rolls itself back if it fails). Every host ends in the summary.
 */
export interface FleetOptions {
  parallel: number;
  canary: boolean;
  /** True once hosts not started must be skipped (an interrupted deploy). */
  stop?: () => boolean;
}

export type HostResult<T> =
  | { label: string; status: 'ok'; value: T; seconds: number }
  | { label: string; status: 'failed'; error: unknown; seconds: number }
  | { label: string; status: 'skipped'; seconds: 0 };

export async function runFleet<T>(
  labels: string[],
  opts: FleetOptions,
  job: (label: string, index: number) => Promise<T>,
): Promise<Array<HostResult<T>>> {
  const results: Array<HostResult<T> | undefined> = labels.map(() => undefined);
  let stopped = false;
  const runOne = async (i: number) => {
    const label = labels[i] ?? '';
    if (stopped || opts.stop?.()) {
      results[i] = { label, status: 'skipped', seconds: 0 };
      return;
    }
    const t0 = performance.now();
    const seconds = () => Math.round((performance.now() - t0) / 100) / 10;
    try {
      const value = await job(label, i);
      results[i] = { label, status: 'ok', value, seconds: seconds() };
    } catch (error) {
      stopped = true;
      results[i] = { label, status: 'failed', error, seconds: seconds() };
    }
  };
  const queue = labels.map((_, i) => i);
  if (opts.canary && queue.length > 1) await runOne(queue.shift() ?? 0);
  const workers = Array.from({ length: Math.max(1, Math.min(opts.parallel, queue.length)) }, async () => {
    for (let i = queue.shift(); i !== undefined; i = queue.shift()) await runOne(i);
  });
  await Promise.all(workers);
  return results.map((r, i) => r ?? { label: labels[i] ?? '', status: 'skipped', seconds: 0 });
}

/** The per-host summary table: host, release, result, seconds. */
export function summaryTable<T extends { release?: string; note?: string }>(
  results: Array<HostResult<T>>,
): string {
  const rows = results.map((r) => [
    r.label,
    r.status === 'ok' ? (r.value.release ?? '-') : '-',
    r.status === 'ok'
      ? (r.value.note ?? 'ok')
      : r.status === 'failed'
        ? `failed: ${firstLine(r.error, r.label)}`
        : 'skipped (an earlier host failed)',
    r.status === 'skipped' ? '-' : r.seconds.toFixed(1),
  ]);
  const head = ['host', 'release', 'result', 'seconds'];
  const widths = head.map((h, c) =>
    Math.max(h.length, ...rows.map((r) => (c === 2 ? 0 : (r[c] ?? '').length))),
  );
  const fmt = (r: string[]) =>
    [r[0]?.padEnd(widths[0] ?? 0), r[1]?.padEnd(widths[1] ?? 0), r[3]?.padStart(widths[3] ?? 0), r[2]].join(
      '  ',
    );
  return [fmt([head[0] ?? '', head[1] ?? '', head[2] ?? '', head[3] ?? '']), ...rows.map(fmt)].join('\n');
}

function firstLine(e: unknown, label: string): string {
  const m = messageOf(e).split('\n')[0] ?? '';
  // The host is the row's first column already.
  return m.startsWith(`${label}: `) ? m.slice(label.length + 2) : m;
}
