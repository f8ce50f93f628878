import { mkdtempSync, rmSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { Client } from '../client/client.js';
import { startDaemon } from '../client/start-daemon.js';
import { homePaths } from '../common/paths.js';
import { stewardVersion } from '../common/version.js';
import type { AppConfig } from '../config/app-config.js';
import { isConfigFile } from '../config/ecosystem-load.js';
import { loadEcosystem, parseOnly } from '../config/ecosystem.js';
import { appFromCli } from '../config/from-cli.js';
import type { ProcSummary } from '../protocol/methods.js';

/**
 * `steward-runtime` (also `steward start --no-daemon`): the container entry point. Runs a private
 * daemon as its own child, starts the apps, writes every app's output to its own stdout/stderr
 * (prefixed with the app name, `--raw` for none, `--json` for one object per line), keeps
 * restarting crashed apps by their policy, forwards SIGTERM/SIGINT as a graceful stop of every app,
 * and exits non-zero once every app has stopped for good.
 */
export interface RuntimeOptions {
  env?: string;
  only?: string;
  instances?: string;
  raw?: boolean;
  json?: boolean;
  autoExit?: boolean;
}

const out = (s: string) => process.stdout.write(s);
const err = (s: string) => process.stderr.write(s);

function gone(p: ProcSummary): boolean {
  return p.status === 'stopped' || p.status === 'errored';
}

export async function runtime(target: string, scriptArgs: string[], opts: RuntimeOptions): Promise<number> {
  const ownHome = !process.env.STEWARD_HOME;
  const home = process.env.STEWARD_HOME
    ? resolve(process.env.STEWARD_HOME)
    : mkdtempSync(join(tmpdir(), 'steward-rt-'));
  const paths = homePaths(home);
  const cwd = process.cwd();
  const cpus = availableParallelism();

  // Config first: a broken file starts nothing (not even the daemon).
  let apps: AppConfig[];
  if (target === '-' || isConfigFile(target)) {
    const stdinText = target === '-' ? await readStdin() : undefined;
    const loaded = await loadEcosystem(target, {
      cwd,
      env: process.env,
      envName: opts.env,
      only: parseOnly(opts.only),
      cpus,
      stdinText,
    });
    for (const w of loaded.warnings) err(`[steward-runtime] warning: ${w}\n`);
    apps = loaded.apps;
  } else {
    apps = [appFromCli(target, scriptArgs, {}, { cwd, env: process.env }, cpus)];
  }
  if (opts.instances !== undefined) {
    const { resolveInstances } = await import('../config/from-cli.js');
    const n = resolveInstances(opts.instances, cpus);
    apps = apps.map((a) => ({ ...a, instances: n }));
  }
  // In a container the files are the platform's job: output goes to stdout/stderr.
  apps = apps.map((a) => ({
    ...a,
    out_file: a.out_file === '' ? null : a.out_file,
    error_file: a.error_file === '' ? null : a.error_file,
  }));

  const daemon = await startDaemon(paths, process.env, { detached: false });
  // The runtime lives as long as its daemon does.
  daemon.ref();
  const daemonExit = new Promise<number>((r) => daemon.once('exit', (code) => r(code ?? 1)));
  const client = await Client.connect({ home, autostart: false });
  let stopping = false;

  const print = (
    m: { name: string; type: 'out' | 'err'; data: string; pm_id: number; at: number },
    partial: Map<string, string>,
  ) => {
    const key = `${m.pm_id}:${m.type}`;
    const text = (partial.get(key) ?? '') + m.data;
    const lines = text.split('\n');
    partial.set(key, lines.pop() ?? '');
    const write = m.type === 'err' ? err : out;
    for (const line of lines) {
      if (opts.json) {
        write(
          JSON.stringify({
            message: line,
            timestamp: new Date(m.at).toISOString(),
            type: m.type,
            process_id: m.pm_id,
            app_name: m.name,
          }) + '\n',
        );
      } else write(opts.raw ? `${line}\n` : `${m.name} | ${line}\n`);
    }
  };
  const partial = new Map<string, string>();
  let check: (() => void) | undefined;
  client.onNotification((method, params) => {
    if (method === 'log') print(params as Parameters<typeof print>[0], partial);
    else if (method === 'event') check?.();
  });
  await client.call('subscribe', { topics: ['logs', 'events'], frames: true });

  const shutdown = async (why: string): Promise<void> => {
    if (stopping) return;
    stopping = true;
    err(`[steward-runtime] ${why}: stopping every app\n`);
    try {
      await client.call('kill', {});
    } catch {
      // the daemon may already be gone
    }
  };
  process.on('SIGTERM', () => void shutdown('SIGTERM'));
  process.on('SIGINT', () => void shutdown('SIGINT'));

  const res = await client.call('apply', { apps, action: 'start', settle_ms: 0 });
  for (const n of res.notes) err(`[steward-runtime] ${n}\n`);
  err(
    `[steward-runtime] ${stewardVersion()} running ${apps.map((a) => `${a.name}×${a.instances}`).join(', ')}\n`,
  );

  let allGone = false;
  if (opts.autoExit !== false) {
    let pending = false;
    check = () => {
      if (pending || stopping) return;
      pending = true;
      setTimeout(() => {
        pending = false;
        void client
          .call('list', {})
          .then((list) => {
            if (!stopping && list.length > 0 && list.every(gone)) {
              allGone = true;
              void shutdown('every app has stopped');
            }
          })
          .catch(() => undefined);
      }, 200);
    };
    check();
  }

  const code = await daemonExit;
  client.close();
  if (ownHome) rmSync(home, { recursive: true, force: true });
  if (allGone) return 1;
  return stopping ? 0 : code === 0 ? 1 : code;
}

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const c of process.stdin) chunks.push(c as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}
