import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { APPS, BIN, Home, readText, tmpDir, waitFor } from '../helpers.js';

// `steward monit` driven for real: inside a detached tmux session of a fixed size, read back with
// capture-pane. .ci/run installs tmux; without it this suite is skipped, saying why.
const HAS_TMUX = spawnSync('tmux', ['-V']).status === 0;
const FOREVER = join(APPS, 'forever.js');
const CHATTY = join(APPS, 'chatty.js');

interface ListRow {
  selected: boolean;
  id: number;
  name: string;
  status: string;
  restarts: number;
}

/** The process rows of the list pane (left side, in the wide layout). */
function listRows(screen: string): ListRow[] {
  const out: ListRow[] = [];
  for (const line of screen.split('\n')) {
    const m = /^([> ]) +(\d+) (\S+) +([a-z-]+) .* (\d+)[│|]/.exec(line);
    if (m) {
      out.push({
        selected: m[1] === '>',
        id: Number(m[2]),
        name: m[3] ?? '',
        status: m[4] ?? '',
        restarts: Number(m[5]),
      });
    }
  }
  return out;
}

const selectedName = (screen: string) => listRows(screen).find((r) => r.selected)?.name;

describe(
  'steward monit in a terminal',
  { skip: HAS_TMUX ? false : 'tmux is not installed (.ci/run installs it with apt-get)' },
  () => {
    const home = new Home();
    const dir = tmpDir();
    // A server of our own, its socket in the test's directory: nothing of the user's tmux is touched.
    const socket = join(dir, 'tmux.sock');
    const env = { ...home.env, LANG: 'C.UTF-8' };
    const tmux = (...args: string[]) =>
      execFileSync('tmux', ['-S', socket, '-f', '/dev/null', ...args], { encoding: 'utf8', env });
    const screen = () => tmux('capture-pane', '-p', '-t', 'monit');
    const keys = (...k: string[]) => tmux('send-keys', '-t', 'monit', ...k);
    const pane = (format: string) => tmux('list-panes', '-t', 'monit', '-F', format).trim();
    /** Polls the screen until `test` holds; the last screen is in the failure message. */
    const waitScreen = async (test: (s: string) => boolean, what: string, ms = 10_000) => {
      let last = '';
      try {
        return await waitFor(() => (test((last = screen())) ? last : undefined), what, ms);
      } catch (e) {
        throw new Error(`${(e as Error).message}\n--- screen ---\n${last}`);
      }
    };
    const restartsOf = async (name: string) =>
      (await home.jlist()).find((e) => e.name === name)?.pm2_env.restart_time;

    after(async () => {
      try {
        tmux('kill-server');
      } catch {
        // no server: nothing to end
      }
      await home.cleanup();
      rmSync(dir, { recursive: true, force: true });
    });

    it('lists, selects, follows output, restarts, stops, filters, resizes and quits cleanly', async () => {
      await home.ok(['start', FOREVER, '--name', 'alpha']);
      await home.ok(['start', FOREVER, '--name', 'beta']);
      await home.ok(['start', CHATTY, '--name', 'chatty'], { env: { EVERY_MS: '20' } });

      // The shell waits for Enter so that the raw output is recorded from monit's first byte; it
      // saves the terminal modes before and after, to prove raw mode is undone.
      const script =
        `read _; stty -g > ${dir}/before; ${process.execPath} ${BIN} monit; ` +
        `echo $? > ${dir}/rc; stty -g > ${dir}/after`;
      tmux('new-session', '-d', '-s', 'monit', '-x', '120', '-y', '35', 'sh', '-c', script);
      tmux('set-option', '-t', 'monit', 'remain-on-exit', 'on');
      tmux('pipe-pane', '-t', 'monit', '-o', `cat >> ${dir}/raw`);
      keys('Enter');

      let s = await waitScreen(
        (x) => listRows(x).filter((r) => r.status === 'online').length === 3,
        'three online apps listed',
      );
      assert.deepEqual(
        listRows(s).map((r) => r.name),
        ['alpha', 'beta', 'chatty'],
      );
      assert.equal(selectedName(s), 'alpha');
      assert.match(s, /steward monit +3 apps · 3 online/);

      keys('j');
      await waitScreen((x) => selectedName(x) === 'beta' && /── beta · id 1 ─/.test(x), 'beta selected');
      keys('Down');
      s = await waitScreen((x) => selectedName(x) === 'chatty' && /chatty line \d+/.test(x), 'chatty output');
      const lastLine = (x: string) =>
        Math.max(...[...x.matchAll(/chatty line (\d+)/g)].map((m) => Number(m[1])));
      const seen = lastLine(s);
      await waitScreen((x) => lastLine(x) > seen + 5, 'the output pane follows live lines');

      // r restarts the selected app (and only it).
      const before = await restartsOf('chatty');
      keys('r');
      await waitFor(async () => (await restartsOf('chatty')) === (before ?? 0) + 1, 'chatty restarted');
      await waitScreen(
        (x) => listRows(x).find((r) => r.name === 'chatty')?.restarts === 1,
        'restart count on screen',
      );
      assert.equal(await restartsOf('alpha'), 0);

      // s stops the selected app.
      keys('k', 's');
      await waitScreen(
        (x) => listRows(x).find((r) => r.name === 'beta')?.status === 'stopped',
        'beta stopped',
      );
      assert.equal((await home.jlist()).find((e) => e.name === 'beta')?.pm2_env.status, 'stopped');

      // / filters by name as you type; Esc clears.
      keys('/', 'a', 'l');
      s = await waitScreen(
        (x) => listRows(x).length === 1 && /filter "al": 1 shown/.test(x),
        'only alpha matches "al"',
      );
      assert.equal(listRows(s)[0]?.name, 'alpha');
      assert.equal(selectedName(s), 'alpha');
      keys('Escape');
      await waitScreen((x) => listRows(x).length === 3 && !/filter "/.test(x), 'filter cleared');

      // A narrower terminal stacks the panes (the details title bar starts at column 0).
      tmux('resize-window', '-t', 'monit', '-x', '80', '-y', '30');
      await waitScreen((x) => /^── alpha · id 0 ─/m.test(x), 'stacked layout after resize');
      tmux('resize-window', '-t', 'monit', '-x', '120', '-y', '35');
      await waitScreen((x) => listRows(x).length === 3, 'wide layout again');

      // q quits: the process ends with 0 and the terminal is given back as it was.
      keys('q');
      await waitFor(() => pane('#{pane_dead}') === '1', 'the pane process ended');
      assert.equal(readText(join(dir, 'rc')).trim(), '0');
      assert.equal(readText(join(dir, 'after')), readText(join(dir, 'before')), 'terminal modes restored');
      assert.equal(pane('#{alternate_on}'), '0');
      const raw = readText(join(dir, 'raw'));
      assert.ok(
        raw.lastIndexOf('\u001b[?1049l') > raw.lastIndexOf('\u001b[?1049h'),
        'left the alternate screen',
      );
      assert.ok(raw.lastIndexOf('\u001b[?25h') > raw.lastIndexOf('\u001b[?25l'), 'cursor shown again');
      // NO_COLOR (set by Home): no colour codes at all.
      // eslint-disable-next-line no-control-regex
      assert.doesNotMatch(raw, /\u001b\[(3\d|9\d|4\d)m/);
    });
  },
);
