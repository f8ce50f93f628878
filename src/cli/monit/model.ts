import type { ProcSummary } from '../../protocol/methods.js';
import type { Details } from './details.js';

/**
 * The dashboard's state that keys and polls change: the process list, the name filter, which
 * process is selected (by pm_id, so that it stays selected when the list changes under it), the
 * details of that process, and a transient notice for the footer.
 */
export interface Notice {
  text: string;
  error: boolean;
  /** Shown until this time (ms). */
  until: number;
}

export class Model {
  procs: ProcSummary[] = [];
  /** `procs` through the filter, in list order. */
  visible: ProcSummary[] = [];
  selected: number | undefined;
  filter = '';
  mode: 'normal' | 'filter' = 'normal';
  /** First list row on screen; the view keeps the selection inside the window. */
  listTop = 0;
  /** Rows of the list window at the last frame: what PageUp/PageDown move by. */
  pageSize = 10;
  details: Details | undefined;
  notice: Notice | undefined;
  /** Output chunks the daemon skipped because this client read too slowly. */
  skipped = 0;
  /** The selection's index before the last change, to land nearby when the selected app goes away. */
  private lastIndex = 0;

  setProcs(rows: ProcSummary[]): void {
    this.procs = rows;
    this.refilter();
  }

  setFilter(text: string): void {
    this.filter = text;
    this.listTop = 0;
    this.refilter();
  }

  private refilter(): void {
    const f = this.filter.toLowerCase();
    this.visible = f ? this.procs.filter((p) => p.name.toLowerCase().includes(f)) : this.procs;
    const i = this.selectedIndex();
    if (i >= 0) this.lastIndex = i;
    else this.select(Math.min(this.lastIndex, this.visible.length - 1));
  }

  selectedIndex(): number {
    return this.selected === undefined ? -1 : this.visible.findIndex((p) => p.pm_id === this.selected);
  }

  selectedProc(): ProcSummary | undefined {
    return this.visible[this.selectedIndex()];
  }

  private select(index: number): void {
    const p = this.visible[Math.max(0, index)];
    this.selected = p?.pm_id;
    this.lastIndex = Math.max(0, index);
    if (this.details && this.details.pm_id !== this.selected) this.details = undefined;
  }

  /** Moves the selection by `by` rows, stopping at the ends. */
  move(by: number): void {
    if (this.visible.length === 0) return;
    const i = Math.max(0, this.selectedIndex());
    this.select(Math.min(this.visible.length - 1, Math.max(0, i + by)));
  }

  edge(to: 'first' | 'last'): void {
    if (this.visible.length > 0) this.select(to === 'first' ? 0 : this.visible.length - 1);
  }

  notify(text: string, error: boolean, now: number, forMs = 4000): void {
    this.notice = { text, error, until: now + forMs };
  }
}
