import { html } from 'htm/preact';
import { useEffect, useState } from 'preact/hooks';
import { ApiError, call, enc } from './api.js';

/**
 * What an action did, in the CLI's words: `restart api: done (ids 0, 1)` and its notes, or the
 * error and its hint. Shown in a live region (screen readers announce it), newest first.
 */
export interface Outcome {
  id: number;
  ok: boolean;
  text: string;
  detail: string[];
}

let next = 1;
let outcomes: Outcome[] = [];
const listeners = new Set<() => void>();

function push(o: Omit<Outcome, 'id'>): void {
  outcomes = [{ ...o, id: next++ }, ...outcomes].slice(0, 5);
  for (const l of listeners) l();
}

export function dismiss(id: number): void {
  outcomes = outcomes.filter((o) => o.id !== id);
  for (const l of listeners) l();
}

interface OpResult {
  ids?: number[];
  notes?: string[];
  failed?: Array<{ name: string; pm_id: number; reason: string; log_tail: string[] }>;
  files?: string[];
  count?: number;
}

function describe(label: string, r: OpResult | OpResult[]): Omit<Outcome, 'id'> {
  if (Array.isArray(r)) {
    // trigger: one answer per instance
    const bad = r.filter((x) => (x as { ok?: boolean }).ok === false);
    return {
      ok: bad.length === 0,
      text: `${label}: ${bad.length === 0 ? 'done' : 'failed'}`,
      detail: r.map((x) => {
        const t = x as { pm_id: number; name: string; ok: boolean; return?: unknown; error?: string };
        return `${t.name} (id ${t.pm_id}): ${t.ok ? JSON.stringify(t.return ?? null) : (t.error ?? 'failed')}`;
      }),
    };
  }
  const detail = [...(r.notes ?? [])];
  for (const f of r.failed ?? []) detail.push(`${f.name} (id ${f.pm_id}): ${f.reason}`, ...f.log_tail);
  if (r.files) detail.push(`${r.files.length} file(s) emptied`);
  const ids = r.ids && r.ids.length > 0 ? ` (id${r.ids.length > 1 ? 's' : ''} ${r.ids.join(', ')})` : '';
  const failed = (r.failed ?? []).length > 0;
  return { ok: !failed, text: `${label}: ${failed ? 'failed' : 'done'}${ids}`, detail };
}

/** Runs an API change and reports it; resolves true when it succeeded. */
export async function perform(label: string, path: string, body?: unknown): Promise<boolean> {
  try {
    const r = await call<OpResult | OpResult[]>('POST', path, body ?? {});
    const o = describe(label, r);
    push(o);
    return o.ok;
  } catch (e) {
    const err = e instanceof ApiError ? e : new ApiError(0, 'E_NETWORK', String(e), undefined);
    push({ ok: false, text: `${label}: ${err.message}`, detail: err.hint ? [`hint: ${err.hint}`] : [] });
    return false;
  }
}

export function processAction(action: string, target: string): Promise<boolean> {
  if (
    action === 'delete' &&
    !confirm(`Delete ${target}? Its processes are stopped and it leaves the list.`)
  ) {
    return Promise.resolve(false);
  }
  return perform(`${action} ${target}`, `/api/processes/${enc(target)}/${action}`);
}

export function Outcomes() {
  const [, setTick] = useState(0);
  useEffect(() => {
    const l = () => setTick((n) => n + 1);
    listeners.add(l);
    return () => listeners.delete(l);
  }, []);
  return html`<section class="outcomes" aria-live="polite" aria-label="Results of actions">
    ${outcomes.map(
      (o) =>
        html`<div class=${`outcome ${o.ok ? 'ok' : 'bad'}`} key=${o.id} data-testid="outcome">
          <strong>${o.ok ? '✓' : '✗'} ${o.text}</strong>
          ${o.detail.length > 0 ? html`<pre>${o.detail.join('\n')}</pre>` : null}
          <button class="link" onClick=${() => dismiss(o.id)} aria-label="Dismiss">×</button>
        </div>`,
    )}
  </section>`;
}
