import type { ChildProcess } from 'node:child_process';
import { Duplex } from 'node:stream';
import { isErrorCode, StewardError } from '../common/errors.js';
import { PROTOCOL_VERSION, stewardVersion } from '../common/version.js';
import { spawnSsh, sshFailure, type SshOptions } from '../ssh/command.js';
import { describeTarget, parseSshTarget, type SshTarget } from '../ssh/target.js';
import { parsePreamble, type Preamble } from './preamble.js';
import { NOT_FOUND_EXIT, remoteStewardCommand } from './remote-command.js';
import type { RemoteOptions, RemoteSide } from './types.js';

/** How long the remote side may take to answer once ssh connected (login profile, daemon start). */
const PREAMBLE_TIMEOUT_MS = 30_000;
/** Bytes of profile noise tolerated before the preamble. */
const MAX_NOISE = 64 * 1024;

export function sshOptionsOf(o: RemoteOptions): SshOptions {
  return {
    configFile: o.sshConfig,
    key: o.identity,
    options: o.sshOptions,
    connectTimeout: o.connectTimeout,
  };
}

/**
 * The stdio of an ssh child as one stream: what the client writes goes to ssh's stdin, what the
 * remote daemon sends comes from ssh's stdout. Not half-open: when the remote side ends, the stream
 * closes (a `logs` follower then ends, as with a local daemon that went away).
 */
class SshStream extends Duplex {
  constructor(
    private readonly child: ChildProcess,
    first: Buffer,
  ) {
    super({ allowHalfOpen: false });
    const out = child.stdout!;
    if (first.length > 0) this.push(first);
    out.on('data', (d: Buffer) => {
      if (!this.push(d)) out.pause();
    });
    out.on('end', () => this.push(null));
    // A write after the remote side went away: the 'close' that follows says so.
    child.stdin!.on('error', () => undefined);
  }

  override _read(): void {
    this.child.stdout!.resume();
  }

  override _write(chunk: Buffer, _enc: BufferEncoding, cb: (e?: Error | null) => void): void {
    this.child.stdin!.write(chunk, () => cb());
  }

  override _final(cb: () => void): void {
    this.child.stdin!.end();
    cb();
  }

  override _destroy(err: Error | null, cb: (e: Error | null) => void): void {
    this.child.stdin!.destroy();
    this.child.stdout!.destroy();
    cb(err);
  }

  /** Lets the CLI exit without waiting for ssh, whose stdin is closed by then. */
  unref(): this {
    this.child.unref();
    for (const s of [this.child.stdin, this.child.stdout, this.child.stderr])
      (s as unknown as { unref?: () => void } | null)?.unref?.();
    return this;
  }
}

/**
 * Opens a connection to the daemon of `host` through `ssh host steward dial-stdio`. Resolves once
 * the remote side has said who it is (see preamble.ts); the daemon is started there if needed.
 * Errors are one line: ssh's reason (E_SSH, exit 3), no `steward` on the remote PATH, the remote
 * daemon's own failure, or a protocol that differs (E_VERSION_MISMATCH).
 */
export async function openRemote(
  host: string,
  opts: RemoteOptions,
): Promise<{ stream: SshStream; side: RemoteSide }> {
  const target = parseSshTarget(host);
  const name = describeTarget(target);
  const child = spawnSsh(
    target,
    sshOptionsOf(opts),
    remoteStewardCommand(['dial-stdio'], { bin: opts.bin, home: opts.home }),
    { stdio: ['pipe', 'pipe', 'pipe'] },
  );
  let stderr = '';
  child.stderr!.setEncoding('utf8');
  child.stderr!.on('data', (d: string) => {
    stderr = (stderr + d).slice(-8192);
  });
  const { preamble, rest } = await readPreamble(child, target, () => stderr);
  if (!preamble.ok) {
    child.kill();
    throw new StewardError(
      isErrorCode(preamble.code) ? preamble.code : 'E_DAEMON_UNREACHABLE',
      `${name}: ${preamble.error}`,
      {
        hint: preamble.hint,
      },
    );
  }
  if (preamble.protocol !== PROTOCOL_VERSION) {
    child.kill();
    throw new StewardError(
      'E_VERSION_MISMATCH',
      `${name} runs Steward ${preamble.version} (protocol ${preamble.protocol}), this CLI is ${stewardVersion()} (protocol ${PROTOCOL_VERSION}); they cannot talk`,
      {
        hint: `install the same Steward version on both sides (npm install -g steward@${preamble.version} here, or upgrade ${target.host})`,
      },
    );
  }
  const stream = new SshStream(child, rest);
  child.once('exit', (code) => {
    const failure = sshFailure(target, code, stderr);
    if (failure && !stream.destroyed) stream.destroy(failure);
  });
  return {
    stream,
    side: {
      host: name,
      version: preamble.version,
      protocol: preamble.protocol,
      home: preamble.home,
      cwd: preamble.cwd,
      started: preamble.started,
    },
  };
}

