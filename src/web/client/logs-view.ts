import { html } from 'htm/preact';
import { useEffect, useRef, useState } from 'preact/hooks';
import { call, enc } from './api.js';
import { time } from './format.js';
import { store, type LogLine } from './store.js';

/** Lines kept in the page; older ones fall off the top. */
const MAX_LINES = 2000;

/**
 * An app's output: the last lines of its files, then live lines from the event stream. Search
 * filters (and highlights), out/err filter, pause (lines keep arriving and show on resume).
 */
export function LogsView({ target }: { target: string }) {
  const [lines, setLines] = useState<LogLine[]>([]);
  const [search, setSearch] = useState('');
  const [stream, setStream] = useState<'all' | 'out' | 'err'>('all');
  const [paused, setPaused] = useState(false);
  const held = useRef<LogLine[]>([]);
  const pausedRef = useRef(false);
  const box = useRef<HTMLPreElement>(null);
  pausedRef.current = paused;

  useEffect(() => {
    let live: LogLine[] = [];
    let loaded = false;
    setLines([]);
    const add = (l: LogLine) => {
      if (!loaded || pausedRef.current) {
        (loaded ? held.current : live).push(l);
        return;
      }
      setLines((cur) => trim([...cur, l]));
    };
    store.logListeners.add(add);
    store.watchLogs(target);
    call<LogLine[]>('GET', `/api/processes/${enc(target)}/logs?lines=200`)
      .then((tail) => {
        loaded = true;
        setLines(trim([...tail, ...live]));
        live = [];
      })
      .catch(() => {
        loaded = true;
      });
    return () => {
      store.logListeners.delete(add);
      store.watchLogs(null);
    };
  }, [target]);

  useEffect(() => {
    if (!paused && held.current.length > 0) {
      const h = held.current;
      held.current = [];
      setLines((cur) => trim([...cur, ...h]));
    }
  }, [paused]);

  useEffect(() => {
    const el = box.current;
    if (el && !paused) el.scrollTop = el.scrollHeight;
  }, [lines, paused]);

  const q = search.toLowerCase();
  const shown = lines.filter(
    (l) => (stream === 'all' || l.type === stream) && (!q || l.text.toLowerCase().includes(q)),
  );
  return html`<section class="logs" aria-labelledby="logs-title">
    <div class="toolbar">
      <h2 id="logs-title">Logs</h2>
      <input
        type="search"
        placeholder="Search"
        aria-label="Search the logs"
        value=${search}
        onInput=${(e: Event) => setSearch((e.target as HTMLInputElement).value)}
      />
      <select
        aria-label="Which output"
        value=${stream}
        onChange=${(e: Event) => setStream((e.target as HTMLSelectElement).value as 'all' | 'out' | 'err')}
      >
        <option value="all">stdout + stderr</option>
        <option value="out">stdout</option>
        <option value="err">stderr</option>
      </select>
      <button aria-pressed=${paused} onClick=${() => setPaused((p) => !p)}>
        ${paused ? `resume (${held.current.length} new)` : 'pause'}
      </button>
      <button onClick=${() => setLines([])}>clear</button>
    </div>
    <pre class="log" ref=${box} tabindex="0" aria-label="Log lines" data-testid="log-view">
${shown.map(
        (l, k) =>
          html`<span key=${k} class=${l.type === 'err' ? 'err' : ''}
            ><span class="ts">${time(l.at)} ${l.name}|</span> ${highlight(l.text, q)}
          </span>`,
      )}</pre>
  </section>`;
}

function trim(l: LogLine[]): LogLine[] {
  return l.length > MAX_LINES ? l.slice(l.length - MAX_LINES) : l;
}

function highlight(text: string, q: string) {
  if (!q) return text;
  const i = text.toLowerCase().indexOf(q);
  if (i < 0) return text;
  return html`${text.slice(0, i)}<mark>${text.slice(i, i + q.length)}</mark>${text.slice(i + q.length)}`;
}
