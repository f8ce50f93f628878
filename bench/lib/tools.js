// The two process managers under test, behind one small interface: run the CLI, read the daemon
// pid, list, start idle apps, delete everything, stop the daemon.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { BenchError, run, waitFor } from './exec.js';
import { isAlive, RUN_MARK } from './procs.js';

/** Every idle app runs `<symlink to sleep> 100000` with no interpreter: ~1 MB each. */
export const IDLE_ARGS = ['100000'];

function parseJsonList(stdout, who) {
  const start = stdout.indexOf('[');
  try {
    return JSON.parse(stdout.slice(start));
  } catch (e) {
    throw new BenchError(
      `${who} jlist printed something that is not JSON: ${e.message}`,
      stdout.slice(0, 300),
    );
  }
}

/** The environment for one tool: this shell's, minus the other tool's variables, plus the run mark. */
function baseEnv(runId, extra) {
  const env = { ...process.env, [RUN_MARK]: runId, ...extra };
  for (const k of ['STEWARD_START_SETTLE_MS', 'STEWARD_SILENT', 'PM2_SILENT', 'FORCE_COLOR']) delete env[k];
  env.NO_COLOR = '1';
  return env;
}

/** Set once the harness is cleaning up (Ctrl-C): from then on only `kill` may run, so that a
 * benchmark still in flight cannot start a new daemon behind the cleanup's back. */
export const interrupt = { requested: false };

class Tool {
  constructor({ key, label, bin, home, pidFile, env, cwd }) {
    this.key = key;
    this.label = label;
    this.bin = bin;
    this.home = home;
    this.pidFile = pidFile;
    this.env = env;
    this.cwd = cwd;
    this.ecoCount = 0;
  }

  /** Writes an ecosystem JSON file (`{ apps: [...] }`, same format for both tools); returns its path. */
  writeEcosystem(apps) {
    this.ecoCount += 1;
    const file = join(this.cwd, `${this.key}-eco-${this.ecoCount}.json`);
    writeFileSync(file, JSON.stringify({ apps }, null, 1));
    return file;
  }

  /** Runs the CLI with `node <bin>` (same launcher cost for both tools). */
  cli(args, { env, timeoutMs = 60_000, allowFail = false, cwd } = {}) {
    if (interrupt.requested && args[0] !== 'kill') {
      return Promise.reject(new BenchError(`interrupted: not running ${this.key} ${args[0]}`));
    }
    return run(process.execPath, [this.bin, ...args], {
      env: env ? { ...this.env, ...env } : this.env,
      cwd: cwd ?? this.cwd,
      timeoutMs,
      allowFail,
      label: `${this.key} ${args.length > 12 ? `${args.slice(0, 6).join(' ')} … (${args.length} args)` : args.join(' ')}`,
    });
  }

  daemonPid() {
    try {
      const pid = Number(readFileSync(this.pidFile, 'utf8').trim());
      return Number.isInteger(pid) && pid > 0 ? pid : undefined;
    } catch {
      return undefined;
    }
  }

  async jlist(timeoutMs = 60_000) {
    const res = await this.cli(['jlist'], { timeoutMs });
    return parseJsonList(res.stdout, this.key);
  }

  /** Waits until exactly `n` apps are listed and all are online. */
  async waitOnline(n, timeoutMs = 90_000) {
    let last = 'no answer yet';
    await waitFor(
      async () => {
        const list = await this.jlist();
        const online = list.filter((p) => p.pm2_env?.status === 'online').length;
        last = `${list.length} listed, ${online} online`;
        return list.length === n && online === n;
      },
      { what: `${this.key}: ${n} apps online`, timeoutMs, intervalMs: 250, describe: () => last },
    );
  }

  async waitEmpty(timeoutMs = 60_000) {
    let last = 'no answer yet';
    await waitFor(
      async () => {
        const list = await this.jlist();
        last = `${list.length} listed`;
        return list.length === 0;
      },
      { what: `${this.key}: empty process list`, timeoutMs, intervalMs: 250, describe: () => last },
    );
  }

  async deleteAll(timeoutMs = 120_000) {
    return this.cli(['delete', 'all'], { timeoutMs });
  }

  /** Stops the daemon if one runs for this home; waits until its pid is gone. */
  async kill() {
    const pid = this.daemonPid();
    if (pid === undefined || !isAlive(pid)) return;
    await this.cli(['kill'], { timeoutMs: 90_000, allowFail: true });
    await waitFor(() => !isAlive(pid), {
      what: `${this.key} daemon (pid ${pid}) to exit`,
      timeoutMs: 15_000,
    });
  }
}

export class Steward extends Tool {
  constructor({ repo, home, runId, cwd }) {
    super({
      key: 'steward',
      label: 'Steward',
      bin: join(repo, 'bin/steward.js'),
      home,
      pidFile: join(home, 'daemon.pid'),
      env: baseEnv(runId, { STEWARD_HOME: home }),
      cwd,
    });
    delete this.env.PM2_HOME;
    this.version = JSON.parse(readFileSync(join(repo, 'package.json'), 'utf8')).version;
  }

  /** One `start` command with every script (distinct files, so distinct names); not timed. */
  async startIdle(paths) {
    await this.cli(['start', ...paths, '--interpreter', 'none', '-s', '--', ...IDLE_ARGS], {
      env: { STEWARD_START_SETTLE_MS: '0' },
      timeoutMs: 120_000,
    });
  }

  async ping() {
    await this.cli(['ping'], { timeoutMs: 30_000 });
  }
}

export class Pm2 extends Tool {
  constructor({ prefix, home, runId, cwd, version }) {
    super({
      key: 'pm2',
      label: `PM2 ${version}`,
      bin: join(prefix, 'node_modules/pm2/bin/pm2'),
      home,
      pidFile: join(home, 'pm2.pid'),
      env: baseEnv(runId, { PM2_HOME: home, PM2_DISABLE_VERSION_CHECK: 'true' }),
      cwd,
    });
    delete this.env.STEWARD_HOME;
    this.version = version;
  }

  async startIdle(paths) {
    const apps = paths.map((p) => ({
      name: p.split('/').pop(),
      script: p,
      args: IDLE_ARGS.join(' '),
      interpreter: 'none',
    }));
    await this.cli(['start', this.writeEcosystem(apps), '-s'], { timeoutMs: 120_000 });
  }

  async ping() {
    await this.cli(['ping'], { timeoutMs: 30_000 });
  }
}

/** Installs PM2 into `prefix` (cached: skipped when that version is already there). */
export async function ensurePm2(prefix, version, log) {
  const pkg = join(prefix, 'node_modules/pm2/package.json');
  if (existsSync(pkg)) {
    const have = JSON.parse(readFileSync(pkg, 'utf8')).version;
    if (have === version) return;
    log(`cached PM2 is ${have}, installing ${version}`);
  } else {
    log(`installing pm2@${version} into ${prefix} (cached for later runs)`);
  }
  await run(
    'npm',
    ['install', '--prefix', prefix, `pm2@${version}`, '--no-audit', '--no-fund', '--loglevel=error'],
    {
      timeoutMs: 300_000,
      label: `npm install pm2@${version}`,
    },
  );
  if (!existsSync(pkg)) throw new BenchError(`npm install finished but ${pkg} is missing`);
}
