// A real OpenSSH server on 127.0.0.1 for the deploy and remote-control tests.
//
// Nothing here touches the real ~/.ssh or ~/.steward:
// - the server has its own host key, sshd_config, authorized_keys file and pid file in a temporary
//   directory, and listens on a free loopback port;
// - the client side gets an ssh_config file (`-F`) naming the key, the port and a known_hosts file of
//   its own, so `ssh -F <config> <alias>` needs nothing from the user's ~/.ssh;
// - the remote side's HOME is a temporary directory (sshd's SetEnv), so login profiles (nvm-style
//   PATH set-ups) are the test's own files and a remote `steward` uses STEWARD_HOME under it.
//
// OpenSSH reads ~/.ssh from the passwd entry, not $HOME: that is why every client path is explicit.
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import { BIN } from './helpers.js';

export const SSHD = ['/usr/sbin/sshd', '/usr/bin/sshd'].find((p) => existsSync(p));

/** Why the SSH tests cannot run here, or undefined when they can. */
export function sshSkipReason(): string | undefined {
  if (!SSHD) return 'no sshd (Debian package openssh-server; .ci/run installs it)';
  try {
    execFileSync('ssh', ['-V'], { stdio: 'ignore' });
  } catch {
    return 'no ssh client (Debian package openssh-client)';
  }
  return undefined;
}

export function freePort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      const port = typeof addr === 'object' && addr ? addr.port : 0;
      srv.close(() => resolvePort(port));
    });
  });
}

export interface SshServerOptions {
  /** Extra environment for every remote session (sshd's SetEnv), e.g. STEWARD_BIN. */
  env?: Record<string, string>;
}

/** One running sshd. `alias` is the Host name in `configFile`: `ssh -F configFile alias true` works. */
export class SshServer {
  readonly dir: string;
  /** The remote side's HOME (login profiles and the remote STEWARD_HOME live under it). */
  readonly remoteHome: string;
  readonly keyFile: string;
  readonly configFile: string;
  readonly knownHostsFile: string;
  readonly user = userInfo().username;
  readonly alias: string;
  port = 0;
  private proc: ChildProcess | undefined;
  private log = '';

  constructor(alias = 'stwhost') {
    this.alias = alias;
    // Short: the remote daemon's unix socket lives under remoteHome (107-byte limit).
    this.dir = mkdtempSync(join(tmpdir(), 'sshd-'));
    this.remoteHome = join(this.dir, 'h');
    mkdirSync(this.remoteHome, { mode: 0o700 });
    this.keyFile = join(this.dir, 'id_ed25519');
    this.configFile = join(this.dir, 'ssh_config');
    this.knownHostsFile = join(this.dir, 'known_hosts');
  }

  /** `user@127.0.0.1:port` style URL for `--host`. */
  get url(): string {
    return `ssh://${this.user}@127.0.0.1:${this.port}`;
  }

  /** ssh arguments that reach this server without the config file (for tools that take -o options). */
  get sshArgs(): string[] {
    return [
      '-i',
      this.keyFile,
      '-p',
      String(this.port),
      '-o',
      `UserKnownHostsFile=${this.knownHostsFile}`,
      '-o',
      'StrictHostKeyChecking=yes',
      '-o',
      'BatchMode=yes',
      '-o',
      'IdentitiesOnly=yes',
    ];
  }

