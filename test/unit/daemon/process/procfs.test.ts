import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { parseStat, ProcFile, readStat } from '../../../../src/daemon/process/procfs.js';
import { Sampler } from '../../../../src/daemon/views/sampler.js';

describe('/proc readers', () => {
  it('a kept-open /proc file gives fresh text on every read, and nothing once the process is gone', async () => {
    const child = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)'], { stdio: 'ignore' });
    const pid = child.pid as number;
    try {
      const stat = new ProcFile(`/proc/${pid}/stat`);
      const first = stat.read();
      assert.ok(first);
      assert.equal(parseStat(pid, first).pid, pid);
      assert.equal(parseStat(pid, first).startTime, readStat(pid)?.startTime);
      // CPU ticks go up between two reads of one open file: the text is generated again.
      const self = new ProcFile(`/proc/${process.pid}/stat`);
      const a = parseStat(process.pid, self.read() ?? '').cpuTicks;
      const t = Date.now();
      while (Date.now() - t < 200); // burn CPU in this process
      const b = parseStat(process.pid, self.read() ?? '').cpuTicks;
      assert.ok(b > a, `cpu ticks ${a} -> ${b}`);
      self.close();

      child.kill('SIGKILL');
      await once(child, 'exit');
      assert.equal(stat.read(), undefined);
      stat.close();
    } finally {
      child.kill('SIGKILL');
    }
  });

  it('samples a process tree with its children, and forgets processes that are gone', async () => {
    // Its own process group, so that the sleeps die with it.
    const child = spawn('sh', ['-c', 'sleep 30 & sleep 30 & wait'], { stdio: 'ignore', detached: true });
    const pid = child.pid as number;
    const killGroup = () => {
      try {
        process.kill(-pid, 'SIGKILL');
      } catch {
        // gone
      }
    };
    try {
      let now = 0;
      const s = new Sampler(() => now);
      // Wait until both sleeps are forked.
      const deadline = Date.now() + 5000;
      for (;;) {
        s.run([pid]);
        if (s.get(pid).memory > (readStat(pid)?.rssPages ?? 0) * 4096 * 2) break;
        assert.ok(Date.now() < deadline, 'children never showed up in the sample');
        await new Promise((r) => setTimeout(r, 20));
      }
      now += 1000;
      s.run([pid]);
      assert.ok(s.has(pid));
      // The sleeps first, so that sh reaps them (orphans would be left to init as zombies).
      const exited = once(child, 'exit');
      for (const c of readFileSync(`/proc/${pid}/task/${pid}/children`, 'latin1').trim().split(' '))
        process.kill(Number(c), 'SIGKILL');
      await exited;
      s.run([pid]);
      assert.equal(s.has(pid), false);
      s.run([]);
    } finally {
      killGroup();
    }
  });
});
