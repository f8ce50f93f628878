import type { Client } from '../../client/client.js';
import { messageOf, StewardError } from '../../common/errors.js';
import type { ProcSummary } from '../../protocol/methods.js';
import { History, LogBuffer } from './buffers.js';
import { opPending, pastLines, refuseOp, runOp } from './daemon-calls.js';
import { parseDetails } from './details.js';
import { actionOf, type Action, type Key, type Op } from './keys.js';
import { Model } from './model.js';
import type { Style } from './style.js';
import type { Terminal } from './terminal.js';
import { renderFrame } from './view.js';

/**
 * The dashboard's loop. What it costs the daemon is fixed whatever the screen does: one `list` per
 * second, one `describe` of the selected process per second (and once when the selection settles),
 * one `logInfo` the first time a process is selected, and the `logs` stream. Frames are drawn on
 * change, at most one per FRAME_MS; the terminal gets only the rows that changed.
 */
export interface MonitDeps {
  client: Client;
  terminal: Terminal;
  style: Style;
  cwd: string;
  now?: () => number;
}

export const POLL_MS = 1000;
export const FRAME_MS = 100;
/** The selection must rest this long before its details are fetched (holding ↓ through 100 apps). */
const SETTLE_MS = 120;

interface LogMessage {
  pm_id: number;
  type: 'out' | 'err';
  data: string;
  at: number;
}

export class Monit {
  readonly model = new Model();
  readonly history = new History();
  readonly logs = new LogBuffer();
  private readonly now: () => number;
  private readonly disposers: Array<() => void> = [];
  private polling = false;
  private lastSample = 0;
  private lastFrame = 0;
  private frameTimer: NodeJS.Timeout | undefined;
  private settleTimer: NodeJS.Timeout | undefined;
  private readonly primeAsked = new Set<number>();
  private finish: (err?: unknown) => void = () => undefined;

  constructor(private readonly d: MonitDeps) {
    this.now = d.now ?? Date.now;
  }