/** Reads ssh's stdout up to the preamble line; the bytes after it belong to the daemon. */
function readPreamble(
  child: ChildProcess,
  target: SshTarget,
  stderr: () => string,
): Promise<{ preamble: Preamble; rest: Buffer }> {
  const out = child.stdout!;
  return new Promise((resolve, reject) => {
    let buf = Buffer.alloc(0);
    const done = (e: StewardError | undefined, v?: { preamble: Preamble; rest: Buffer }) => {
      clearTimeout(timer);
      out.off('data', onData);
      child.off('exit', onExit);
      child.off('error', onError);
      if (e) {
        child.kill();
        reject(e);
      } else resolve(v!);
    };
    const onData = (d: Buffer) => {
      buf = Buffer.concat([buf, d]);
      for (;;) {
        const nl = buf.indexOf(0x0a);
        if (nl < 0) break;
        const line = buf.subarray(0, nl).toString('utf8');
        buf = buf.subarray(nl + 1);
        const preamble = parsePreamble(line);
        if (preamble) {
          out.pause();
          done(undefined, { preamble, rest: buf });
          return;
        }
      }
      if (buf.length > MAX_NOISE) done(noAnswer(target, 'it printed something else than Steward does'));
    };
    const onExit = (code: number | null) =>
      // Let the last stderr bytes arrive before reading them.
      setImmediate(() => done(exitError(target, code, stderr())));
    const onError = (e: Error) =>
      done(
        new StewardError('E_SSH', `cannot run ssh: ${e.message}`, {
          hint: 'install the OpenSSH client (Debian: openssh-client)',
        }),
      );
    const timer = setTimeout(
      () => done(noAnswer(target, `no answer within ${PREAMBLE_TIMEOUT_MS / 1000} s`)),
      PREAMBLE_TIMEOUT_MS,
    );
    out.on('data', onData);
    child.once('exit', onExit);
    child.once('error', onError);
  });
}

function lastLine(text: string): string {
  return (
    text
      .split('\n')
      .map((l) => l.trim())
      .filter((l) => l.length > 0 && !l.startsWith('Warning: Permanently added'))
      .at(-1) ?? ''
  );
}

/** Why ssh or the remote command ended before the remote steward answered. */
export function exitError(target: SshTarget, code: number | null, stderr: string): StewardError {
  const ssh = sshFailure(target, code, stderr);
  if (ssh) return ssh;
  if (code === NOT_FOUND_EXIT) {
    return new StewardError(
      'E_DAEMON_UNREACHABLE',
      `${describeTarget(target)}: steward not found on the remote login PATH`,
      {
        hint: 'install Steward there (npm install -g steward), or name it with STEWARD_BIN (there, or here, or `context add --bin`)',
      },
    );
  }
  const why = lastLine(stderr);
  return noAnswer(target, `it exited with code ${code ?? 'null'}${why ? `: ${why}` : ''}`);
}

function noAnswer(target: SshTarget, why: string): StewardError {
  return new StewardError(
    'E_DAEMON_UNREACHABLE',
    `${describeTarget(target)}: the remote steward did not answer dial-stdio (${why})`,
    { hint: 'the remote Steward may be too old for remote control: install the same version on both sides' },
  );
}
