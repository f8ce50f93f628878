import { html } from 'htm/preact';
import { useEffect, useState } from 'preact/hooks';
import { ApiError, call, enc } from './api.js';
import { Chart } from './chart.js';
import { bytes, dateTime, duration } from './format.js';
import { LogsView } from './logs-view.js';
import { perform, processAction } from './outcome.js';
import { useStore } from './store.js';
import { StatusBadge } from './table-view.js';

interface Ring {
  step_ms: number;
  start: number;
  series: Record<string, Array<number | null>>;
}
interface History {
  pm_id: number;
  name: string;
  fine: Ring;
  coarse: Ring;
}
interface HistoryEntry {
  at: number;
  event: string;
  reason?: string;
  pid?: number;
  exit_code?: number;
  signal?: string;
}
interface Entry {
  pm_id: number;
  pm2_env: {
    axm_monitor?: Record<string, { value: unknown; unit?: string }>;
    axm_actions?: Array<{ action_name: string }>;
  };
  steward?: { history?: HistoryEntry[] };
}

/** How often the charts and details of the open app are fetched again. */
const REFRESH_MS = 5000;

const SERIES: Array<{ key: string; title: string; unit: string; scale?: number }> = [
  { key: 'cpu', title: 'CPU', unit: '%' },
  { key: 'memory', title: 'Memory', unit: ' MB', scale: 1 / 1048576 },
  { key: 'loop_lag', title: 'Event-loop lag', unit: ' ms' },
  { key: 'heap', title: 'Heap used', unit: ' MiB' },
  { key: 'http_rate', title: 'HTTP rate', unit: '/min' },
  { key: 'http_latency', title: 'HTTP latency (mean)', unit: ' ms' },
];

