import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, symlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { request, type IncomingHttpHeaders } from 'node:http';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { gunzipSync } from 'node:zlib';
import { Home, tmpDir, waitFor } from '../helpers.js';

interface Reply {
  status: number;
  headers: IncomingHttpHeaders;
  body: Buffer;
}

/** One request with the path sent exactly as given (fetch would normalise `..` away). */
function get(
  port: number,
  path: string,
  headers: Record<string, string> = {},
  method = 'GET',
): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, method, headers, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () =>
        resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }),
      );
    });
    req.on('error', reject);
    req.end();
  });
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const a = s.address();
      s.close(() => resolve(typeof a === 'object' && a ? a.port : 0));
    });
  });
}

/** Local addresses listening on a port, from /proc/net/tcp (hex ip:port). */
function listeners(port: number): string[] {
  const hexPort = port.toString(16).toUpperCase().padStart(4, '0');
  return readFileSync('/proc/net/tcp', 'utf8')
    .split('\n')
    .slice(1)
    .map((l) => l.trim().split(/\s+/))
    .filter((f) => f[1]?.endsWith(`:${hexPort}`) && f[3] === '0A')
    .map((f) => f[1] ?? '');
}

const basic = (user: string, pass: string) => ({
  Authorization: `Basic ${Buffer.from(`${user}:${pass}`).toString('base64')}`,
});

