import assert from 'node:assert/strict';
import { mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { writeFileAtomic } from '../../../src/common/atomic-write.js';
import { tmpDir } from '../../helpers.js';

let root = '';
let n = 0;
/** A fresh empty directory per test, so listing it shows any temp file left behind. */
function freshDir(): string {
  n += 1;
  const d = join(root, String(n));
  mkdirSync(d);
  return d;
}

before(() => {
  root = tmpDir();
});
after(() => rmSync(root, { recursive: true, force: true }));

describe('writeFileAtomic', () => {
  it('writes a new file, private to the owner, and nothing else', () => {
    const d = freshDir();
    const p = join(d, 'state.json');
    writeFileAtomic(p, '{"é":1}\n');
    assert.equal(readFileSync(p, 'utf8'), '{"é":1}\n');
    assert.equal(statSync(p).mode & 0o777, 0o600);
    assert.deepEqual(readdirSync(d), ['state.json']);
  });

  it('replaces an existing file', () => {
    const d = freshDir();
    const p = join(d, 'state.json');
    writeFileAtomic(p, 'one');
    writeFileAtomic(p, 'two', { fsync: false });
    assert.equal(readFileSync(p, 'utf8'), 'two');
    assert.deepEqual(readdirSync(d), ['state.json']);
  });

  it('keeps the previous content as the backup', () => {
    const d = freshDir();
    const p = join(d, 'dump.json');
    const bak = join(d, 'dump.json.bak');
    writeFileAtomic(p, 'one', { backup: bak });
    assert.deepEqual(readdirSync(d), ['dump.json'], 'no backup of a file that did not exist');
    writeFileAtomic(p, 'two', { backup: bak });
    assert.equal(readFileSync(p, 'utf8'), 'two');
    assert.equal(readFileSync(bak, 'utf8'), 'one');
    writeFileAtomic(p, 'three', { backup: bak });
    assert.equal(readFileSync(bak, 'utf8'), 'two');
    assert.deepEqual(readdirSync(d).sort(), ['dump.json', 'dump.json.bak']);
  });

  it('throws when the parent is a file, leaving no temp file', () => {
    const d = freshDir();
    writeFileSync(join(d, 'file'), 'x');
    assert.throws(
      () => writeFileAtomic(join(d, 'file', 'state.json'), 'data'),
      (e: unknown) => (e as NodeJS.ErrnoException).code === 'ENOTDIR',
    );
    assert.deepEqual(readdirSync(d), ['file']);
    assert.equal(readFileSync(join(d, 'file'), 'utf8'), 'x');
  });

  it('leaves the old file untouched and removes the temp file when the backup cannot be written', () => {
    const d = freshDir();
    const p = join(d, 'dump.json');
    writeFileSync(p, 'old');
    writeFileSync(join(d, 'blocker'), 'x');
    assert.throws(
      () => writeFileAtomic(p, 'new', { backup: join(d, 'blocker', 'dump.json.bak') }),
      (e: unknown) => (e as NodeJS.ErrnoException).code === 'ENOTDIR',
    );
    assert.equal(readFileSync(p, 'utf8'), 'old');
    assert.deepEqual(readdirSync(d).sort(), ['blocker', 'dump.json']);
  });

  it('leaves the target untouched and removes the temp file when the rename fails', () => {
    const d = freshDir();
    const p = join(d, 'taken');
    mkdirSync(p);
    writeFileSync(join(p, 'inside'), 'keep');
    assert.throws(() => writeFileAtomic(p, 'new'));
    assert.deepEqual(readdirSync(d), ['taken']);
    assert.equal(readFileSync(join(p, 'inside'), 'utf8'), 'keep');
  });
});