  async start(opts: SshServerOptions = {}): Promise<void> {
    const hostKey = join(this.dir, 'ssh_host_ed25519_key');
    execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', hostKey]);
    execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', this.keyFile]);
    const authorized = join(this.dir, 'authorized_keys');
    writeFileSync(authorized, readFileSync(`${this.keyFile}.pub`), { mode: 0o600 });
    // sshd refuses to start without its privilege-separation directory.
    mkdirSync('/run/sshd', { recursive: true, mode: 0o755 });
    this.port = await freePort();
    const env = { HOME: this.remoteHome, ...opts.env };
    const setEnv = Object.entries(env)
      .map(([k, v]) => `${k}=${JSON.stringify(v)}`)
      .join(' ');
    const sshdConfig = join(this.dir, 'sshd_config');
    writeFileSync(
      sshdConfig,
      [
        `Port ${this.port}`,
        'ListenAddress 127.0.0.1',
        `HostKey ${hostKey}`,
        `PidFile ${join(this.dir, 'sshd.pid')}`,
        `AuthorizedKeysFile ${authorized}`,
        'PasswordAuthentication no',
        'KbdInteractiveAuthentication no',
        'PubkeyAuthentication yes',
        'PermitRootLogin prohibit-password',
        // The temporary directory is world-readable /tmp; the real check is the test's own files.
        'StrictModes no',
        'UsePAM no',
        'PrintMotd no',
        'LogLevel VERBOSE',
        'MaxStartups 100:30:200',
        'MaxSessions 100',
        `SetEnv ${setEnv}`,
        'Subsystem sftp internal-sftp',
        '',
      ].join('\n'),
    );
    const hostPub = readFileSync(`${hostKey}.pub`, 'utf8').trim().split(' ').slice(0, 2).join(' ');
    writeFileSync(this.knownHostsFile, `[127.0.0.1]:${this.port} ${hostPub}\n`);
    writeFileSync(
      this.configFile,
      [
        `Host ${this.alias}`,
        '  HostName 127.0.0.1',
        `  Port ${this.port}`,
        `  User ${this.user}`,
        `  IdentityFile ${this.keyFile}`,
        '  IdentitiesOnly yes',
        `  UserKnownHostsFile ${this.knownHostsFile}`,
        '  StrictHostKeyChecking yes',
        '  BatchMode yes',
        // The same server under its address too, for `ssh://user@127.0.0.1:port` URLs.
        'Host 127.0.0.1',
        `  IdentityFile ${this.keyFile}`,
        '  IdentitiesOnly yes',
        `  UserKnownHostsFile ${this.knownHostsFile}`,
        '  StrictHostKeyChecking yes',
        '  BatchMode yes',
        '',
      ].join('\n'),
    );
    chmodSync(this.configFile, 0o600);
    // -D: stay in the foreground so the test owns the process; -e: log to stderr.
    const proc = spawn(SSHD!, ['-D', '-e', '-f', sshdConfig], { stdio: ['ignore', 'ignore', 'pipe'] });
    this.proc = proc;
    proc.stderr?.on('data', (d: Buffer) => {
      this.log += d.toString();
    });
    const deadline = Date.now() + 10_000;
    for (;;) {
      if (proc.exitCode !== null) throw new Error(`sshd exited ${proc.exitCode}:\n${this.log}`);
      if (this.log.includes('Server listening on')) break;
      if (Date.now() > deadline) throw new Error(`sshd did not listen within 10 s:\n${this.log}`);
      await new Promise((r) => setTimeout(r, 20));
    }
  }

  /** sshd's own log so far (for failure messages). */
  get serverLog(): string {
    return this.log;
  }

  /** Runs a command on the "remote" side through ssh, as the tests' user. */
  exec(command: string): string {
    return execFileSync('ssh', ['-F', this.configFile, this.alias, command], { encoding: 'utf8' });
  }

  /** Stops a remote daemon the test left running (its home is under remoteHome), then sshd. */
  async stop(): Promise<void> {
    const remoteSteward = join(this.remoteHome, '.steward');
    if (existsSync(join(remoteSteward, 'daemon.pid'))) {
      try {
        execFileSync(process.execPath, [BIN, 'kill'], {
          env: { ...process.env, STEWARD_HOME: remoteSteward },
          stdio: 'ignore',
          timeout: 20_000,
        });
      } catch {
        // The leftover check of the test runner reports what is still running.
      }
    }
    const proc = this.proc;
    if (proc && proc.exitCode === null && proc.signalCode === null) {
      const exited = new Promise((r) => proc.once('exit', r));
      proc.kill('SIGTERM');
      await exited;
    }
    rmSync(this.dir, { recursive: true, force: true });
  }
}
