import { cpSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { FIXTURES, readJson, tmpDir, waitFor, type Home, type JlistEntry } from '../helpers.js';

/**
 * Shared by the ecosystem e2e tests: a private copy of test/fixtures/ecosystems (so that log files
 * written next to a config and edited configs stay out of the repository), and the reports that
 * the fixture app (apps/report.js) writes to $STEWARD_HOME/reports/<pm_id>.json.
 */
export interface Corpus {
  root: string;
  good: string;
  broken: string;
  apps: string;
  remove(): void;
}

export function copyCorpus(): Corpus {
  const root = tmpDir('stwe-');
  cpSync(join(FIXTURES, 'ecosystems'), root, { recursive: true });
  return {
    root,
    good: join(root, 'good'),
    broken: join(root, 'broken'),
    apps: join(root, 'apps'),
    remove: () => rmSync(root, { recursive: true, force: true }),
  };
}

/** What a fixture app saw: its environment, argv, execArgv, cwd and ids. */
export interface Report {
  pid: number;
  env: Record<string, string>;
  argv: string[];
  /** Node flags, without the `--require <agent>` Steward adds. */
  execArgv: string[];
  cwd: string;
  uid: number;
  gid: number;
}

/** Node flags as the app gave them: without the `--require <agent>` that Steward adds. */
export function withoutAgent(execArgv: string[]): string[] {
  const i = execArgv.findIndex(
    (a, k) => a === '--require' && (execArgv[k + 1] ?? '').endsWith('/agent/preload.cjs'),
  );
  return i < 0 ? execArgv : [...execArgv.slice(0, i), ...execArgv.slice(i + 2)];
}

export function reportPath(home: Home, pmId: number): string {
  return join(home.dir, 'reports', `${pmId}.json`);
}

/** The report of the process that runs now for this entry (same pid), waiting for it. */
export async function reportOf(home: Home, e: JlistEntry): Promise<Report> {
  const r = await waitFor(() => {
    const r = readJson(reportPath(home, e.pm_id)) as Report | undefined;
    return r && r.pid === e.pid ? r : undefined;
  }, `report of ${e.name} (id ${e.pm_id}, pid ${e.pid})`);
  return { ...r, execArgv: withoutAgent(r.execArgv) };
}

/** The jlist entries of one app name, by pm_id. */
export function named(list: JlistEntry[], name: string): JlistEntry[] {
  return list.filter((e) => e.name === name).sort((a, b) => a.pm_id - b.pm_id);
}

/** The one entry of an app name; fails when there is not exactly one. */
export function one(list: JlistEntry[], name: string): JlistEntry {
  const found = named(list, name);
  if (found.length !== 1) throw new Error(`expected one process named ${name}, found ${found.length}`);
  return found[0] as JlistEntry;
}

/** `steward env` output (`KEY: value` lines) as an object. */
export function parseEnvOutput(stdout: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const line of stdout.split('\n')) {
    const i = line.indexOf(': ');
    if (i > 0) out[line.slice(0, i)] = line.slice(i + 2);
  }
  return out;
}

/** Removes every app and the reports, between two tests that share a home. */
export async function clearHome(home: Home): Promise<void> {
  await home.run(['delete', 'all', '-s']);
  rmSync(join(home.dir, 'reports'), { recursive: true, force: true });
}
