import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { History, LogBuffer } from '../../../../src/cli/monit/buffers.js';
import { parseDetails } from '../../../../src/cli/monit/details.js';
import { Model } from '../../../../src/cli/monit/model.js';
import { makeStyle } from '../../../../src/cli/monit/style.js';
import { textWidth } from '../../../../src/cli/monit/text.js';
import { renderFrame, type FrameInput } from '../../../../src/cli/monit/view.js';
import { proc } from './support.js';

// eslint-disable-next-line no-control-regex
const strip = (s: string) => s.replace(/\u001b\[[0-9;?]*[A-Za-z]/g, '');
const NOW = Date.UTC(2026, 0, 1, 12, 0, 0);

function setup(apps = 3): FrameInput {
  const model = new Model();
  const rows = Array.from({ length: apps }, (_, i) =>
    proc(i, i === 1 ? 'chatty' : `app-${i}`, {
      cpu: i * 1.5,
      memory: (40 + i) * 1024 * 1024,
      pm_uptime: NOW - 65_000,
      restart_time: i,
    }),
  );
  model.setProcs(rows);
  const history = new History();
  for (let s = 0; s < 30; s += 1) history.push(rows.map((r) => ({ ...r, cpu: s % 7, memory: r.memory + s })));
  const logs = new LogBuffer();
  logs.push(1, 'out', 'hello from chatty\n', NOW);
  logs.push(1, 'err', 'an error line\n', NOW);
  return { model, history, logs, cols: 120, rows: 30, now: NOW, style: makeStyle(false, {}) };
}

function assertGrid(frame: string[], cols: number, rows: number): void {
  assert.equal(frame.length, rows);
  frame.forEach((r, i) => assert.equal(textWidth(strip(r)), cols, `row ${i}: ${JSON.stringify(strip(r))}`));
}

describe('monit view', () => {
  it('draws exactly cols x rows: list, details with metrics, the selected app output, footer keys', () => {
    const f = setup();
    f.model.move(1);
    f.model.details = parseDetails({
      pm_id: 1,
      name: 'chatty',
      pm2_env: { axm_monitor: { 'Heap Used': { value: 12.5, unit: 'MiB' } }, pm_cwd: '/srv' },
    });
    const frame = renderFrame(f);
    assertGrid(frame, 120, 30);
    const text = frame.map(strip).join('\n');
    assert.match(text, /^ steward monit {2}3 apps · 3 online/);
    assert.match(text, /\n> +1 chatty +online +1\.5%/);
    assert.match(text, /\n +0 app-0 +online/);
    assert.match(text, /── chatty · id 1 ─/);
    assert.match(text, /uptime +1m/);
    assert.match(text, /Heap Used +12\.5 MiB/);
    assert.match(text, /── output of chatty ─/);
    assert.match(text, /hello from chatty/);
    assert.match(text, /an error line/);
    assert.match(frame.at(-1) ?? '', /r.* restart .*s.* stop .*l.* reload .*\/.* filter .*q.* quit/);
  });

  it('scrolls the list to keep the selection visible with 100 apps', () => {
    const f = setup(100);
    f.model.edge('last');
    const frame = renderFrame(f);
    assertGrid(frame, 120, 30);
    const text = frame.map(strip).join('\n');
    assert.match(text, /\n> +99 app-99 /);
    assert.doesNotMatch(text, /\n +0 app-0 /);
  });

  it('stacks the panes in a narrow terminal and refuses a tiny one', () => {
    const f = { ...setup(), cols: 70, rows: 24 };
    assertGrid(renderFrame(f), 70, 24);
    const tiny = renderFrame({ ...f, cols: 30, rows: 8 });
    assertGrid(tiny, 30, 8);
    assert.match(strip(tiny[0] ?? ''), /too small/);
  });

  it('shows the filter prompt and the filtered count', () => {
    const f = setup();
    f.model.mode = 'filter';
    f.model.setFilter('chat');
    const text = renderFrame(f).map(strip).join('\n');
    assert.match(text, /filter "chat": 1 shown/);
    assert.match(text, /\n filter: chat {2}/);
    assert.doesNotMatch(text, /app-0/);
  });

  it('uses no colour without colours, but keeps reverse video for the selection', () => {
    const plain = renderFrame(setup()).join('');
    // eslint-disable-next-line no-control-regex
    const codes = new Set(plain.match(/\u001b\[[0-9;]*m/g));
    for (const c of codes) assert.ok(['\u001b[1m', '\u001b[22m', '\u001b[7m', '\u001b[27m'].includes(c), c);
    const coloured = renderFrame({ ...setup(), style: makeStyle(true, {}) }).join('');
    assert.ok(coloured.includes('\u001b[32monline'));
  });

  it('falls back to ASCII glyphs outside UTF-8', () => {
    const f = { ...setup(), style: makeStyle(false, { LANG: 'en_US.ISO-8859-1' }) };
    const text = renderFrame(f).map(strip).join('\n');
    assert.doesNotMatch(text, /[─│▁-█·↑↓]/);
  });
});
