import { spawn, type ChildProcess, type SpawnOptions } from 'node:child_process';
import { StewardError } from '../common/errors.js';
import { describeTarget, sshDestination, type SshTarget } from './target.js';

/** How to call the system `ssh`. Everything is the user's own SSH set-up plus these options. */
export interface SshOptions {
  /** Private key file (`-i`), PM2's deploy `key`. */
  key?: string | undefined;
  /** Extra options: PM2's deploy `ssh_options` ("StrictHostKeyChecking=no" or ["A=b", "C=d"]). */
  options?: readonly string[] | undefined;
  /** An ssh_config file (`-F`), mostly for tests and unusual set-ups. */
  configFile?: string | undefined;
  /** Seconds before giving up on an unreachable host (ssh's ConnectTimeout; default 10). */
  connectTimeout?: number | undefined;
  /**
   * A ControlMaster socket path pattern (ssh's ControlPath, e.g. `<dir>/%C`). Several commands to one
   * host then share one connection and one authentication; the master stays 60 s after the last use.
   */
  controlPath?: string | undefined;
}

/** ssh's own -o option names as PM2 writes them in ssh_options: "Key=value" or "Key value". */
export function normalizeSshOptions(raw: string | readonly string[] | undefined): string[] {
  if (raw === undefined) return [];
  const list = typeof raw === 'string' ? [raw] : raw;
  return list.map((o) => o.trim()).filter((o) => o.length > 0);
}

/**
 * The argv for `ssh` running `remoteCommand` on `target`. BatchMode: never ask for a password or a
 * host key confirmation on a terminal a script may not have; an unknown host or a refused key is an
 * error with ssh's reason instead.
 */
export function sshArgs(target: SshTarget, opts: SshOptions, remoteCommand: string | undefined): string[] {
  const args: string[] = [];
  if (opts.configFile) args.push('-F', opts.configFile);
  args.push('-o', 'BatchMode=yes', '-o', `ConnectTimeout=${opts.connectTimeout ?? 10}`);
  if (opts.controlPath) {
    args.push('-o', 'ControlMaster=auto', '-o', `ControlPath=${opts.controlPath}`, '-o', 'ControlPersist=60');
  }
  if (opts.key) args.push('-i', opts.key);
  if (target.port) args.push('-p', String(target.port));
  for (const o of opts.options ?? []) args.push('-o', o);
  args.push('--', sshDestination(target));
  if (remoteCommand !== undefined) args.push(remoteCommand);
  return args;
}

/** Spawns the system ssh. The caller owns the child (stdio, exit). */
export function spawnSsh(
  target: SshTarget,
  opts: SshOptions,
  remoteCommand: string | undefined,
  spawnOptions: SpawnOptions = {},
): ChildProcess {
  return spawn('ssh', sshArgs(target, opts, remoteCommand), spawnOptions);
}

/**
 * ssh exits 255 when it could not connect or authenticate; its last stderr line says why
 * ("Connection refused", "Permission denied (publickey)", "Host key verification failed.").
 * Any other exit code is the remote command's own.
 */
export function sshFailure(target: SshTarget, code: number | null, stderr: string): StewardError | undefined {
  if (code !== 255) return undefined;
  const lines = stderr
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l.length > 0 && !l.startsWith('Warning: Permanently added'));
  const reason = lines.at(-1) ?? 'ssh exited 255';
  return new StewardError('E_SSH', `cannot reach ${describeTarget(target)} over SSH: ${reason}`, {
    hint: 'check the host, port, user and key with: ssh -o BatchMode=yes <user@host> true',
  });
}

/** Quotes one word for a POSIX shell on the remote side (ssh joins argv into one shell command). */
export function shellQuote(word: string): string {
  if (/^[A-Za-z0-9_./:=@%+-]+$/.test(word)) return word;
  return `'${word.replace(/'/g, `'\\''`)}'`;
}
