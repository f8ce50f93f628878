import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { configFromEnv } from '../../../src/serve/config.js';
import {
  acceptsGzip,
  etagOf,
  ifRangeMatches,
  noneMatch,
  notModifiedSince,
  parseRange,
  requestPath,
} from '../../../src/serve/http.js';
import { contentType, isCompressible } from '../../../src/serve/mime.js';
import { tmpDir } from '../../helpers.js';

describe('serve: request paths', () => {
  it('decodes segments and drops empty and "." ones', () => {
    assert.deepEqual(requestPath('/a//b/./c%20d.html?x=1#f'), {
      ok: true,
      segments: ['a', 'b', 'c d.html'],
      trailingSlash: false,
    });
    assert.deepEqual(requestPath('/docs/'), { ok: true, segments: ['docs'], trailingSlash: true });
    assert.deepEqual(requestPath('http://host:8080/x'), { ok: true, segments: ['x'], trailingSlash: false });
  });

  it('refuses traversal in every spelling with 403', () => {
    for (const p of [
      '/../etc/passwd',
      '/a/../../etc/passwd',
      '/%2e%2e/etc/passwd',
      '/%2E%2E/etc/passwd',
      '/..%2fetc%2fpasswd',
      '/..%5c..%5cetc',
      '/a/%2e%2e%2f%2e%2e%2fetc',
      '/..',
    ]) {
      assert.deepEqual(requestPath(p), { ok: false, status: 403 }, p);
    }
  });

  it('bad encoding and NUL are 400; encoded slashes and dotfiles are 404', () => {
    assert.deepEqual(requestPath('/%E0%A4%A'), { ok: false, status: 400 });
    assert.deepEqual(requestPath('/a%00.html'), { ok: false, status: 400 });
    assert.deepEqual(requestPath('relative'), { ok: false, status: 400 });
    assert.deepEqual(requestPath('/a%2fb'), { ok: false, status: 404 });
    assert.deepEqual(requestPath('/.env'), { ok: false, status: 404 });
    assert.deepEqual(requestPath('/.git/config'), { ok: false, status: 404 });
    assert.equal(requestPath('/.well-known/security.txt').ok, true);
  });
});

