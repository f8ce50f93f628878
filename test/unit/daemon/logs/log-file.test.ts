import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { closeSync, constants, mkdtempSync, openSync, readSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { LogFile, PAUSE_AT, STALL_MS } from '../../../../src/daemon/logs/log-file.js';
import { waitFor } from '../../../helpers.js';

/**
 * A "disk" the test controls: the log file is a FIFO whose reader is the test, so writes complete
 * only when the test reads (a slow disk), or never (a stalled one).
 */
function slowDisk(dir: string, name: string) {
  const path = join(dir, name);
  execFileSync('mkfifo', [path]);
  const fd = openSync(path, constants.O_RDONLY | constants.O_NONBLOCK);
  const buf = Buffer.alloc(1 << 16);
  return {
    path,
    /** Reads what is in the pipe now; returns the byte count. */
    read(): number {
      let n = 0;
      for (;;) {
        try {
          const k = readSync(fd, buf, 0, buf.length, null);
          if (k <= 0) return n;
          n += k;
        } catch {
          return n;
        }
      }
    },
    close: () => closeSync(fd),
  };
}

describe('LogFile backpressure (real pipe as a slow disk)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'stw-logfile-'));
  after(() => rmSync(dir, { recursive: true, force: true }));
  const policy = { maxSize: 0, retain: 1, compress: false, interval: null };
  const hooks = { warn: () => undefined, fallback: () => undefined };
  const line = Buffer.alloc(1000, 'x');

  it('says it is behind past PAUSE_AT, and calls back once the disk has taken it all', async () => {
    const disk = slowDisk(dir, 'slow.log');
    const f = new LogFile(disk.path, policy, hooks);
    try {
      let written = 0;
      while (!f.behind) {
        f.write(line, Date.now());
        written += line.length;
        assert.ok(written < 8 * PAUSE_AT, 'never behind');
      }
      assert.ok(written > PAUSE_AT);
      let called = false;
      f.whenWritten(() => (called = true));
      await new Promise((r) => setTimeout(r, 50));
      assert.equal(called, false, 'called back while the disk had taken nothing');
      let got = 0;
      await waitFor(() => {
        got += disk.read();
        return called;
      }, 'whenWritten after the disk caught up');
      assert.equal(f.behind, false);
      await waitFor(() => (got += disk.read()) === written, 'every byte on the disk');
      assert.equal(f.dropped, 0);
    } finally {
      void f.close();
      disk.close();
    }
  });

  it('gives up waiting on a stalled disk after STALL_MS, then drops (and counts) past the cap', async () => {
    const disk = slowDisk(dir, 'stalled.log');
    const f = new LogFile(disk.path, policy, hooks);
    try {
      while (!f.behind) f.write(line, Date.now());
      const t0 = Date.now();
      await new Promise<void>((r) => f.whenWritten(r));
      const waited = Date.now() - t0;
      assert.ok(waited >= STALL_MS - 50, `waited ${waited} ms`);
      // Stalled: not "behind" any more, so reading goes on; the bounded buffer drops the excess.
      assert.equal(f.behind, false);
      for (let i = 0; i < 20_000 && f.dropped === 0; i += 1) f.write(line, Date.now());
      assert.ok(f.dropped > 0, 'output past the cap is counted as dropped');
    } finally {
      f.close().catch(() => undefined);
      disk.close();
    }
  });
});
