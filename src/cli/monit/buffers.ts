import { clean } from './text.js';

/**
 * What the dashboard remembers between polls, each bounded whatever the apps do: a minute of cpu and
 * memory samples per process, and the last lines of output per process.
 */

export const HISTORY_SAMPLES = 60;
export const LOG_LINES_PER_APP = 200;
/** Longer lines are cut when stored: the pane is never wider than a terminal. */
export const LOG_LINE_MAX = 512;

export interface Series {
  cpu: number[];
  memory: number[];
}

/** cpu % and memory of each pm_id, one sample per `list` poll. */
export class History {
  private readonly series = new Map<number, Series>();

  push(rows: ReadonlyArray<{ pm_id: number; cpu: number; memory: number }>): void {
    const live = new Set<number>();
    for (const r of rows) {
      live.add(r.pm_id);
      let s = this.series.get(r.pm_id);
      if (!s) this.series.set(r.pm_id, (s = { cpu: [], memory: [] }));
      s.cpu.push(r.cpu);
      s.memory.push(r.memory);
      if (s.cpu.length > HISTORY_SAMPLES) {
        s.cpu.shift();
        s.memory.shift();
      }
    }
    for (const id of this.series.keys()) if (!live.has(id)) this.series.delete(id);
  }

  get(pm_id: number): Series {
    return this.series.get(pm_id) ?? { cpu: [], memory: [] };
  }
}

export interface LogLine {
  text: string;
  err: boolean;
  /** When the daemon read it (ms), 0 when unknown. */
  at: number;
}

interface AppLog {
  lines: LogLine[];
  /** Unfinished last line per stream, shown as it grows. */
  partial: { out: string; err: string };
  /** Changes on every new line: the view redraws the log pane only when it moved. */
  version: number;
  /** The tail of the log files has been read once (on first selection). */
  primed: boolean;
}

/** The last LOG_LINES_PER_APP lines of each process, from the daemon's `log` notifications. */
export class LogBuffer {
  private readonly apps = new Map<number, AppLog>();

  private app(pm_id: number): AppLog {
    let a = this.apps.get(pm_id);
    if (!a) {
      a = { lines: [], partial: { out: '', err: '' }, version: 0, primed: false };
      this.apps.set(pm_id, a);
    }
    return a;
  }

  /** Adds a raw chunk of output (any number of lines, possibly ending mid-line). */
  push(pm_id: number, type: 'out' | 'err', data: string, at: number): void {
    const a = this.app(pm_id);
    const parts = (a.partial[type] + data).split('\n');
    a.partial[type] = (parts.pop() ?? '').slice(-LOG_LINE_MAX * 4);
    // A burst of thousands of lines: only the last ones can ever be shown.
    const keep = parts.length > LOG_LINES_PER_APP ? parts.slice(-LOG_LINES_PER_APP) : parts;
    for (const p of keep)
      a.lines.push({
        text: clean(p.slice(0, LOG_LINE_MAX * 4)).slice(0, LOG_LINE_MAX),
        err: type === 'err',
        at,
      });
    if (a.lines.length > LOG_LINES_PER_APP) a.lines.splice(0, a.lines.length - LOG_LINES_PER_APP);
    a.version += 1;
  }

  /**
   * Puts lines read from the log files before the live ones, skipping those the live stream already
   * brought (written at or after the first live line).
   */
  prime(pm_id: number, past: LogLine[]): void {
    const a = this.app(pm_id);
    a.primed = true;
    const firstLive = a.lines[0]?.at ?? Infinity;
    const older = past.filter((l) => l.at === 0 || l.at < firstLive);
    if (older.length === 0) return;
    a.lines = [...older.map((l) => ({ ...l, text: clean(l.text).slice(0, LOG_LINE_MAX) })), ...a.lines].slice(
      -LOG_LINES_PER_APP,
    );
    a.version += 1;
  }

  isPrimed(pm_id: number): boolean {
    return this.apps.get(pm_id)?.primed ?? false;
  }

  version(pm_id: number): number {
    return this.apps.get(pm_id)?.version ?? 0;
  }

  /** The last `n` lines, oldest first, unfinished lines included. */
  tail(pm_id: number, n: number): LogLine[] {
    const a = this.apps.get(pm_id);
    if (!a || n <= 0) return [];
    const out = [...a.lines];
    for (const type of ['out', 'err'] as const) {
      const p = a.partial[type];
      if (p) out.push({ text: clean(p).slice(0, LOG_LINE_MAX), err: type === 'err', at: 0 });
    }
    return out.slice(-n);
  }

  /** Forgets processes that are gone. */
  retain(ids: ReadonlySet<number>): void {
    for (const id of this.apps.keys()) if (!ids.has(id)) this.apps.delete(id);
  }
}
