import type { History, LogBuffer } from './buffers.js';
import { KEY_HELP } from './keys.js';
import type { Model } from './model.js';
import { detailsPane, detailsWanted, listPane, logPane, Row } from './panes.js';
import type { Style } from './style.js';
import { fit, shortBytes, shortCpu } from './text.js';

/**
 * One frame of the dashboard as `rows` strings of exactly `cols` cells: a header, the panes, a
 * footer. Wide terminals (≥ 100 columns) put the list on the left and details over output on the
 * right; narrower ones stack list, details and output.
 */
export interface FrameInput {
  model: Model;
  history: History;
  logs: LogBuffer;
  cols: number;
  rows: number;
  now: number;
  style: Style;
}

export const MIN_COLS = 50;
export const MIN_ROWS = 12;
export const WIDE_COLS = 100;

export function renderFrame(f: FrameInput): string[] {
  const { cols, rows, style: st } = f;
  if (cols < MIN_COLS || rows < MIN_ROWS) {
    const msg = fit(` terminal too small (${cols}x${rows}); monit needs ${MIN_COLS}x${MIN_ROWS}`, cols);
    return [msg, ...Array.from({ length: Math.max(0, rows - 1) }, () => ' '.repeat(cols))];
  }
  const bodyH = rows - 2;
  const body: string[] = [];
  const selected = f.model.selectedProc();
  if (cols >= WIDE_COLS) {
    const listW = Math.max(58, Math.floor(cols * 0.55));
    const rightW = cols - listW - 1;
    const detailsH = Math.min(detailsWanted(f.model.details, rightW), Math.floor(bodyH * 0.6));
    scrollList(f.model, bodyH - 1);
    const list = listPane(f.model, f.history, { width: listW, height: bodyH }, st);
    const right = [
      ...detailsPane(selected, f.model.details, { width: rightW, height: detailsH }, f.now, st),
      ...logPane(f.model, f.logs, { width: rightW, height: bodyH - detailsH }, st),
    ];
    const sep = st.muted(st.glyphs.vline);
    for (let i = 0; i < bodyH; i += 1) body.push((list[i] ?? '') + sep + (right[i] ?? ''));
  } else {
    // As many rows as processes (not filtered ones: the layout must not jump while typing), up to 40%.
    const listH = Math.min(Math.max(4, f.model.procs.length + 1), Math.max(4, Math.floor(bodyH * 0.4)));
    const detailsH = Math.min(detailsWanted(f.model.details, cols), Math.floor((bodyH - listH) / 2));
    scrollList(f.model, listH - 1);
    body.push(
      ...listPane(f.model, f.history, { width: cols, height: listH }, st),
      ...detailsPane(selected, f.model.details, { width: cols, height: detailsH }, f.now, st),
      ...logPane(f.model, f.logs, { width: cols, height: bodyH - listH - detailsH }, st),
    );
  }
  return [header(f), ...body, footer(f)];
}

/** Keeps the selected row inside the list window of `items` rows. */
function scrollList(m: Model, items: number): void {
  m.pageSize = Math.max(1, items);
  const i = m.selectedIndex();
  if (i >= 0 && i < m.listTop) m.listTop = i;
  if (i >= m.listTop + items) m.listTop = i - items + 1;
  m.listTop = Math.max(0, Math.min(m.listTop, m.visible.length - items));
}

function header(f: FrameInput): string {
  const { model: m, style: st } = f;
  const online = m.procs.filter((p) => p.status === 'online').length;
  const cpu = m.procs.reduce((n, p) => n + p.cpu, 0);
  const mem = m.procs.reduce((n, p) => n + p.memory, 0);
  const dot = ` ${st.glyphs.dot} `;
  let summary = `${m.procs.length} apps${dot}${online} online${dot}cpu ${shortCpu(cpu)}${dot}mem ${shortBytes(mem)}`;
  if (m.filter) summary += `${dot}filter "${m.filter}": ${m.visible.length} shown`;
  const clock = new Date(f.now).toTimeString().slice(0, 8);
  const r = new Row(f.cols, st.glyphs.ellipsis).text(' steward monit', st.bold).text('  ');
  return r
    .cell(summary, f.cols - 14 - 2 - clock.length - 2)
    .text(` ${clock}`, st.muted)
    .done();
}

function footer(f: FrameInput): string {
  const { model: m, style: st } = f;
  const r = new Row(f.cols, st.glyphs.ellipsis);
  if (m.mode === 'filter') {
    return r
      .text(' filter: ', st.bold)
      .text(m.filter)
      .text(' ', st.inverse)
      .text(`   Enter keep ${st.glyphs.dot} Esc clear ${st.glyphs.dot} ${st.glyphs.updown} select`, st.muted)
      .done();
  }
  if (m.notice && m.notice.until > f.now) {
    r.text(` ${m.notice.text}`, m.notice.error ? st.bad : st.good).text('   ');
  }
  for (const [keys, what] of KEY_HELP)
    r.text(` ${keys.replace('↑↓', st.glyphs.updown)}`, st.bold).text(` ${what} `, st.muted);
  if (m.filter) r.text(' Esc', st.bold).text(' clear filter', st.muted);
  return r.done();
}
