import { html } from 'htm/preact';
import { useState } from 'preact/hooks';
import type { Row } from './api.js';
import { bytes, duration } from './format.js';
import { processAction } from './outcome.js';
import { useStore } from './store.js';

type Key =
  | 'pm_id'
  | 'name'
  | 'exec_mode'
  | 'status'
  | 'pid'
  | 'cpu'
  | 'memory'
  | 'restart_time'
  | 'pm_uptime'
  | 'instances';

const COLUMNS: Array<{ key: Key; label: string; num?: boolean; narrow?: boolean }> = [
  { key: 'pm_id', label: 'id', num: true },
  { key: 'name', label: 'name' },
  { key: 'exec_mode', label: 'mode', narrow: true },
  { key: 'instances', label: 'inst.', num: true, narrow: true },
  { key: 'status', label: 'status' },
  { key: 'pid', label: 'pid', num: true, narrow: true },
  { key: 'cpu', label: 'cpu', num: true },
  { key: 'memory', label: 'memory', num: true },
  { key: 'restart_time', label: '↺', num: true },
  { key: 'pm_uptime', label: 'uptime', num: true, narrow: true },
];

export function StatusBadge({ status }: { status: string }) {
  return html`<span class=${`badge s-${status.replace(/\s+/g, '-')}`}>${status}</span>`;
}

/** The process table: every instance, sortable by any column, filtered by name, status or namespace. */
export function TableView({ admin }: { admin: boolean }) {
  const st = useStore();
  const [filter, setFilter] = useState('');
  const [sort, setSort] = useState<{ key: Key; desc: boolean }>({ key: 'pm_id', desc: false });
  const counts = new Map<string, number>();
  for (const r of st.rows) counts.set(r.name, (counts.get(r.name) ?? 0) + 1);
  const f = filter.trim().toLowerCase();
  const value = (r: Row, k: Key): string | number =>
    k === 'instances'
      ? (counts.get(r.name) ?? 0)
      : k === 'pm_uptime'
        ? r.status === 'online'
          ? -r.pm_uptime
          : 0
        : r[k];
  const rows = st.rows
    .filter(
      (r) =>
        !f ||
        r.name.toLowerCase().includes(f) ||
        r.status.includes(f) ||
        r.namespace.toLowerCase().includes(f),
    )
    .sort((a, b) => {
      const x = value(a, sort.key);
      const y = value(b, sort.key);
      const c = typeof x === 'number' && typeof y === 'number' ? x - y : String(x).localeCompare(String(y));
      return (sort.desc ? -c : c) || a.pm_id - b.pm_id;
    });
  const by = (key: Key) => setSort((s) => ({ key, desc: s.key === key ? !s.desc : false }));
  const online = st.rows.filter((r) => r.status === 'online').length;
  return html`<section aria-labelledby="t-title">
    <div class="toolbar">
      <h1 id="t-title">Processes <small>${online}/${st.rows.length} online</small></h1>
      <input
        type="search"
        placeholder="Filter by name, status, namespace"
        aria-label="Filter processes"
        value=${filter}
        onInput=${(e: Event) => setFilter((e.target as HTMLInputElement).value)}
      />
    </div>
    <div class="scroll">
      <table class="procs" data-testid="process-table">
        <thead>
          <tr>
            ${COLUMNS.map(
              (c) =>
                html`<th
                  class=${`${c.num ? 'num' : ''} ${c.narrow ? 'narrow' : ''}`}
                  aria-sort=${sort.key === c.key ? (sort.desc ? 'descending' : 'ascending') : 'none'}
                >
                  <button class="sort" onClick=${() => by(c.key)}>
                    ${c.label}${sort.key === c.key ? (sort.desc ? ' ▾' : ' ▴') : ''}
                  </button>
                </th>`,
            )}
            ${admin ? html`<th class="row-actions">actions</th>` : null}
          </tr>
        </thead>
        <tbody>
          ${rows.map(
            (r) =>
              html`<tr key=${r.pm_id} data-name=${r.name} data-id=${r.pm_id}>
                <td class="num">${r.pm_id}</td>
                <td><a href=${`#/app/${encodeURIComponent(r.name)}`}>${r.name}</a></td>
                <td class="narrow">${r.exec_mode === 'cluster_mode' ? 'cluster' : 'fork'}</td>
                <td class="num narrow">${counts.get(r.name)}</td>
                <td><${StatusBadge} status=${r.status} /></td>
                <td class="num narrow">${r.pid || ''}</td>
                <td class="num">${r.cpu}%</td>
                <td class="num">${bytes(r.memory)}</td>
                <td class="num" data-col="restarts">${r.restart_time}</td>
                <td class="num narrow">
                  ${r.status === 'online' && r.pm_uptime > 0 ? duration(st.at - r.pm_uptime) : ''}
                </td>
                ${admin ? html`<td class="actions row-actions"><${RowActions} row=${r} /></td>` : null}
              </tr>`,
          )}
        </tbody>
      </table>
      ${rows.length === 0 ? html`<p class="empty">${st.rows.length === 0 ? (st.connected ? 'No processes yet: `steward start app.js`' : 'Connecting…') : 'Nothing matches the filter.'}</p>` : null}
    </div>
  </section>`;
}

function RowActions({ row }: { row: Row }) {
  const t = String(row.pm_id);
  const running = row.status === 'online' || row.status === 'launching';
  const b = (action: string, label: string) =>
    html`<button
      onClick=${() => void processAction(action, t)}
      aria-label=${`${action} ${row.name} (id ${row.pm_id})`}
    >
      ${label}
    </button>`;
  return html`${b('restart', 'restart')} ${running ? b('stop', 'stop') : b('start', 'start')}
  ${b('reload', 'reload')} ${b('delete', 'delete')}`;
}
