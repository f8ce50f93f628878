import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { COMMANDS, type OptionDef } from '../../../src/cli/registry.js';
import { FLAG_KEYS, flagAttr } from '../../../src/config/from-cli.js';
import { OPTIONS } from '../../../src/config/options.js';
import { PM2_GLOBAL_FLAGS, PM2_LOGS_FLAGS, PM2_START_FLAGS } from '../../pm2-flags.js';

const declared = (options: OptionDef[] | undefined): Set<string> =>
  new Set((options ?? []).flatMap((o) => o.flags.split(/[ ,]+/).filter((w) => w.startsWith('-'))));
const command = (name: string) => COMMANDS.find((c) => c.name === name);
// Declared on the program itself (src/cli/main.ts).
const PROGRAM = new Set(['-s', '--silent', '--no-color', '-v', '--version']);

describe("PM2's flags in the CLI's option table", () => {
  for (const name of [
    'start',
    'stop',
    'restart',
    'reload',
    'delete',
    'logs',
    'startOrRestart',
    'list',
    'jlist',
    'prettylist',
    'describe',
  ]) {
    it(`${name} accepts every PM2 global flag, short and long`, () => {
      const flags = declared(command(name)?.options);
      const missing = PM2_GLOBAL_FLAGS.map(([f]) => f).filter((f) => !flags.has(f) && !PROGRAM.has(f));
      assert.deepEqual(missing, []);
    });
  }

  it("start accepts PM2's start flags, logs PM2's logs flags", () => {
    const start = declared(command('start')?.options);
    assert.deepEqual(
      PM2_START_FLAGS.filter((f) => !start.has(f)),
      [],
    );
    const logs = declared(command('logs')?.options);
    assert.deepEqual(
      PM2_LOGS_FLAGS.filter((f) => !logs.has(f)),
      [],
    );
  });

  it('every start flag that sets an option comes from the option table', () => {
    for (const o of OPTIONS)
      for (const f of o.cli ?? []) assert.equal(FLAG_KEYS.get(flagAttr(f.flags)), o.key, f.flags);
    // And nothing else sets options: the other start flags are the CLI's own.
    const own = new Set(['noDaemon', 'daemon', 'updateEnv', 'only', 'env']);
    for (const o of command('start')?.options ?? []) {
      const attr = flagAttr(o.flags);
      if (!FLAG_KEYS.has(attr) && !own.has(attr))
        assert.ok(o.ignored, `${o.flags} neither sets an option nor is noted`);
    }
  });

  it('declares each flag once per command', () => {
    for (const c of COMMANDS) {
      const all = (c.options ?? []).flatMap((o) => o.flags.split(/[ ,]+/).filter((w) => w.startsWith('-')));
      assert.equal(new Set(all).size, all.length, c.name);
    }
  });
});
