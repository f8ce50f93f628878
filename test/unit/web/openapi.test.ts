import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { openApiDocument } from '../../../src/web/openapi.js';
import { matchRoute } from '../../../src/web/router.js';
import { ROUTES } from '../../../src/web/routes.js';
import { ROOT } from '../../helpers.js';

describe('web API reference', () => {
  it('docs/openapi.json is generated from the route table and up to date (run `npm run docs`)', () => {
    const committed = readFileSync(join(ROOT, 'docs/openapi.json'), 'utf8');
    assert.equal(committed, JSON.stringify(openApiDocument(), null, 2) + '\n');
  });

  it('docs/http-api.md names every route', () => {
    const doc = readFileSync(join(ROOT, 'docs/http-api.md'), 'utf8');
    for (const r of ROUTES) assert.ok(doc.includes(`${r.method} ${r.path}`), `${r.method} ${r.path}`);
  });

  it('routes match their own paths, literal segments first, and say which methods a path allows', () => {
    const scale = matchRoute(ROUTES, 'POST', '/api/processes/api/scale');
    assert.ok(scale && 'route' in scale);
    assert.equal(scale.route.path, '/api/processes/{target}/scale');
    const act = matchRoute(ROUTES, 'POST', '/api/processes/my%20app/restart');
    assert.ok(act && 'route' in act);
    assert.deepEqual(act.params, { target: 'my app', action: 'restart' });
    assert.deepEqual(matchRoute(ROUTES, 'PUT', '/api/processes'), { allowed: ['GET'] });
    assert.equal(matchRoute(ROUTES, 'GET', '/api/processes/%E0%A4%A/logs'), undefined);
    assert.equal(matchRoute(ROUTES, 'GET', '/api/nothing'), undefined);
  });
});
