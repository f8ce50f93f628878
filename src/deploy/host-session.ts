import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { sshArgs, sshFailure, spawnSsh, type SshOptions } from '../ssh/command.js';
import type { SshTarget } from '../ssh/target.js';
import { MARKER } from './prelude.js';

/** A marker line from the remote side: `::steward:: <kind> <fields…>`. */
export interface Marker {
  kind: string;
  fields: string[];
}

export interface StepResult {
  code: number;
  markers: Marker[];
  /** stdout when the step was run with `capture` (else empty). */
  stdout: string;
}

/** Where a host's output goes: one line at a time, already without markers. */
export type LineSink = (line: string, stream: 'out' | 'err') => void;

/**
 * One host during one deploy: every step is a bash script sent over the same SSH connection (a
 * ControlMaster in a private temporary directory, closed by `close()`), run in a login shell so
 * that `node`/`npm`/`steward` installed with nvm are on PATH. The script goes on stdin, so it is
 * never on a command line; the remote side reads it whole before running it, so a hook that reads
 * stdin gets end-of-file instead of the rest of the script.
 */
export class HostSession {
  private readonly controlDir: string;
  private readonly ssh: SshOptions;

  constructor(
    readonly target: SshTarget,
    ssh: SshOptions,
    private readonly sink: LineSink,
  ) {
    // Private (0700 from mkdtemp): whoever can reach the control socket can use the connection.
    this.controlDir = mkdtempSync(join(tmpdir(), 'stw-ssh-'));
    this.ssh = { ...ssh, controlPath: join(this.controlDir, '%C') };
  }

  /**
   * Opens the shared connection (quietly: an unreachable host or a refused key is one E_SSH line
   * with ssh's reason, not ssh's own output as well).
   */
  async connect(): Promise<void> {
    await this.run('true', { quiet: true });
  }

  /**
   * Runs one step. Output lines go to the sink (stdout too unless `capture`); marker lines are
   * collected. An SSH failure (exit 255: unreachable host, refused key) throws E_SSH.
   */
  run(script: string, opts: { capture?: boolean; quiet?: boolean } = {}): Promise<StepResult> {
    const child = spawnSsh(this.target, this.ssh, `bash -lc 'eval "$(cat)"'`, {
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    const markers: Marker[] = [];
    let stdout = '';
    let stderr = '';
    const out = createInterface({ input: child.stdout! });
    out.on('line', (line) => {
      if (line.startsWith(`${MARKER} `)) {
        const [kind = '', ...fields] = line.slice(MARKER.length + 1).split('\t');
        markers.push({ kind, fields });
      } else if (opts.capture) stdout += line + '\n';
      else if (!opts.quiet) this.sink(line, 'out');
    });
    const err = createInterface({ input: child.stderr! });
    err.on('line', (line) => {
      stderr += line + '\n';
      // ssh's own noise about known hosts is not the host's output.
      if (!opts.quiet && !line.startsWith('Warning: Permanently added')) this.sink(line, 'err');
    });
    child.stdin!.on('error', () => undefined);
    child.stdin!.end(script);
    return new Promise((resolve, reject) => {
      child.on('error', reject);
      // 'close' (not 'exit'): every line has been read.
      child.on('close', (code) => {
        const failure = sshFailure(this.target, code, stderr);
        if (failure) reject(failure);
        else resolve({ code: code ?? 1, markers, stdout });
      });
    });
  }

  /** Ends the shared connection and removes its directory. */
  async close(): Promise<void> {
    const args = sshArgs(this.target, this.ssh, undefined);
    // `ssh -O exit <dest>` asks the master to end; without a master it just fails.
    const dest = args.indexOf('--');
    const exitArgs = [...args.slice(0, dest), '-O', 'exit', ...args.slice(dest)];
    await new Promise<void>((resolve) => {
      const c = spawn('ssh', exitArgs, { stdio: 'ignore' });
      c.on('error', () => resolve());
      c.on('close', () => resolve());
    });
    rmSync(this.controlDir, { recursive: true, force: true });
  }
}
