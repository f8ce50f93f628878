import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync, readlinkSync, symlinkSync, unlinkSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, it } from 'node:test';
import { acquireStartLock } from '../../../../src/daemon/state/start-lock.js';
import { tmpDir } from '../../../helpers.js';

/** `<pid>:<start time>` as the lock names its holder. */
function identity(pid: number): string {
  const stat = readFileSync(`/proc/${pid}/stat`, 'latin1');
  return `${pid}:${stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19]}`;
}

function sleeper(): Promise<ChildProcess & { pid: number }> {
  const child = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1e6)'], { stdio: 'ignore' });
  return new Promise((resolve, reject) => {
    child.once('spawn', () => resolve(child as ChildProcess & { pid: number }));
    child.once('error', reject);
  });
}

function exited(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) resolve();
    else child.once('exit', () => resolve());
  });
}

describe('start lock', () => {
  const children: ChildProcess[] = [];
  afterEach(async () => {
    for (const c of children.splice(0)) {
      c.kill('SIGKILL');
      await exited(c);
    }
  });

  it('is taken when free, names its holder, and is released once', async () => {
    const path = join(tmpDir(), 'daemon.lock');
    const lock = await acquireStartLock(path, 1000);
    assert.equal(readlinkSync(path), identity(process.pid));
    assert.ok(lock.held());
    lock.release();
    assert.ok(!existsSync(path) && !lock.held());
    lock.release();
    // and can be taken again
    (await acquireStartLock(path, 1000)).release();
  });

  it('waits for a live holder, and fails naming it past the deadline', async () => {
    const path = join(tmpDir(), 'daemon.lock');
    const holder = await sleeper();
    children.push(holder);
    symlinkSync(identity(holder.pid), path);
    await assert.rejects(acquireStartLock(path, 200), (e: Error & { code?: string }) => {
      assert.equal(e.code, 'E_DAEMON_START');
      assert.match(e.message, new RegExp(`pid ${holder.pid}\\b`));
      return true;
    });
    assert.equal(readlinkSync(path), identity(holder.pid), 'a live lock is left alone');
    // Released by its holder while we wait: taken.
    const waiting = acquireStartLock(path, 10_000);
    unlinkSync(path);
    (await waiting).release();
  });

  it('breaks the lock of a holder that died, even while waiting for it', async () => {
    const path = join(tmpDir(), 'daemon.lock');
    const holder = await sleeper();
    children.push(holder);
    symlinkSync(identity(holder.pid), path);
    const waiting = acquireStartLock(path, 10_000);
    holder.kill('SIGKILL');
    const lock = await waiting;
    assert.equal(readlinkSync(path), identity(process.pid));
    lock.release();
  });

  it('treats a recycled pid (same pid, other start time) as a dead holder', async () => {
    const path = join(tmpDir(), 'daemon.lock');
    symlinkSync(`${process.pid}:1`, path);
    const lock = await acquireStartLock(path, 1000);
    assert.ok(lock.held());
    lock.release();
  });
});
