import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { ROOT } from '../../helpers.js';

describe('web dashboard packaging', () => {
  it('ships the web server and the built page (no CDN): package.json files and the build output agree', () => {
    const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { files: string[] };
    assert.ok(pkg.files.includes('dist/web.js'));
    assert.ok(pkg.files.includes('dist/web'));
    for (const f of ['dist/web.js', 'dist/web/index.html', 'dist/web/app.js', 'dist/web/app.css']) {
      assert.ok(existsSync(join(ROOT, f)), `${f} is built by npm run build`);
    }
    const html = readFileSync(join(ROOT, 'dist/web/index.html'), 'utf8');
    assert.ok(
      !/https?:\/\//.test(html.replace(/<!doctype[^>]*>/i, '')),
      'the page loads nothing from elsewhere',
    );
  });
});
