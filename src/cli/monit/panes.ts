import type { ProcSummary } from '../../protocol/methods.js';
import type { History, LogBuffer } from './buffers.js';
import type { Details } from './details.js';
import type { Model } from './model.js';
import type { Style } from './style.js';
import { fit, shortBytes, shortCpu, shortDuration, sparkline, textWidth } from './text.js';

/**
 * The three panes (process list, details, log), each drawn as `height` rows of exactly `width`
 * cells. Every piece of text is fitted to its column first and coloured after, so widths never
 * depend on escape sequences.
 */

type Paint = (s: string) => string;

export class Row {
  private out = '';
  private used = 0;
  constructor(
    private readonly width: number,
    private readonly ellipsis: string,
  ) {}

  /** `text` in a column of `w` cells (cut to what is left of the row). */
  cell(text: string, w: number, paint?: Paint, align: 'left' | 'right' = 'left'): this {
    const room = Math.min(w, this.width - this.used);
    if (room <= 0) return this;
    const t = fit(text, room, align, this.ellipsis);
    this.out += paint ? paint(t) : t;
    this.used += room;
    return this;
  }

  text(s: string, paint?: Paint): this {
    return this.cell(s, textWidth(s), paint);
  }

  /** Fills the rest of the row with `ch`. */
  done(ch = ' ', paint?: Paint): string {
    const rest = this.width - this.used;
    if (rest > 0) this.out += paint ? paint(ch.repeat(rest)) : ch.repeat(rest);
    this.used = this.width;
    return this.out;
  }
}

/** A pane's title bar: `── title ─────`. */
export function titleBar(title: string, width: number, st: Style): string {
  const h = st.glyphs.hline;
  return new Row(width, st.glyphs.ellipsis)
    .text(h + h, st.muted)
    .text(` ${title} `, st.bold)
    .done(h, st.muted);
}

function statusPaint(status: string, st: Style): Paint {
  if (status === 'online') return st.good;
  if (status === 'launching' || status === 'waiting restart' || status === 'stopping') return st.warn;
  if (status === 'stopped') return st.muted;
  return st.bad;
}

const SHORT_STATUS: Record<string, string> = { 'waiting restart': 'waiting', launching: 'launch' };

/**
 * Memory sparklines span the window's min..max, but at least 5% of the max: a steady app draws a
 * flat line at the bottom, and a leak a rising one.
 */
function memRange(v: number[]): [number, number] {
  const hi = Math.max(0, ...v);
  const lo = Math.min(hi, ...v);
  return [lo, Math.max(hi, lo + hi * 0.05)];
}

export interface ListGeometry {
  height: number;
  width: number;
}

/** The process list: a header row, then one row per visible process from `model.listTop`. */
export function listPane(model: Model, history: History, g: ListGeometry, st: Style): string[] {
  const { width, height } = g;
  const ell = st.glyphs.ellipsis;
  const idW = Math.max(2, ...model.visible.map((p) => String(p.pm_id).length));
  // marker, id, status, cpu, mem, restarts and the spaces between them
  const fixed = 2 + idW + 1 + 8 + 1 + 5 + 1 + 6 + 1 + 3;
  let sw = Math.min(20, Math.floor((width - fixed - 12) / 2) - 1);
  if (sw < 4) sw = 0;
  const nameW = Math.max(4, width - fixed - 1 - (sw > 0 ? 2 * (sw + 1) : 0));

  const head = new Row(width, ell)
    .cell('', 2)
    .cell('id', idW, st.bold, 'right')
    .cell('', 1)
    .cell('name', nameW, st.bold)
    .cell('', 1)
    .cell('status', 8, st.bold)
    .cell('', 1)
    .cell('cpu', 5, st.bold, 'right')
    .cell('', 1);
  if (sw > 0) head.cell('', sw + 1);
  head.cell('mem', 6, st.bold, 'right').cell('', 1);
  if (sw > 0) head.cell('', sw + 1);
  const rows = [head.cell(st.glyphs.restarts, 3, st.bold, 'right').done()];

  const items = height - 1;
  for (let i = 0; i < items; i += 1) {
    const p = model.visible[model.listTop + i];
    rows.push(p ? procRow(p, p.pm_id === model.selected) : ' '.repeat(width));
  }
  return rows;

  function procRow(p: ProcSummary, selected: boolean): string {
    const s = history.get(p.pm_id);
    const r = new Row(width, ell)
      .cell(selected ? '>' : ' ', 2, st.bold)
      .cell(String(p.pm_id), idW, undefined, 'right')
      .cell('', 1)
      .cell(p.name, nameW, st.accent)
      .cell('', 1)
      .cell(SHORT_STATUS[p.status] ?? p.status, 8, statusPaint(p.status, st))
      .cell('', 1)
      .cell(shortCpu(p.cpu), 5, undefined, 'right')
      .cell('', 1);
    if (sw > 0) r.cell(sparkline(s.cpu, sw, 0, Math.max(5, ...s.cpu), st.glyphs), sw, st.accent).cell('', 1);
    r.cell(shortBytes(p.memory), 6, undefined, 'right').cell('', 1);
    if (sw > 0) {
      const [lo, hi] = memRange(s.memory);
      r.cell(sparkline(s.memory, sw, lo, hi, st.glyphs), sw, st.good).cell('', 1);
    }
    const line = r.cell(String(p.restart_time), 3, p.restart_time > 0 ? st.warn : undefined, 'right').done();
    return selected ? st.inverse(line) : line;
  }
}

