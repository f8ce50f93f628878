import { html } from 'htm/preact';
import { useEffect, useRef } from 'preact/hooks';
import type uPlot from 'uplot';

/** One time-series chart (uPlot on a canvas): x in seconds, one line per instance. */
export interface ChartProps {
  title: string;
  unit: string;
  /** [times in s, ...one array per line] */
  data: Array<Array<number | null>>;
  labels: string[];
}

const COLORS = ['#3b82f6', '#f59e0b', '#10b981', '#ef4444', '#8b5cf6', '#ec4899', '#14b8a6', '#84cc16'];

/**
 * uPlot is half the page's code and only the app view draws charts: it is loaded (a separate chunk)
 * when the first chart appears, so that the table renders sooner.
 */
let uplot: Promise<typeof uPlot> | undefined;
function loadUplot(): Promise<typeof uPlot> {
  uplot ??= import('uplot').then((m) => m.default);
  return uplot;
}

function css(name: string): string {
  return getComputedStyle(document.documentElement).getPropertyValue(name).trim() || '#888';
}

/** 12000 → 12k, 2500 → 2.5k, 0.25 → 0.25: axis labels stay narrow. */
function compact(v: number): string {
  if (Math.abs(v) >= 1e6) return `${+(v / 1e6).toFixed(1)}M`;
  if (Math.abs(v) >= 1e3) return `${+(v / 1e3).toFixed(1)}k`;
  return String(+v.toFixed(2));
}

export function Chart({ title, unit, data, labels }: ChartProps) {
  const box = useRef<HTMLDivElement>(null);
  const plot = useRef<uPlot | null>(null);
  const shape = labels.join('\u0000');
  // The data of the last render, for a chart created after uPlot has loaded.
  const latest = useRef(data);
  latest.current = data;
  useEffect(() => {
    const el = box.current;
    if (!el) return;
    const axis = {
      stroke: css('--muted'),
      grid: { stroke: css('--grid'), width: 1 },
      ticks: { show: false },
    };
    const opts: uPlot.Options = {
      width: Math.max(240, el.clientWidth),
      height: 160,
      legend: { show: labels.length > 1 },
      cursor: { drag: { x: false, y: false } },
      scales: { x: { time: true }, y: { range: (_u, _min, max) => [0, max > 0 ? max * 1.1 : 1] } },
      axes: [axis, { ...axis, size: 56, values: (_u, vals) => vals.map((v) => `${compact(v)}${unit}`) }],
      series: [
        {},
        ...labels.map((label, k) => ({
          label,
          stroke: COLORS[k % COLORS.length] ?? '#3b82f6',
          width: 1.5,
          spanGaps: false,
        })),
      ],
    };
    let gone = false;
    let cleanup: (() => void) | undefined;
    void loadUplot().then((UPlot) => {
      if (gone) return;
      const p = new UPlot(opts, latest.current as uPlot.AlignedData, el);
      plot.current = p;
      const ro = new ResizeObserver(() => p.setSize({ width: Math.max(240, el.clientWidth), height: 160 }));
      ro.observe(el);
      cleanup = () => {
        ro.disconnect();
        p.destroy();
      };
    });
    return () => {
      gone = true;
      cleanup?.();
      plot.current = null;
    };
    // Rebuilt only when the lines change; new data goes through setData below.
  }, [shape, unit]);
  useEffect(() => {
    plot.current?.setData(data as uPlot.AlignedData);
  }, [data]);
  return html`<figure class="chart">
    <figcaption>${title}</figcaption>
    <div ref=${box} role="img" aria-label=${`${title} chart`}></div>
  </figure>`;
}
