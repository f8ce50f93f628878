// Static serving throughput: `steward serve`'s server (dist/src/serve/server.js, or another build's
// with --entry name=path) against sirv, for a small page and a 1 MB file, with autocannon.
// Runs are interleaved (server × file × round) so that a noisy neighbour hits every server alike;
// the report is the median of the rounds.
//   node bench/serve.js [--rounds 5] [--seconds 3] [--entry old=/path/to/dist/src/serve/server.js]
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import autocannon from 'autocannon';

const repo = dirname(dirname(fileURLToPath(import.meta.url)));
const argv = process.argv.slice(2);
const opt = (name, dflt) => {
  const i = argv.indexOf(`--${name}`);
  return i >= 0 ? argv[i + 1] : dflt;
};
const rounds = Number(opt('rounds', '5'));
const seconds = Number(opt('seconds', '3'));
const servers = [
  { name: 'steward', cmd: [join(repo, 'dist/src/serve/server.js')], env: {} },
  { name: 'sirv dev', cmd: [join(repo, 'bench/fixtures/sirv-serve.js')], env: { SIRV_DEV: '1' } },
  { name: 'sirv cached', cmd: [join(repo, 'bench/fixtures/sirv-serve.js')], env: {} },
];
// --only steward,sirv dev: a subset of the servers
const only = opt('only', '');
if (only) servers.splice(0, servers.length, ...servers.filter((s) => only.split(',').includes(s.name)));
argv.forEach((a, i) => {
  if (a !== '--entry') return;
  const [name, path] = (argv[i + 1] ?? '').split('=');
  servers.push({ name, cmd: [path], env: {} });
});

const dir = mkdtempSync(join(tmpdir(), 'serve-bench-'));
writeFileSync(join(dir, 'index.html'), `<!doctype html><title>x</title>${'<p>hello</p>'.repeat(80)}\n`);
writeFileSync(join(dir, 'big.bin'), randomBytes(1024 * 1024));
const files = [
  { name: 'small page (1 KB)', path: '/index.html' },
  { name: '1 MB file', path: '/big.bin' },
];

const freePort = () =>
  new Promise((resolve) => {
    const s = createServer();
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });

async function start(server) {
  const port = await freePort();
  const child = spawn(process.execPath, server.cmd, {
    env: { ...process.env, ...server.env, PM2_SERVE_PATH: dir, PM2_SERVE_PORT: String(port) },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  await new Promise((resolve, reject) => {
    child.stdout.once('data', resolve);
    child.once('exit', (code) => reject(new Error(`${server.name} exited (${code})`)));
  });
  return { ...server, port, child };
}

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};

const running = [];
try {
  for (const s of servers) running.push(await start(s));
  const results = new Map();
  for (let r = 0; r < rounds; r++) {
    for (const f of files) {
      for (const s of running) {
        const out = await autocannon({
          url: `http://127.0.0.1:${s.port}${f.path}`,
          connections: 10,
          duration: seconds,
        });
        if (out.non2xx || out.errors)
          throw new Error(`${s.name} ${f.path}: ${out.non2xx} non-2xx, ${out.errors} errors`);
        const key = `${s.name}\t${f.name}`;
        const list = results.get(key) ?? [];
        list.push({ rps: out.requests.average, mbs: out.throughput.average / 1e6, p99: out.latency.p99 });
        results.set(key, list);
      }
    }
  }
  console.log(`medians of ${rounds} runs of ${seconds} s, 10 connections, node ${process.version}`);
  console.log('server\tfile\treq/s\tMB/s\tp99 ms');
  for (const [key, list] of results) {
    const rps = median(list.map((x) => x.rps));
    const mbs = median(list.map((x) => x.mbs));
    const p99 = median(list.map((x) => x.p99));
    console.log(`${key}\t${Math.round(rps)}\t${mbs.toFixed(1)}\t${p99}`);
  }
} finally {
  for (const s of running) s.child.kill('SIGTERM');
  rmSync(dir, { recursive: true, force: true });
}
