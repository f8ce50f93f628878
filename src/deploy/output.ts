import { appendFileSync, chmodSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { resolveHome } from '../common/paths.js';

/**
 * Where a deploy's output goes: the terminal, every line prefixed with its host's name (hosts run
 * in parallel), and a local deploy log, `$STEWARD_HOME/deploy/<env>.log` (0600 in a 0700
 * directory), with a timestamp per line. Secrets never reach it: the scripts are not printed, and
 * the remote process list (which holds env values) is parsed, never shown.
 */
export class DeployOutput {
  readonly logFile: string;
  private width = 0;

  constructor(envName: string, env: NodeJS.ProcessEnv = process.env) {
    const dir = join(resolveHome(env), 'deploy');
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    this.logFile = join(dir, `${envName.replace(/[^A-Za-z0-9_.-]/g, '_')}.log`);
    this.log(`---- steward deploy ${process.argv.slice(2).join(' ')}`);
    chmodSync(this.logFile, 0o600);
  }

  /** Aligns the prefixes of all hosts. */
  setHosts(labels: string[]): void {
    this.width = Math.max(0, ...labels.map((l) => l.length));
  }

  /** A line the host printed. */
  host(label: string, line: string, stream: 'out' | 'err' = 'out'): void {
    const text = `[${label.padEnd(this.width)}] ${line}\n`;
    (stream === 'err' ? process.stderr : process.stdout).write(text);
    this.log(text.trimEnd());
  }

  /** Steward's own line about a host (`[web1] release …`). */
  say(label: string, line: string): void {
    this.host(label, `» ${line}`);
  }

  /** A line not tied to a host (the summary). */
  plain(line: string): void {
    process.stdout.write(`${line}\n`);
    this.log(line);
  }

  log(line: string): void {
    try {
      appendFileSync(this.logFile, `${new Date().toISOString()} ${line}\n`, { mode: 0o600 });
    } catch {
      // the log is a convenience; the deploy goes on without it
    }
  }
}
