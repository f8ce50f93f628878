import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { resolveTarget, resolveTargets, type Targetable } from '../../../../src/daemon/table/targets.js';
import { throwsCode } from '../../support.js';

const CWD = '/srv';

const ITEMS: Targetable[] = [
  { pm_id: 0, name: 'api', namespace: 'web', pm_exec_path: '/srv/api/server.js' },
  { pm_id: 1, name: 'api', namespace: 'web', pm_exec_path: '/srv/api/server.js' },
  { pm_id: 2, name: 'worker-1', namespace: 'jobs', pm_exec_path: '/srv/jobs/worker.js' },
  { pm_id: 3, name: 'worker-2', namespace: 'jobs', pm_exec_path: '/srv/jobs/worker.js' },
  { pm_id: 4, name: '7', namespace: 'default', pm_exec_path: '/usr/bin/sleep' },
  { pm_id: 5, name: 'cron', namespace: '4', pm_exec_path: '/srv/cron.py' },
  { pm_id: 7, name: 'web', namespace: 'default', pm_exec_path: '/srv/web/index.js' },
];

describe('resolveTarget', () => {
  it('resolves all to every id', () => {
    assert.deepEqual(resolveTarget('all', ITEMS, CWD), [0, 1, 2, 3, 4, 5, 7]);
    assert.deepEqual(resolveTarget('all', [], CWD), []);
  });

  it('tests /regex/ against the name, without flags', () => {
    assert.deepEqual(resolveTarget('/^worker-/', ITEMS, CWD), [2, 3]);
    assert.deepEqual(resolveTarget('/worker-[1,9]/', ITEMS, CWD), [2]);
    assert.deepEqual(resolveTarget('/API/', ITEMS, CWD), []);
    // The regex is on the name only, not the namespace.
    assert.deepEqual(resolveTarget('/jobs/', ITEMS, CWD), []);
  });

  it('throws E_USAGE for an invalid regex', () => {
    const err = throwsCode(
      () => resolveTarget('/(oops/', ITEMS, CWD),
      'E_USAGE',
      /invalid regular expression \/\(oops\//,
    );
    assert.ok(err.hint);
  });

  it('matches a name, giving every instance of it', () => {
    assert.deepEqual(resolveTarget('api', ITEMS, CWD), [0, 1]);
    assert.deepEqual(resolveTarget('worker-2', ITEMS, CWD), [3]);
  });

  it('matches the script path, relative to the cwd or absolute', () => {
    assert.deepEqual(resolveTarget('jobs/worker.js', ITEMS, CWD), [2, 3]);
    assert.deepEqual(resolveTarget('./server.js', ITEMS, '/srv/api'), [0, 1]);
    assert.deepEqual(resolveTarget('/srv/cron.py', ITEMS, '/elsewhere'), [5]);
    assert.deepEqual(resolveTarget('server.js', ITEMS, CWD), []);
  });

  it('falls back to the namespace when no name matches', () => {
    assert.deepEqual(resolveTarget('jobs', ITEMS, CWD), [2, 3]);
    // A name wins over a namespace of the same name.
    assert.deepEqual(resolveTarget('web', ITEMS, CWD), [7]);
  });

  it('tries a number as a name, then a namespace, then an id', () => {
    assert.deepEqual(resolveTarget('7', ITEMS, CWD), [4]);
    assert.deepEqual(resolveTarget('4', ITEMS, CWD), [5]);
    assert.deepEqual(resolveTarget('2', ITEMS, CWD), [2]);
    assert.deepEqual(resolveTarget('0', ITEMS, CWD), [0]);
    assert.deepEqual(resolveTarget('99', ITEMS, CWD), []);
  });

  it('returns nothing for an unknown name', () => {
    assert.deepEqual(resolveTarget('nope', ITEMS, CWD), []);
  });
});

describe('resolveTargets', () => {
  it('merges several targets into sorted, unique ids', () => {
    assert.deepEqual(resolveTargets(['worker-2', 'api', '0', '/^worker/'], ITEMS, CWD), [0, 1, 2, 3]);
  });

  it('throws E_APP_NOT_FOUND naming every unmatched target, and resolves nothing', () => {
    throwsCode(
      () => resolveTargets(['api', 'nope', '99'], ITEMS, CWD),
      'E_APP_NOT_FOUND',
      /^process or namespace not found: nope, 99$/,
    );
  });

  it('says so when all is given and no app is managed', () => {
    throwsCode(() => resolveTargets(['all'], [], CWD), 'E_APP_NOT_FOUND', /all \(no apps are managed\)/);
  });

  it('throws E_USAGE for an empty target list', () => {
    throwsCode(() => resolveTargets([], ITEMS, CWD), 'E_USAGE', /no target given/);
  });

  it('propagates E_USAGE for an invalid regex', () => {
    throwsCode(() => resolveTargets(['api', '/[/'], ITEMS, CWD), 'E_USAGE');
  });
});