describe('serve', () => {
  const home = new Home();
  const root = tmpDir();
  const site = join(root, 'site');
  const outside = join(root, 'outside');
  const css = 'body { color: red; }\n'.repeat(200);
  const bin = randomBytes(10_000);
  let port = 0;

  before(async () => {
    mkdirSync(join(site, 'sub'), { recursive: true });
    mkdirSync(join(site, 'empty'), { recursive: true });
    mkdirSync(outside);
    writeFileSync(join(site, 'index.html'), '<h1>home</h1>\n');
    writeFileSync(join(site, '404.html'), '<h1>custom not found</h1>\n');
    writeFileSync(join(site, 'style.css'), css);
    writeFileSync(join(site, 'small.js'), 'console.log(1);\n');
    writeFileSync(join(site, 'data.bin'), bin);
    writeFileSync(join(site, 'sub/index.html'), '<h1>sub</h1>\n');
    writeFileSync(join(site, '.env'), 'SECRET=1\n');
    writeFileSync(join(outside, 'secret.txt'), 'TOP SECRET\n');
    symlinkSync(join(outside, 'secret.txt'), join(site, 'leak.txt'));
    symlinkSync(join(outside), join(site, 'leakdir'));
    symlinkSync(join(site, 'small.js'), join(site, 'alias.js'));
    port = await freePort();
    await home.ok(['serve', site, String(port)]);
  });
  after(() => home.cleanup());

  it('runs as a managed app named static-page-server-<port>, bound to 127.0.0.1', async () => {
    const [app] = await home.jlist();
    assert.equal(app?.name, `static-page-server-${port}`);
    assert.equal(app?.pm2_env.status, 'online');
    assert.equal(app?.pm2_env.env.PM2_SERVE_PATH, site);
    assert.deepEqual(listeners(port), [`0100007F:${port.toString(16).toUpperCase().padStart(4, '0')}`]);
  });

  it('serves files with their content type; / is index.html; HEAD has no body', async () => {
    const home_ = await get(port, '/');
    assert.equal(home_.status, 200);
    assert.equal(home_.headers['content-type'], 'text/html; charset=utf-8');
    assert.equal(home_.body.toString(), '<h1>home</h1>\n');
    const js = await get(port, '/small.js');
    assert.equal(js.headers['content-type'], 'text/javascript; charset=utf-8');
    assert.equal((await get(port, '/data.bin')).headers['content-type'], 'application/octet-stream');
    const head = await get(port, '/style.css', {}, 'HEAD');
    assert.equal(head.status, 200);
    assert.equal(head.headers['content-type'], 'text/css; charset=utf-8');
    assert.equal(head.headers['content-length'], String(css.length));
    assert.equal(head.body.length, 0);
    assert.equal(head.headers['x-content-type-options'], 'nosniff');
    const post = await get(port, '/', {}, 'POST');
    assert.equal(post.status, 405);
    assert.equal(post.headers.allow, 'GET, HEAD');
  });

  it('caching: ETag and Last-Modified, 304 on If-None-Match / If-Modified-Since, new tag on change', async () => {
    const first = await get(port, '/small.js');
    const etag = String(first.headers.etag);
    const lastModified = String(first.headers['last-modified']);
    assert.match(etag, /^"[0-9a-f]+-[0-9a-f]+"$/);
    assert.equal(first.headers['cache-control'], 'no-cache');
    const inm = await get(port, '/small.js', { 'If-None-Match': etag });
    assert.equal(inm.status, 304);
    assert.equal(inm.body.length, 0);
    assert.equal(inm.headers.etag, etag);
    assert.equal((await get(port, '/small.js', { 'If-Modified-Since': lastModified })).status, 304);
    assert.equal((await get(port, '/small.js', { 'If-None-Match': '"stale"' })).status, 200);
    const later = new Date(Date.now() + 5000);
    writeFileSync(join(site, 'small.js'), 'console.log(2);\n');
    utimesSync(join(site, 'small.js'), later, later);
    const changed = await get(port, '/small.js', { 'If-None-Match': etag });
    assert.equal(changed.status, 200);
    assert.notEqual(changed.headers.etag, etag);
    assert.equal(changed.body.toString(), 'console.log(2);\n');
  });

  it('ranges: 206 with Content-Range, suffix ranges, 416 past the end, If-Range', async () => {
    const r = await get(port, '/data.bin', { Range: 'bytes=100-199' });
    assert.equal(r.status, 206);
    assert.equal(r.headers['content-range'], `bytes 100-199/${bin.length}`);
    assert.equal(r.headers['content-length'], '100');
    assert.deepEqual(r.body, bin.subarray(100, 200));
    const tail = await get(port, '/data.bin', { Range: 'bytes=-10' });
    assert.deepEqual(tail.body, bin.subarray(bin.length - 10));
    const open = await get(port, '/data.bin', { Range: `bytes=${bin.length - 3}-` });
    assert.deepEqual(open.body, bin.subarray(bin.length - 3));
    const bad = await get(port, '/data.bin', { Range: `bytes=${bin.length}-` });
    assert.equal(bad.status, 416);
    assert.equal(bad.headers['content-range'], `bytes */${bin.length}`);
    const etag = String((await get(port, '/data.bin', {}, 'HEAD')).headers.etag);
    assert.equal((await get(port, '/data.bin', { Range: 'bytes=0-0', 'If-Range': etag })).status, 206);
    const stale = await get(port, '/data.bin', { Range: 'bytes=0-0', 'If-Range': '"old"' });
    assert.equal(stale.status, 200);
    assert.equal(stale.body.length, bin.length);
  });

  // The edge cases that a bare static-server library gets wrong (sirv 3.0.2 answers `bytes=0-0` with
  // the whole file as a 206, `bytes=-10` with bytes 0-10, `bytes=50-10` with a negative length, a
  // stale If-Range with a 206, and ignores If-Modified-Since and tag lists): see docs/serve.md.
  it('range edge cases: one byte, reversed, several ranges and other units', async () => {
    const one = await get(port, '/data.bin', { Range: 'bytes=0-0' });
    assert.equal(one.status, 206);
    assert.equal(one.headers['content-range'], `bytes 0-0/${bin.length}`);
    assert.deepEqual(one.body, bin.subarray(0, 1));
    const past = await get(port, '/data.bin', { Range: `bytes=${bin.length - 2}-${bin.length + 100}` });
    assert.equal(past.headers['content-range'], `bytes ${bin.length - 2}-${bin.length - 1}/${bin.length}`);
    assert.deepEqual(past.body, bin.subarray(bin.length - 2));
    const suffixTooLong = await get(port, '/data.bin', { Range: `bytes=-${bin.length * 2}` });
    assert.equal(suffixTooLong.status, 206);
    assert.equal(suffixTooLong.body.length, bin.length);
    for (const range of ['bytes=50-10', 'bytes=0-1,5-6', 'items=0-5', 'bytes=x-y', 'bytes=-']) {
      const r = await get(port, '/data.bin', { Range: range });
      assert.equal(r.status, 200, range);
      assert.equal(r.headers['content-range'], undefined, range);
      assert.equal(r.body.length, bin.length, range);
    }
    const lastModified = String((await get(port, '/data.bin', {}, 'HEAD')).headers['last-modified']);
    const byDate = await get(port, '/data.bin', { Range: 'bytes=0-0', 'If-Range': lastModified });
    assert.equal(byDate.status, 206);
    const oldDate = new Date(Date.parse(lastModified) - 60_000).toUTCString();
    assert.equal((await get(port, '/data.bin', { Range: 'bytes=0-0', 'If-Range': oldDate })).status, 200);
  });

  it('conditional GETs: tag lists, weak tags, *, dates before and after the change', async () => {
    const first = await get(port, '/data.bin');
    const etag = String(first.headers.etag);
    const lastModified = Date.parse(String(first.headers['last-modified']));
    for (const inm of [`"a", ${etag}`, `W/${etag}`, '*']) {
      const r = await get(port, '/data.bin', { 'If-None-Match': inm });
      assert.equal(r.status, 304, inm);
      assert.equal(r.headers.etag, etag, inm);
    }
    const before = new Date(lastModified - 60_000).toUTCString();
    assert.equal((await get(port, '/data.bin', { 'If-Modified-Since': before })).status, 200);
    const after_ = new Date(lastModified + 60_000).toUTCString();
    assert.equal((await get(port, '/data.bin', { 'If-Modified-Since': after_ })).status, 304);
    // If-None-Match wins over If-Modified-Since (RFC 9110 13.2.2)
    assert.equal(
      (await get(port, '/data.bin', { 'If-None-Match': '"other"', 'If-Modified-Since': after_ })).status,
      200,
    );
    assert.equal((await get(port, '/data.bin', { 'If-Modified-Since': 'not a date' })).status, 200);
  });

  it('gzip for compressible types when accepted; never for binary, tiny files or ranges', async () => {
    const gz = await get(port, '/style.css', { 'Accept-Encoding': 'gzip, br' });
    assert.equal(gz.headers['content-encoding'], 'gzip');
    assert.equal(gz.headers.vary, 'Accept-Encoding');
    assert.equal(gunzipSync(gz.body).toString(), css);
    assert.ok(gz.body.length < css.length / 5, `${gz.body.length} bytes`);
    assert.notEqual(gz.headers.etag, (await get(port, '/style.css')).headers.etag, 'one tag per encoding');
    assert.equal((await get(port, '/style.css')).headers['content-encoding'], undefined);
    assert.equal(
      (await get(port, '/data.bin', { 'Accept-Encoding': 'gzip' })).headers['content-encoding'],
      undefined,
    );
    assert.equal(
      (await get(port, '/small.js', { 'Accept-Encoding': 'gzip' })).headers['content-encoding'],
      undefined,
    );
    const ranged = await get(port, '/style.css', { 'Accept-Encoding': 'gzip', Range: 'bytes=0-9' });
    assert.equal(ranged.status, 206);
    assert.equal(ranged.body.toString(), css.slice(0, 10));
  });

  it('no path traversal: raw and encoded `..`, symlinks out of the root, dotfiles', async () => {
    for (const path of [
      '/../outside/secret.txt',
      '/sub/../../outside/secret.txt',
      '/%2e%2e/outside/secret.txt',
      '/%2E%2e/outside/secret.txt',
      '/..%2foutside%2fsecret.txt',
      '/sub/..%2f..%2foutside%2fsecret.txt',
      '/..%5coutside%5csecret.txt',
      '/leak.txt',
      '/leakdir/secret.txt',
    ]) {
      const r = await get(port, path);
      assert.equal(r.status, 403, path);
      assert.ok(!r.body.toString().includes('TOP SECRET'), path);
    }
    const hidden = await get(port, '/.env');
    assert.equal(hidden.status, 404);
    assert.ok(!hidden.body.toString().includes('SECRET'));
    assert.equal((await get(port, '/%00')).status, 400);
    assert.equal((await get(port, '/alias.js')).status, 200, 'a symlink inside the root is fine');
  });

  it('404.html for missing files (status 404); directories redirect to a trailing slash', async () => {
    const missing = await get(port, '/nope.html');
    assert.equal(missing.status, 404);
    assert.equal(missing.headers['content-type'], 'text/html; charset=utf-8');
    assert.equal(missing.body.toString(), '<h1>custom not found</h1>\n');
    const dir = await get(port, '/sub?x=1');
    assert.equal(dir.status, 301);
    assert.equal(dir.headers.location, '/sub/?x=1');
    assert.equal((await get(port, '/sub/')).body.toString(), '<h1>sub</h1>\n');
    assert.equal((await get(port, '/empty/')).status, 404, 'no directory listings');
    const openRedirect = await get(port, '//sub');
    assert.equal(openRedirect.headers.location, '/sub/');
  });

  it('script: "serve" in an ecosystem file, with PM2_SERVE_SPA and basic auth from env', async () => {
    const p2 = await freePort();
    const dir = tmpDir();
    writeFileSync(
      join(dir, 'ecosystem.config.js'),
      `module.exports = { apps: [{ script: 'serve', env: ${JSON.stringify({
        PM2_SERVE_PATH: site,
        PM2_SERVE_PORT: p2,
        PM2_SERVE_SPA: 'true',
        PM2_SERVE_BASIC_AUTH: 'true',
        PM2_SERVE_BASIC_AUTH_USERNAME: 'admin',
        PM2_SERVE_BASIC_AUTH_PASSWORD: 's3cret',
      })} }] };\n`,
    );
    await home.ok(['start', 'ecosystem.config.js'], { cwd: dir });
    assert.ok((await home.jlist()).some((a) => a.name === `static-page-server-${p2}`));
    const denied = await waitFor(() => get(p2, '/').catch(() => undefined), 'spa server up');
    assert.equal(denied.status, 401);
    assert.match(String(denied.headers['www-authenticate']), /^Basic realm=/);
    assert.equal((await get(p2, '/', basic('admin', 'wrong'))).status, 401);
    assert.equal((await get(p2, '/', basic('other', 's3cret'))).status, 401);
    const ok = await get(p2, '/', basic('admin', 's3cret'));
    assert.equal(ok.status, 200);
    const route = await get(p2, '/app/settings/profile', basic('admin', 's3cret'));
    assert.equal(route.status, 200);
    assert.equal(route.body.toString(), '<h1>home</h1>\n', 'SPA fallback to index.html');
    assert.equal((await get(p2, '/missing.js', basic('admin', 's3cret'))).status, 404);
    assert.equal((await get(p2, '/../outside/secret.txt', basic('admin', 's3cret'))).status, 403);
  });

  it('--spa, --basic-auth-*, --name and --homepage flags; bad options are usage errors', async () => {
    const p3 = await freePort();
    await home.ok([
      'serve',
      site,
      '--port',
      String(p3),
      '--spa',
      '--homepage',
      '/sub/index.html',
      '--basic-auth-username',
      'u',
      '--basic-auth-password',
      'p',
      '--name',
      'docs',
    ]);
    assert.ok((await home.jlist()).some((a) => a.name === 'docs'));
    assert.equal((await get(p3, '/x')).status, 401);
    const r = await get(p3, '/deep/route', basic('u', 'p'));
    assert.equal(r.body.toString(), '<h1>sub</h1>\n');
    const missingDir = await home.run(['serve', join(root, 'nope')]);
    assert.equal(missingDir.code, 2);
    assert.match(missingDir.stderr, /is not a directory/);
    assert.equal((await home.run(['serve', site, '70000'])).code, 2);
    const half = await home.run(['serve', site, String(p3), '--basic-auth-username', 'u']);
    assert.equal(half.code, 2);
    assert.match(half.stderr, /needs both/);
  });
});
