// HTTP load for the cluster case: wrk (Debian's package, installed with apt-get when it is missing
// and we are root) or, failing that, autocannon (a devDependency, slower: it is Node itself).
// Also a one-shot GET with a deadline and a free loopback port.
import { accessSync, constants, existsSync } from 'node:fs';
import { request } from 'node:http';
import { createServer } from 'node:net';
import { delimiter, join } from 'node:path';
import { BenchError, ensureAptCommand, run, sleep } from './exec.js';
import { RUN_MARK } from './procs.js';

/** Connections and threads of every load run (one wrk thread: the machine may have 2 CPUs). */
export const LOAD = { connections: 32, threads: 1, timeoutS: 2 };

function which(name) {
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    if (!dir) continue;
    const p = join(dir, name);
    try {
      accessSync(p, constants.X_OK);
      return p;
    } catch {
      // not here
    }
  }
  return undefined;
}

/**
 * Finds wrk, installing it with `apt-get install -y wrk` (after `apt-get update` if the first try
 * fails) when we are root on a Debian-like system; otherwise autocannon from node_modules.
 * Returns { kind: 'wrk' | 'autocannon', bin, version, note }.
 */
export async function ensureLoadGen(repo, log) {
  const had = which('wrk') !== undefined;
  const out = await ensureAptCommand('wrk', ['-v'], 'wrk', log, {
    ok: (r) => /^wrk\s+\S+/m.test(`${r.stdout}${r.stderr}`),
  });
  const wrk = which('wrk');
  let note = '';
  if (!had)
    note = wrk ? 'wrk installed by the harness (apt-get)' : 'no wrk, and apt-get could not install it';
  if (wrk && out) {
    const version = /wrk\s+(\S+)/.exec(out)?.[1] ?? '?';
    return { kind: 'wrk', bin: wrk, version: `wrk ${version}`, note };
  }
  const ac = join(repo, 'node_modules/autocannon/autocannon.js');
  if (!existsSync(ac))
    throw new BenchError('no load generator: wrk is not installed and autocannon is missing');
  log(`using autocannon (${note || 'no wrk'}): numbers are lower than with wrk`);
  return { kind: 'autocannon', bin: ac, version: 'autocannon', note: note || 'wrk not found' };
}

const UNIT_S = { us: 1e-6, ms: 1e-3, s: 1, m: 60, h: 3600 };

/** Parses wrk's report; `failed` = socket errors (connect, read, write, timeout) + non-2xx/3xx. */
export function parseWrk(out) {
  const m = /(\d+) requests in ([\d.]+)(us|ms|s|m|h)/.exec(out);
  if (!m) throw new BenchError('cannot read wrk output', out.slice(0, 500));
  const se = /Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)/.exec(out);
  const errors = se
    ? { connect: +se[1], read: +se[2], write: +se[3], timeout: +se[4] }
    : { connect: 0, read: 0, write: 0, timeout: 0 };
  const non2xx = Number(/Non-2xx or 3xx responses: (\d+)/.exec(out)?.[1] ?? 0);
  const requests = Number(m[1]);
  const seconds = Number(m[2]) * UNIT_S[m[3]];
  const sock = errors.connect + errors.read + errors.write + errors.timeout;
  return { requests, seconds, rps: requests / seconds, errors, non2xx, failed: sock + non2xx };
}

function parseAutocannon(out, seconds) {
  let j;
  try {
    j = JSON.parse(out.slice(out.indexOf('{')));
  } catch {
    throw new BenchError('cannot read autocannon output', out.slice(0, 500));
  }
  const requests = j.requests?.total ?? 0;
  const errors = { connect: 0, read: j.errors ?? 0, write: 0, timeout: j.timeouts ?? 0 };
  const non2xx = j.non2xx ?? 0;
  const s = j.duration ?? seconds;
  // autocannon's `errors` already includes its timeouts.
  return { requests, seconds: s, rps: requests / s, errors, non2xx, failed: (j.errors ?? 0) + non2xx };
}

/**
 * Drives `url` for `seconds` with LOAD.connections keep-alive connections; resolves with
 * { requests, seconds, rps, errors: { connect, read, write, timeout }, non2xx, failed, raw }.
 */
export async function load(gen, url, seconds, runId) {
  const env = { ...process.env, [RUN_MARK]: runId };
  const timeoutMs = seconds * 1000 + 30_000;
  if (gen.kind === 'wrk') {
    const args = [
      `-t${LOAD.threads}`,
      `-c${LOAD.connections}`,
      `-d${seconds}s`,
      '--timeout',
      `${LOAD.timeoutS}s`,
      url,
    ];
    const r = await run(gen.bin, args, { env, timeoutMs });
    return { ...parseWrk(r.stdout), raw: r.stdout.trim() };
  }
  const args = [
    gen.bin,
    '-c',
    String(LOAD.connections),
    '-d',
    String(seconds),
    '-t',
    String(LOAD.timeoutS),
    '-j',
    url,
  ];
  const r = await run(process.execPath, args, { env, timeoutMs });
  return { ...parseAutocannon(r.stdout, seconds), raw: '' };
}

/** One GET with a deadline: resolves { status, body } or rejects. No keep-alive. */
export function get(port, timeoutMs = 2000, path = '/') {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, agent: false, timeout: timeoutMs }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (d) => (body += d));
      res.on('end', () => resolve({ status: res.statusCode, body }));
      res.on('error', reject);
    });
    req.on('timeout', () => req.destroy(new Error(`no answer within ${timeoutMs} ms`)));
    req.on('error', reject);
    req.end();
  });
}

/** Waits until GET / on the port answers 200 (≤ timeoutMs); returns the body. */
export async function waitServing(port, what, timeoutMs = 20_000) {
  const deadline = Date.now() + timeoutMs;
  let last = 'no answer yet';
  for (;;) {
    try {
      const r = await get(port, 1000);
      if (r.status === 200) return r.body;
      last = `status ${r.status}`;
    } catch (e) {
      last = e.message;
    }
    if (Date.now() > deadline)
      throw new BenchError(`timed out after ${timeoutMs} ms waiting for ${what} to serve (last: ${last})`);
    await sleep(100);
  }
}

/** A TCP port free on 127.0.0.1 right now (the kernel's pick). */
export function freePort() {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}