/** Details of the selected process: live fields from its list row, the rest from `describe`. */
export function detailsPane(
  p: ProcSummary | undefined,
  d: Details | undefined,
  g: ListGeometry,
  now: number,
  st: Style,
): string[] {
  const { width, height } = g;
  const ell = st.glyphs.ellipsis;
  if (!p) return pad([titleBar('details', width, st), fit(' no process selected', width)], g);
  const running = p.status === 'online' || p.status === 'launching';
  const dot = ` ${st.glyphs.dot} `;
  const title = `${p.name}${dot}id ${p.pm_id}${p.namespace === 'default' ? '' : `${dot}${p.namespace}`}`;
  const pairs: Array<[string, string, Paint?]> = [
    ['status', p.status, statusPaint(p.status, st)],
    ['pid', running ? String(p.pid) : '-'],
    ['uptime', running && p.pm_uptime > 0 ? shortDuration(now - p.pm_uptime) : '-'],
    ['restarts', String(p.restart_time)],
    ['cpu', shortCpu(p.cpu)],
    ['memory', shortBytes(p.memory)],
    ['mode', d ? `${d.mode} ${d.interpreter}` : p.exec_mode === 'cluster_mode' ? 'cluster' : 'fork'],
    ['unstable', d ? String(d.unstableRestarts) : '-'],
  ];
  const lines = [titleBar(title, width, st)];
  const longRow = (label: string, value: string) =>
    new Row(width, ell)
      .cell(` ${label}`, 10, st.muted)
      .cell(value, width - 10)
      .done();
  // Two label/value pairs per line when there is room.
  const perLine = width >= 44 ? 2 : 1;
  const colW = Math.floor(width / perLine);
  for (let i = 0; i < pairs.length; i += perLine) {
    const r = new Row(width, ell);
    for (const [label, value, paint] of pairs.slice(i, i + perLine))
      r.cell(` ${label}`, 10, st.muted).cell(value, colW - 10, paint);
    lines.push(r.done());
  }
  lines.push(longRow('script', p.pm_exec_path));
  // Metrics before paths: when the pane is short, the paths are what gets cut.
  // The heading only with room for at least one metric under it.
  if (d && d.metrics.length > 0 && lines.length + 2 <= height) {
    lines.push(new Row(width, ell).text(' metrics', st.bold).done());
    const nameW = Math.min(Math.max(...d.metrics.map((m) => textWidth(m.name))) + 2, Math.floor(width / 2));
    for (const m of d.metrics)
      lines.push(
        new Row(width, ell)
          .cell(`   ${m.name}`, nameW + 3, st.muted)
          .cell(m.value, width - nameW - 3)
          .done(),
      );
  }
  if (d) lines.push(longRow('cwd', d.cwd), longRow('out log', d.outLog), longRow('err log', d.errLog));
  return pad(lines, g);
}

/** How many rows the details pane wants (the layout gives it at most half of the height). */
export function detailsWanted(d: Details | undefined, width: number): number {
  const pairLines = width >= 44 ? 4 : 8;
  return 1 + pairLines + (d ? 4 : 1) + (d && d.metrics.length > 0 ? 1 + d.metrics.length : 0);
}

/** The selected process's last output lines, newest at the bottom. */
export function logPane(model: Model, logs: LogBuffer, g: ListGeometry, st: Style): string[] {
  const { width, height } = g;
  const p = model.selectedProc();
  const skipped = model.skipped > 0 ? ` (${model.skipped} chunks skipped: output too fast)` : '';
  const lines = [titleBar(p ? `output of ${p.name}${skipped}` : 'output', width, st)];
  if (p) {
    const tail = logs.tail(p.pm_id, height - 1);
    if (tail.length === 0) lines.push(st.muted(fit(' (no output yet)', width)));
    for (const l of tail) {
      const t = ' ' + fit(l.text, width - 1, 'left', st.glyphs.ellipsis);
      lines.push(l.err ? st.bad(t) : t);
    }
  }
  return pad(lines, g);
}

function pad(lines: string[], g: ListGeometry): string[] {
  const out = lines.slice(0, g.height);
  while (out.length < g.height) out.push(' '.repeat(g.width));
  return out;
}
