// Shared by the deploy end-to-end tests: a local bare git repository as the deploy's `repo`, a
// working clone to commit versions of an app into, the remote login profile that puts an
// nvm-style directory (node and a `steward` shim running this checkout) on PATH, and a deploy
// section that reaches a test sshd with PM2's keys only (`key`, `port`, `ssh_options`).
import { execFileSync } from 'node:child_process';
import { chmodSync, mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { join } from 'node:path';
import { BIN, tmpDir } from '../helpers.js';
import type { SshServer } from '../sshd-support.js';

const GIT_ENV = {
  ...process.env,
  GIT_AUTHOR_NAME: 'Test',
  GIT_AUTHOR_EMAIL: 'test@example.com',
  GIT_COMMITTER_NAME: 'Test',
  GIT_COMMITTER_EMAIL: 'test@example.com',
};

export function git(cwd: string, args: string[]): string {
  return execFileSync('git', args, { cwd, env: GIT_ENV, encoding: 'utf8' }).trim();
}

/** A bare repository (the `repo`) and a working clone that pushes to it. */
export class TestRepo {
  readonly bare: string;
  readonly work: string;
  constructor() {
    const dir = tmpDir('stwg-');
    this.bare = join(dir, 'repo.git');
    this.work = join(dir, 'work');
    execFileSync('git', ['init', '-q', '--bare', '-b', 'main', this.bare]);
    execFileSync('git', ['init', '-q', '-b', 'main', this.work]);
    git(this.work, ['remote', 'add', 'origin', this.bare]);
  }

  /** Writes files, commits and pushes main; returns the commit's sha. */
  commit(files: Record<string, string>, message: string): string {
    for (const [name, text] of Object.entries(files)) writeFileSync(join(this.work, name), text);
    git(this.work, ['add', '-A']);
    git(this.work, ['commit', '-q', '-m', message]);
    git(this.work, ['push', '-q', 'origin', 'main']);
    return git(this.work, ['rev-parse', 'HEAD']);
  }
}

/**
 * An HTTP app answering with its version. `crash: 'start'` exits before listening (a release that
 * cannot start); `crash: 'later'` listens, then exits 300 ms later (one the health window catches).
 */
export function appSource(version: string, crash?: 'start' | 'later'): string {
  return [
    crash === 'start' ? `console.error('${version} is broken: cannot start'); process.exit(1);` : '',
    crash === 'later'
      ? `setTimeout(() => { console.error('${version} crashed after start'); process.exit(1); }, 300);`
      : '',
    `require('http').createServer((req, res) => res.end('${version}')).listen(Number(process.env.PORT), '127.0.0.1');`,
    '',
  ].join('\n');
}

/** The ecosystem file: one cluster app whose port the host gives (APP_PORT in its sshd env). */
export function ecosystem(deploy: Record<string, unknown>, instances = 2): string {
  const apps = [
    {
      name: 'web',
      script: 'server.js',
      instances,
      exec_mode: 'cluster',
      listen_timeout: 15000,
    },
  ];
  return (
    `const apps = ${JSON.stringify(apps)};\n` +
    "apps[0].env = { PORT: process.env.APP_PORT || '0' };\n" +
    `module.exports = { apps, deploy: ${JSON.stringify(deploy, null, 2)} };\n`
  );
}

/** PM2's ssh keys for a test sshd: nothing from ~/.ssh is needed. */
export function sshKeys(server: SshServer): Record<string, unknown> {
  return {
    user: server.user,
    key: server.keyFile,
    ssh_options: [
      `UserKnownHostsFile=${server.knownHostsFile}`,
      'StrictHostKeyChecking=yes',
      'IdentitiesOnly=yes',
    ],
  };
}

/**
 * An nvm-style install on the "remote" side: `node` and a `steward` shim in a directory that only
 * the login profile puts on PATH (ssh's non-login PATH does not have it).
 */
export function nvmProfile(server: SshServer): string {
  const bin = join(server.remoteHome, '.nvm/versions/node/current/bin');
  mkdirSync(bin, { recursive: true });
  symlinkSync(process.execPath, join(bin, 'node'));
  const shim = join(bin, 'steward');
  writeFileSync(shim, `#!/bin/sh\nexec "${process.execPath}" "${BIN}" "$@"\n`);
  chmodSync(shim, 0o755);
  writeFileSync(join(server.remoteHome, '.profile'), `export PATH="${bin}:$PATH"\n`);
  return bin;
}

/**
 * nvm as its installer leaves it on Debian and Ubuntu: `~/.profile` sources `~/.bashrc`, which
 * returns at once in a non-interactive shell, before the lines that load `~/.nvm/nvm.sh`. So a
 * login shell over ssh has no steward unless the deploy loads nvm itself.
 */
export function nvmBashrcProfile(server: SshServer): void {
  const nvm = join(server.remoteHome, '.nvm');
  const bin = join(nvm, 'versions/node/v20/bin');
  mkdirSync(bin, { recursive: true });
  const shim = join(bin, 'steward');
  writeFileSync(shim, `#!/bin/sh\nexec "${process.execPath}" "${BIN}" "$@"\n`);
  chmodSync(shim, 0o755);
  writeFileSync(join(nvm, 'nvm.sh'), `export PATH="${bin}:$PATH"\n`);
  writeFileSync(
    join(server.remoteHome, '.profile'),
    'if [ -n "$BASH_VERSION" ] && [ -f "$HOME/.bashrc" ]; then . "$HOME/.bashrc"; fi\n',
  );
  writeFileSync(
    join(server.remoteHome, '.bashrc'),
    [
      "# If not running interactively, don't do anything",
      'case $- in *i*) ;; *) return;; esac',
      'export NVM_DIR="$HOME/.nvm"',
      '[ -s "$NVM_DIR/nvm.sh" ] && . "$NVM_DIR/nvm.sh"',
      '',
    ].join('\n'),
  );
}

/** A `steward` shim outside any PATH, for STEWARD_BIN. */
export function stewardBinShim(): string {
  const shim = join(tmpDir('stwb-'), 'steward-bin');
  writeFileSync(shim, `#!/bin/sh\nexec "${process.execPath}" "${BIN}" "$@"\n`);
  chmodSync(shim, 0o755);
  return shim;
}

/** One GET on a fresh connection: the body, or the error's message. */
export function get(port: number): Promise<string> {
  return new Promise((resolve) => {
    const req = request({ host: '127.0.0.1', port, agent: false, timeout: 3000 }, (res) => {
      let body = '';
      res.on('data', (d: Buffer) => (body += d.toString()));
      res.on('end', () => resolve(body));
    });
    req.on('error', (e) => resolve(`error: ${e.message}`));
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.end();
  });
}