describe('serve: ranges and negotiation', () => {
  it('parses one byte range; suffix, open end, clamped end', () => {
    assert.deepEqual(parseRange('bytes=0-9', 100), { kind: 'range', start: 0, end: 9 });
    assert.deepEqual(parseRange('bytes=90-', 100), { kind: 'range', start: 90, end: 99 });
    assert.deepEqual(parseRange('bytes=-10', 100), { kind: 'range', start: 90, end: 99 });
    assert.deepEqual(parseRange('bytes=-500', 100), { kind: 'range', start: 0, end: 99 });
    assert.deepEqual(parseRange('bytes=50-500', 100), { kind: 'range', start: 50, end: 99 });
  });

  it('is unsatisfiable past the end, and ignores what it does not handle', () => {
    assert.deepEqual(parseRange('bytes=100-', 100), { kind: 'unsatisfiable' });
    assert.deepEqual(parseRange('bytes=-0', 100), { kind: 'unsatisfiable' });
    assert.deepEqual(parseRange('bytes=0-1,5-6', 100), { kind: 'none' });
    assert.deepEqual(parseRange('items=0-1', 100), { kind: 'none' });
    assert.deepEqual(parseRange('bytes=9-2', 100), { kind: 'none' });
    assert.deepEqual(parseRange(undefined, 100), { kind: 'none' });
  });

  it('gzip only when accepted with q > 0', () => {
    assert.equal(acceptsGzip('gzip, deflate, br'), true);
    assert.equal(acceptsGzip('br;q=1.0, gzip;q=0.5'), true);
    assert.equal(acceptsGzip('gzip;q=0'), false);
    assert.equal(acceptsGzip('*'), true);
    assert.equal(acceptsGzip('identity'), false);
    assert.equal(acceptsGzip(undefined), false);
  });

  it('validators: entity tags per representation, dates in whole seconds, If-Range', () => {
    const tag = etagOf(1234, 1700000000123, false);
    assert.notEqual(tag, etagOf(1234, 1700000000123, true));
    assert.equal(noneMatch(`"x", ${tag}`, tag), true);
    assert.equal(noneMatch(`W/${tag}`, tag), true);
    assert.equal(noneMatch('*', tag), true);
    assert.equal(noneMatch('"other"', tag), false);
    const lm = new Date(1700000000123).toUTCString();
    assert.equal(notModifiedSince(lm, 1700000000123), true);
    assert.equal(notModifiedSince(new Date(1699999999000).toUTCString(), 1700000000123), false);
    assert.equal(notModifiedSince('garbage', 1), false);
    assert.equal(ifRangeMatches(undefined, tag, lm), true);
    assert.equal(ifRangeMatches(tag, tag, lm), true);
    assert.equal(ifRangeMatches('"old"', tag, lm), false);
    assert.equal(ifRangeMatches(lm, tag, lm), true);
  });

  it('content types, with a charset for text; compressible types', () => {
    assert.equal(contentType('a/index.HTML'), 'text/html; charset=utf-8');
    assert.equal(contentType('app.mjs'), 'text/javascript; charset=utf-8');
    assert.equal(contentType('data.json'), 'application/json; charset=utf-8');
    assert.equal(contentType('logo.svg'), 'image/svg+xml; charset=utf-8');
    assert.equal(contentType('photo.jpeg'), 'image/jpeg');
    assert.equal(contentType('font.woff2'), 'font/woff2');
    assert.equal(contentType('blob.bin'), 'application/octet-stream');
    assert.equal(contentType('Makefile'), 'application/octet-stream');
    assert.equal(isCompressible('text/css'), true);
    assert.equal(isCompressible('application/wasm'), true);
    assert.equal(isCompressible('image/png'), false);
  });
});

describe('serve: configuration from PM2_SERVE_*', () => {
  it('defaults: cwd, 8080, 127.0.0.1, no spa, /index.html, no auth', () => {
    const dir = tmpDir();
    const c = configFromEnv({}, dir);
    assert.equal(c.port, 8080);
    assert.equal(c.host, '127.0.0.1');
    assert.equal(c.spa, false);
    assert.equal(c.homepage, '/index.html');
    assert.equal(c.auth, null);
  });

  it('reads every variable, and refuses half-configured auth and bad ports', () => {
    const dir = tmpDir();
    const c = configFromEnv(
      {
        PM2_SERVE_PATH: dir,
        PM2_SERVE_PORT: '9000',
        PM2_SERVE_HOST: '0.0.0.0',
        PM2_SERVE_SPA: 'true',
        PM2_SERVE_HOMEPAGE: 'app.html',
        PM2_SERVE_BASIC_AUTH: 'true',
        PM2_SERVE_BASIC_AUTH_USERNAME: 'u',
        PM2_SERVE_BASIC_AUTH_PASSWORD: 'p',
      },
      '/',
    );
    assert.deepEqual(
      { port: c.port, host: c.host, spa: c.spa, homepage: c.homepage, auth: c.auth },
      {
        port: 9000,
        host: '0.0.0.0',
        spa: true,
        homepage: '/app.html',
        auth: { username: 'u', password: 'p' },
      },
    );
    assert.throws(() => configFromEnv({ PM2_SERVE_BASIC_AUTH: 'true' }, dir), /USERNAME or/);
    assert.throws(() => configFromEnv({ PM2_SERVE_PORT: 'http' }, dir), /PM2_SERVE_PORT/);
    assert.throws(() => configFromEnv({ PM2_SERVE_PATH: '/nonexistent/x' }, dir), /PM2_SERVE_PATH/);
  });
});
