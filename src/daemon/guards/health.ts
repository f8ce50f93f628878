import { spawn } from 'node:child_process';
import type { AppConfig } from '../../config/app-config.js';
import { probe } from '../lifecycle/readiness.js';

export type HealthCheck = NonNullable<AppConfig['health']>;

export interface HealthState {
  /** Consecutive failed checks. */
  failures: number;
  lastError: string | null;
}

export type HealthResult = { ok: true } | { ok: false; reason: string };

/** One check's effect on the state; `restart` holds the reason when the app must be restarted. */
export function healthStep(
  cfg: HealthCheck,
  st: HealthState,
  res: HealthResult,
): { state: HealthState; restart: string | null } {
  if (res.ok) return { state: { failures: 0, lastError: null }, restart: null };
  const failures = st.failures + 1;
  if (failures >= cfg.failure_threshold) {
    return {
      state: { failures: 0, lastError: res.reason },
      restart: `health check failed ${failures} time${failures > 1 ? 's' : ''} in a row (${cfg.type} ${cfg.target}: ${res.reason})`,
    };
  }
  return { state: { failures, lastError: res.reason }, restart: null };
}

/** Runs one check: HTTP (expected status, or any < 400), TCP connect, or a command (exit 0). */
export function runCheck(cfg: HealthCheck, cwd: string, env: Record<string, string>): Promise<HealthResult> {
  if (cfg.type === 'command') {
    return new Promise((resolve) => {
      const child = spawn('/bin/sh', ['-c', cfg.target], { cwd, env, stdio: 'ignore', detached: true });
      const timer = setTimeout(() => {
        try {
          process.kill(-(child.pid ?? 0), 'SIGKILL');
        } catch {
          // gone
        }
        resolve({ ok: false, reason: `timed out after ${cfg.timeout}ms` });
      }, cfg.timeout);
      child.once('error', (e) => {
        clearTimeout(timer);
        resolve({ ok: false, reason: e.message });
      });
      child.once('exit', (code, signal) => {
        clearTimeout(timer);
        resolve(
          code === 0
            ? { ok: true }
            : { ok: false, reason: signal ? `killed by ${signal}` : `exit code ${code}` },
        );
      });
    });
  }
  if (cfg.type === 'tcp') {
    return probe(`tcp://${cfg.target}`, cfg.timeout).then((ok) =>
      ok ? { ok: true } : { ok: false, reason: 'no connection' },
    );
  }
  return httpCheck(cfg);
}

async function httpCheck(cfg: HealthCheck): Promise<HealthResult> {
  const ctrl = new AbortController();
  const timer = setTimeout(() => ctrl.abort(), cfg.timeout);
  try {
    const res = await fetch(cfg.target, { signal: ctrl.signal, redirect: 'manual' });
    await res.body?.cancel();
    const good = cfg.expect_status.length > 0 ? cfg.expect_status.includes(res.status) : res.status < 400;
    return good ? { ok: true } : { ok: false, reason: `status ${res.status}` };
  } catch (e) {
    return {
      ok: false,
      reason: ctrl.signal.aborted ? `no answer within ${cfg.timeout}ms` : (e as Error).message,
    };
  } finally {
    clearTimeout(timer);
  }
}

/**
 * Checks one process periodically (after `initial_delay`, every `interval`), and asks for a restart
 * after `failure_threshold` failures in a row. One runner per process: a restarted process gets a
 * new runner, and with it a new initial delay.
 */
export class HealthRunner {
  private state: HealthState = { failures: 0, lastError: null };
  private timer: NodeJS.Timeout | undefined;
  private stopped = false;

  constructor(
    private readonly cfg: HealthCheck,
    private readonly cwd: string,
    private readonly env: Record<string, string>,
    private readonly onRestart: (reason: string) => void,
    private readonly onResult: (res: HealthResult) => void = () => undefined,
  ) {}

  start(): void {
    this.timer = setTimeout(() => void this.tick(), this.cfg.initial_delay || this.cfg.interval);
    this.timer.unref();
  }

  private async tick(): Promise<void> {
    if (this.stopped) return;
    const res = await runCheck(this.cfg, this.cwd, this.env);
    if (this.stopped) return;
    this.onResult(res);
    const step = healthStep(this.cfg, this.state, res);
    this.state = step.state;
    if (step.restart) {
      this.stop();
      this.onRestart(step.restart);
      return;
    }
    this.timer = setTimeout(() => void this.tick(), this.cfg.interval);
    this.timer.unref();
  }

  get lastError(): string | null {
    return this.state.lastError;
  }

  stop(): void {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
  }
}