/** One app: its instances, actions, charts of the last hour, restart history, agent metrics, logs. */
export function AppView({ name, admin }: { name: string; admin: boolean }) {
  const st = useStore();
  const [hist, setHist] = useState<History[]>([]);
  const [details, setDetails] = useState<Entry[]>([]);
  const [range, setRange] = useState<'fine' | 'coarse'>('fine');
  const [error, setError] = useState('');
  const [env, setEnv] = useState<Array<{ pm_id: number; env: Record<string, string> }> | null>(null);
  const [scaleTo, setScaleTo] = useState('');

  useEffect(() => {
    let live = true;
    const load = () => {
      Promise.all([
        call<History[]>('GET', `/api/processes/${enc(name)}/history`),
        call<Entry[]>('GET', `/api/processes/${enc(name)}`),
      ])
        .then(([h, d]) => {
          if (!live) return;
          setHist(h);
          setDetails(d);
          setError('');
        })
        .catch(
          (e: unknown) =>
            live &&
            setError(e instanceof ApiError ? `${e.message}${e.hint ? ` (${e.hint})` : ''}` : String(e)),
        );
    };
    load();
    const t = setInterval(load, REFRESH_MS);
    return () => {
      live = false;
      clearInterval(t);
    };
  }, [name]);

  const rows = st.rows.filter((r) => r.name === name);
  const labels = hist.map((h) => `id ${h.pm_id}`);
  const chartData = (key: string, scale = 1) => {
    const first = hist[0]?.[range];
    if (!first) return [[]];
    const n = first.series.cpu?.length ?? 0;
    const xs = Array.from({ length: n }, (_, k) => (first.start + k * first.step_ms) / 1000);
    return [
      xs,
      ...hist.map((h) =>
        (h[range].series[key] ?? new Array<null>(n).fill(null)).map((v) => (v === null ? null : v * scale)),
      ),
    ];
  };
  const hasAgent = hist.some((h) => h.fine.series.loop_lag !== undefined);
  const history = details
    .flatMap((d) => (d.steward?.history ?? []).map((h) => ({ ...h, pm_id: d.pm_id })))
    .sort((a, b) => b.at - a.at)
    .slice(0, 50);
  const metrics = details[0]?.pm2_env.axm_monitor ?? {};
  const actions = details[0]?.pm2_env.axm_actions ?? [];
  const act = (a: string) => html`<button onClick=${() => void processAction(a, name)}>${a}</button>`;

  return html`<section aria-labelledby="app-title">
    <p><a href="#/">← all processes</a></p>
    <div class="toolbar">
      <h1 id="app-title">${name}</h1>
      ${
        admin
          ? html`<div class="actions" role="group" aria-label="Actions">
              ${['restart', 'reload', 'stop', 'start', 'reset', 'flush', 'delete'].map(act)}
              <form
                class="inline"
                onSubmit=${(e: Event) => {
                  e.preventDefault();
                  if (scaleTo)
                    void perform(`scale ${name} ${scaleTo}`, `/api/processes/${enc(name)}/scale`, {
                      instances: scaleTo,
                    });
                }}
              >
                <input
                  size="4"
                  aria-label="Instances (4, +1, -1)"
                  placeholder="4, +1"
                  value=${scaleTo}
                  onInput=${(e: Event) => setScaleTo((e.target as HTMLInputElement).value)}
                />
                <button type="submit">scale</button>
              </form>
            </div>`
          : html`<span class="badge">read-only</span>`
      }
    </div>
    ${error ? html`<p class="error" role="alert">${error}</p>` : null}
    <div class="scroll">
      <table class="procs">
        <thead>
          <tr>
            <th>id</th>
            <th>status</th>
            <th class="num">pid</th>
            <th class="num">cpu</th>
            <th class="num">memory</th>
            <th class="num">restarts</th>
            <th class="num">uptime</th>
          </tr>
        </thead>
        <tbody>
          ${rows.map(
            (r) =>
              html`<tr key=${r.pm_id}>
                <td>${r.pm_id}</td>
                <td><${StatusBadge} status=${r.status} /></td>
                <td class="num">${r.pid || ''}</td>
                <td class="num">${r.cpu}%</td>
                <td class="num">${bytes(r.memory)}</td>
                <td class="num" data-col="restarts">${r.restart_time}</td>
                <td class="num">${r.status === 'online' ? duration(st.at - r.pm_uptime) : ''}</td>
              </tr>`,
          )}
        </tbody>
      </table>
    </div>

    <div class="toolbar">
      <h2>Charts</h2>
      <div role="group" aria-label="Time range">
        <button aria-pressed=${range === 'fine'} onClick=${() => setRange('fine')}>2 min</button>
        <button aria-pressed=${range === 'coarse'} onClick=${() => setRange('coarse')}>1 hour</button>
      </div>
    </div>
    <div class="charts">
      ${SERIES.filter((s) => hasAgent || s.key === 'cpu' || s.key === 'memory').map(
        (s) =>
          html`<${Chart}
            key=${s.key}
            title=${s.title}
            unit=${s.unit}
            labels=${labels}
            data=${chartData(s.key, s.scale)}
          />`,
      )}
    </div>
    ${hasAgent ? null : html`<p class="muted">Event-loop lag, heap and HTTP charts appear for Node apps with the agent.</p>`}

    <div class="cols">
      <section aria-labelledby="h-title">
        <h2 id="h-title">Restart history</h2>
        <div class="scroll">
          <table class="history">
            <thead>
              <tr>
                <th>when</th>
                <th>id</th>
                <th>event</th>
                <th>reason</th>
                <th>exit</th>
              </tr>
            </thead>
            <tbody>
              ${history.map(
                (h, k) =>
                  html`<tr key=${k}>
                    <td>${dateTime(h.at)}</td>
                    <td>${h.pm_id}</td>
                    <td>${h.event}</td>
                    <td>${h.reason ?? ''}</td>
                    <td>${h.exit_code !== undefined ? `code ${h.exit_code}` : (h.signal ?? '')}</td>
                  </tr>`,
              )}
            </tbody>
          </table>
        </div>
      </section>
      <section aria-labelledby="m-title">
        <h2 id="m-title">Metrics</h2>
        ${
          Object.keys(metrics).length === 0
            ? html`<p class="muted">No agent metrics (Node apps report them through the agent).</p>`
            : html`<table>
                <tbody>
                  ${Object.entries(metrics).map(
                    ([k, m]) =>
                      html`<tr key=${k}>
                        <th scope="row">${k}</th>
                        <td class="num">${String(m.value)} ${m.unit ?? ''}</td>
                      </tr>`,
                  )}
                </tbody>
              </table>`
        }
        ${
          actions.length > 0
            ? html`<h3>Actions</h3>
                <div class="actions">
                  ${actions.map(
                    (a) =>
                      html`<button
                        disabled=${!admin}
                        onClick=${() => void perform(`trigger ${a.action_name}`, `/api/processes/${enc(name)}/actions/${enc(a.action_name)}`, {})}
                      >
                        ${a.action_name}
                      </button>`,
                  )}
                </div>`
            : null
        }
        ${
          admin
            ? html`<h3>Environment</h3>
                ${
                  env === null
                    ? html`<button
                        onClick=${() => void call<Array<{ pm_id: number; env: Record<string, string> }>>('GET', `/api/processes/${enc(name)}/env`).then(setEnv)}
                      >
                        show environment values
                      </button>`
                    : html`<button onClick=${() => setEnv(null)}>hide</button> ${env.map(
                          (e) =>
                            html`<table key=${e.pm_id} class="env">
                              <caption>
                                id ${e.pm_id}
                              </caption>
                              <tbody>
                                ${Object.entries(e.env).map(
                                  ([k, v]) =>
                                    html`<tr key=${k}>
                                      <th scope="row">${k}</th>
                                      <td>${v}</td>
                                    </tr>`,
                                )}
                              </tbody>
                            </table>`,
                        )}`
                }`
            : null
        }
      </section>
    </div>
    <${LogsView} target=${name} />
  </section>`;
}
