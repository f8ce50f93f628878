import { emitKeypressEvents } from 'node:readline';
import type { Key } from './keys.js';

const CSI = '\u001b[';
/** Alternate screen, cursor hidden, line wrap off (a full-width last row must not scroll). */
const ENTER = `${CSI}?1049h${CSI}?25l${CSI}?7l`;
const LEAVE = `${CSI}0m${CSI}?7h${CSI}?25h${CSI}?1049l`;

/**
 * The terminal, owned for the dashboard's lifetime: raw keys, the alternate screen, and drawing
 * frames by rewriting only the rows that differ from the previous frame, in one write. `leave()`
 * restores everything and is safe to call any number of times (it also runs on process exit).
 */
export class Terminal {
  private prev: string[] = [];
  private active = false;
  private clear = true;
  /** A frame that waited for the terminal to drain. */
  private pending: string[] | undefined;
  private blocked = false;

  constructor(
    private readonly out: NodeJS.WriteStream,
    private readonly input: NodeJS.ReadStream,
  ) {}

  get cols(): number {
    return this.out.columns || 80;
  }

  get rows(): number {
    return this.out.rows || 24;
  }

  enter(): void {
    if (this.active) return;
    this.active = true;
    emitKeypressEvents(this.input);
    this.input.setRawMode(true);
    this.input.resume();
    this.out.write(ENTER);
    this.invalidate();
  }

  leave(): void {
    if (!this.active) return;
    this.active = false;
    this.out.write(LEAVE);
    this.input.setRawMode(false);
    this.input.pause();
  }

  /** The next frame clears the screen and writes every row (after a resize, Ctrl-L, resume). */
  invalidate(): void {
    this.prev = [];
    this.clear = true;
  }

  onKey(fn: (str: string | undefined, key: Key | undefined) => void): () => void {
    this.input.on('keypress', fn);
    return () => this.input.off('keypress', fn);
  }

  onResize(fn: () => void): () => void {
    this.out.on('resize', fn);
    return () => this.out.off('resize', fn);
  }

  /** Draws a frame; returns the bytes written (0 when nothing changed). */
  draw(rows: string[]): number {
    if (!this.active) return 0;
    if (this.blocked) {
      this.pending = rows;
      return 0;
    }
    let buf = this.clear ? `${CSI}2J` : '';
    for (let i = 0; i < rows.length; i += 1) {
      const row = rows[i] ?? '';
      if (!this.clear && this.prev[i] === row) continue;
      // Erasing the line first guards against a width guess (wide characters) that differs from the terminal's.
      buf += `${CSI}${i + 1};1H${CSI}2K${row}${CSI}0m`;
    }
    this.prev = rows;
    this.clear = false;
    if (buf === '') return 0;
    // A slow terminal (ssh over a bad link) must not pile frames up in memory: keep only the newest.
    if (!this.out.write(buf)) {
      this.blocked = true;
      this.out.once('drain', () => {
        this.blocked = false;
        const next = this.pending;
        this.pending = undefined;
        if (next) this.draw(next);
      });
    }
    return buf.length;
  }
}