  /** Runs until the user quits (resolves) or the daemon goes away (rejects). */
  run(): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      let finished = false;
      this.finish = (err?: unknown) => {
        if (finished) return;
        finished = true;
        this.stop();
        if (err === undefined) resolve();
        else reject(err instanceof Error ? err : new Error(messageOf(err)));
      };
      this.start().catch((e: unknown) => this.finish(e));
    });
  }

  private async start(): Promise<void> {
    const { client, terminal } = this.d;
    this.disposers.push(client.onNotification((m, p) => this.onNotification(m, p)));
    await client.call('subscribe', { topics: ['logs'], frames: true });
    await this.poll();
    terminal.enter();
    this.disposers.push(
      () => terminal.leave(),
      terminal.onKey((str, key) => this.guard(() => this.onKey(str, key))),
      terminal.onResize(() => {
        terminal.invalidate();
        this.invalidate();
      }),
    );
    const timer = setInterval(() => void this.poll(), POLL_MS);
    this.disposers.push(() => clearInterval(timer));
    for (const sig of ['SIGTERM', 'SIGHUP', 'SIGINT'] as const) {
      const quit = () => this.finish();
      process.on(sig, quit);
      this.disposers.push(() => process.off(sig, quit));
    }
    void client.waitClosed().then(() =>
      this.finish(
        new StewardError('E_DAEMON_UNREACHABLE', 'the daemon went away', {
          hint: 'see STEWARD_HOME/daemon.log; any command starts it again',
        }),
      ),
    );
    this.selectionChanged();
    this.draw();
  }

  private stop(): void {
    clearTimeout(this.frameTimer);
    clearTimeout(this.settleTimer);
    for (const d of this.disposers.splice(0).reverse()) d();
  }

  /** An exception in a callback ends the dashboard cleanly instead of leaving the terminal raw. */
  private guard(fn: () => void): void {
    try {
      fn();
    } catch (e) {
      this.finish(e);
    }
  }

  private onNotification(method: string, params: unknown): void {
    if (method === 'missed') {
      this.model.skipped += (params as { count: number }).count;
      this.invalidate();
      return;
    }
    if (method !== 'log') return;
    const m = params as LogMessage;
    this.logs.push(m.pm_id, m.type, m.data, m.at);
    if (m.pm_id === this.model.selected) this.invalidate();
  }

  private async poll(): Promise<void> {
    if (this.polling) return;
    this.polling = true;
    try {
      const sel = this.model.selected;
      const [rows] = await Promise.all([this.d.client.call('list', {}), this.describe(sel)]);
      this.applyList(rows);
    } catch (e) {
      // The connection closing is handled by waitClosed; anything else is shown and retried.
      this.model.notify(messageOf(e), true, this.now());
    } finally {
      this.polling = false;
    }
    this.invalidate();
  }

  private applyList(rows: ProcSummary[]): void {
    const before = this.model.selected;
    this.model.setProcs(rows);
    // An extra poll after an action must not squeeze the sparklines' time axis.
    if (this.now() - this.lastSample >= POLL_MS * 0.9) {
      this.history.push(rows);
      this.lastSample = this.now();
    }
    this.logs.retain(new Set(rows.map((r) => r.pm_id)));
    if (this.model.selected !== before) this.selectionChanged();
  }

  private async describe(pm_id: number | undefined): Promise<void> {
    if (pm_id === undefined) return;
    let entries: unknown[] = [];
    try {
      entries = await this.d.client.call('describe', { targets: [String(pm_id)], cwd: this.d.cwd });
    } catch {
      // deleted meanwhile: the next list drops it
    }
    // An id can also be some app's name or namespace: pick the entry by id.
    const entry = entries.find((e) => (e as { pm_id?: unknown }).pm_id === pm_id);
    if (this.model.selected === pm_id) this.model.details = parseDetails(entry);
  }

  private selectionChanged(): void {
    clearTimeout(this.settleTimer);
    const id = this.model.selected;
    if (id === undefined) return;
    this.settleTimer = setTimeout(() => {
      void this.describe(id).then(() => this.invalidate());
      void this.prime(id);
    }, SETTLE_MS);
  }

  /** The first time a process is selected, its log pane starts with the end of its log files. */
  private async prime(pm_id: number): Promise<void> {
    if (this.primeAsked.has(pm_id)) return;
    this.primeAsked.add(pm_id);
    this.logs.prime(pm_id, await pastLines(this.d.client, pm_id, this.d.cwd));
    if (this.model.selected === pm_id) this.invalidate();
  }

  private onKey(str: string | undefined, key: Key | undefined): void {
    const a = actionOf(this.model.mode, str, key);
    if (!a) return;
    const before = this.model.selected;
    this.apply(a);
    if (this.model.selected !== before) this.selectionChanged();
    this.invalidate();
  }

  private apply(a: Action): void {
    const m = this.model;
    switch (a.kind) {
      case 'move':
        return m.move(a.by);
      case 'page':
        return m.move(a.dir * m.pageSize);
      case 'edge':
        return m.edge(a.to);
      case 'op':
        return void this.op(a.op);
      case 'filter-open':
        m.mode = 'filter';
        return;
      case 'filter-type':
        return m.setFilter(m.filter + a.text);
      case 'filter-erase':
        return m.setFilter([...m.filter].slice(0, -1).join(''));
      case 'filter-keep':
        m.mode = 'normal';
        return;
      case 'filter-clear':
        m.mode = 'normal';
        return m.setFilter('');
      case 'redraw':
        return this.d.terminal.invalidate();
      case 'suspend':
        return this.suspend();
      case 'quit':
        return this.finish();
    }
  }

  private async op(op: Op): Promise<void> {
    const p = this.model.selectedProc();
    if (!p) return;
    const refused = refuseOp(op, p, this.model.procs);
    if (refused) return this.model.notify(refused, true, this.now());
    this.model.notify(opPending(op, p), false, this.now(), 60_000);
    this.invalidate();
    const outcome = await runOp(this.d.client, op, p, this.d.cwd);
    this.model.notify(outcome.text, outcome.error, this.now());
    await this.poll();
  }

  /** Ctrl-Z: give the terminal back, stop; redraw everything when continued. */
  private suspend(): void {
    const t = this.d.terminal;
    t.leave();
    process.once('SIGCONT', () => {
      t.enter();
      this.invalidate();
    });
    process.kill(process.pid, 'SIGTSTP');
  }

  /** Asks for a frame: drawn at once if the last one is older than FRAME_MS, else when it is. */
  private invalidate(): void {
    if (this.frameTimer) return;
    const wait = Math.max(0, this.lastFrame + FRAME_MS - this.now());
    this.frameTimer = setTimeout(() => {
      this.frameTimer = undefined;
      this.guard(() => this.draw());
    }, wait);
  }

  private draw(): void {
    const t = this.d.terminal;
    this.lastFrame = this.now();
    const frame = renderFrame({
      model: this.model,
      history: this.history,
      logs: this.logs,
      cols: t.cols,
      rows: t.rows,
      now: this.lastFrame,
      style: this.d.style,
    });
    t.draw(frame);
  }
}
