import type { ReleaseRow } from './host-commands.js';
import type { DeployOutput } from './output.js';

/** `list`, `curr`, `prev` of one host: one line per release, `*` and `(live)` on the live one. */
export function printReleases(
  out: DeployOutput,
  label: string,
  path: string,
  rows: ReleaseRow[],
  kind: 'list' | 'curr' | 'prev',
): void {
  const live = rows.findIndex((r) => r.live);
  let shown = rows;
  if (kind === 'curr') shown = live >= 0 ? [rows[live] as ReleaseRow] : [];
  if (kind === 'prev') shown = live >= 1 ? [rows[live - 1] as ReleaseRow] : [];
  if (shown.length === 0) {
    out.host(
      label,
      kind === 'list' ? `no release in ${path}` : `no ${kind === 'curr' ? 'current' : 'previous'} release`,
    );
    return;
  }
  for (const r of shown)
    out.host(
      label,
      `${r.live ? '*' : ' '} ${r.name}  ${r.ref || '-'}  ${r.sha.slice(0, 12) || '-'}  ${r.time || '-'}${r.live ? '  (live)' : ''}`,
    );
}
