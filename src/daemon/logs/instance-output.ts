import type { AppConfig } from '../../config/app-config.js';
import { LineFormatter, type StreamType } from './formatter.js';
import type { LogFiles } from './log-files.js';
import type { RotationPolicy } from './log-file.js';

export interface OutputPaths {
  out: string | null;
  err: string | null;
  combined: string | null;
}

/** Global defaults of rotation, overridden per app (`steward set log_max_size 50M`). */
export interface LogSettings {
  log_max_size: number;
  log_retain: number;
  log_compress: boolean;
  log_rotate_interval: string | null;
  /** Prometheus endpoint (0 = off) and the address it binds. */
  prometheus_port: number;
  prometheus_host: string;
}

export const DEFAULT_LOG_SETTINGS: LogSettings = {
  log_max_size: 100 * 1024 * 1024,
  log_retain: 5,
  log_compress: false,
  log_rotate_interval: null,
  prometheus_port: 0,
  prometheus_host: '127.0.0.1',
};

export function rotationPolicy(cfg: AppConfig, s: LogSettings): RotationPolicy {
  return {
    maxSize: cfg.log_max_size ?? s.log_max_size,
    retain: cfg.log_retain ?? s.log_retain,
    compress: cfg.log_compress ?? s.log_compress,
    interval: cfg.log_rotate_interval ?? s.log_rotate_interval,
  };
}

export type BusSink = (type: StreamType, chunk: Buffer, at: number) => void;

/** One process's stdout/stderr on their way to the files (formatted) and the live bus (raw). */
export class InstanceOutput {
  private readonly fmt: Record<StreamType, LineFormatter>;
  private readonly held: string[] = [];

  constructor(
    private readonly files: LogFiles,
    private readonly paths: OutputPaths,
    cfg: AppConfig,
    pmId: number,
    policy: RotationPolicy,
    private readonly bus: BusSink | undefined,
    private readonly disabled: boolean,
  ) {
    const opts = { dateFormat: cfg.log_date_format, json: cfg.log_type === 'json', pmId, name: cfg.name };
    this.fmt = { out: new LineFormatter('out', opts), err: new LineFormatter('err', opts) };
    if (disabled) return;
    for (const p of [paths.out, paths.err, paths.combined]) {
      if (p === null) continue;
      files.acquire(p, policy);
      this.held.push(p);
    }
  }

  /** Writes a chunk of output; true when a file is behind and reading should wait (`whenWritten`). */
  write(type: StreamType, chunk: Buffer): boolean {
    if (this.disabled) return false;
    const at = Date.now();
    const data = this.fmt[type].format(chunk, at);
    const path = type === 'out' ? this.paths.out : this.paths.err;
    let behind = false;
    if (path !== null) behind = this.files.write(path, data, at);
    if (this.paths.combined !== null) behind = this.files.write(this.paths.combined, data, at) || behind;
    this.bus?.(type, chunk, at);
    return behind;
  }

  /** Calls `done` once none of this process's files is behind (see LogFile.whenWritten). */
  whenWritten(done: () => void): void {
    const files = this.held
      .map((p) => this.files.get(p))
      .filter((f): f is NonNullable<typeof f> => f?.behind === true);
    let left = files.length;
    if (left === 0) return done();
    for (const f of files)
      f.whenWritten(() => {
        left -= 1;
        if (left === 0) done();
      });
  }

  /** A note of Steward's own in the error log (spawn failures and the like). */
  note(text: string): void {
    const at = Date.now();
    const path = this.paths.err ?? this.paths.combined;
    if (path !== null && !this.disabled) this.files.write(path, Buffer.from(`[steward] ${text}\n`), at);
  }

  /** Writes what the formatters held back (a partial JSON line) and lets the files go. */
  close(): void {
    const at = Date.now();
    for (const type of ['out', 'err'] as const) {
      const rest = this.fmt[type].flush(at);
      if (rest.length === 0) continue;
      const path = type === 'out' ? this.paths.out : this.paths.err;
      if (path !== null) this.files.write(path, rest, at);
      if (this.paths.combined !== null) this.files.write(this.paths.combined, rest, at);
    }
    for (const p of this.held.splice(0)) this.files.release(p);
  }
}
