import assert from 'node:assert/strict';
import { closeSync, fstatSync, readdirSync, readSync, statSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { PipeMaker } from '../../../../src/daemon/process/pipes.js';
import { tmpDir } from '../../../helpers.js';

describe('PipeMaker (real FIFOs)', () => {
  const dir = join(tmpDir(), 'pipes');

  it('gives a working pipe whose name is already gone, from a private directory', async () => {
    const logs: string[] = [];
    const maker = new PipeMaker(dir, (m) => logs.push(m), 4);
    const p = await maker.pipe();
    assert.ok(p, 'a pipe');
    try {
      assert.ok(fstatSync(p.read).isFIFO());
      assert.equal(statSync(dir).mode & 0o777, 0o700);
      // Spares wait in the directory; the one handed out is unlinked.
      assert.ok(readdirSync(dir).length <= 3);
      writeSync(p.write, 'hello\n');
      const buf = Buffer.alloc(16);
      assert.equal(buf.toString('utf8', 0, readSync(p.read, buf)), 'hello\n');
      assert.deepEqual(logs, []);
    } finally {
      closeSync(p.read);
      closeSync(p.write);
      maker.close();
    }
  });

  it('falls back (null, one warning) when mkfifo cannot be run', async () => {
    const logs: string[] = [];
    const path = process.env.PATH;
    process.env.PATH = '/nonexistent';
    try {
      const maker = new PipeMaker(join(tmpDir(), 'pipes'), (m) => logs.push(m));
      assert.equal(await maker.pipe(), null);
      assert.equal(await maker.pipe(), null);
      maker.close();
    } finally {
      process.env.PATH = path;
    }
    assert.equal(logs.length, 1);
    assert.match(logs[0] ?? '', /no FIFOs for app output .*using socketpairs/);
  });
});
