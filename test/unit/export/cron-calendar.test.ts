import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { describe, it } from 'node:test';
import { which } from '../../../src/config/resolve-script.js';
import { cronToCalendar } from '../../../src/export/cron-calendar.js';

const CASES: Array<[string, string | undefined]> = [
  ['0 3 * * *', '*-*-* 03:00:00'],
  ['*/15 * * * *', '*-*-* *:00/15:00'],
  ['30 2 * * 1-5', 'Mon..Fri *-*-* 02:30:00'],
  ['0 0 1 */3 *', '*-01/3-01 00:00:00'],
  ['0 9,17 * * sun', 'Sun *-*-* 09,17:00:00'],
  ['*/10 * * * * *', '*-*-* *:*:00/10'],
  ['0 0 1-7 * *', '*-*-01..07 00:00:00'],
  ['0 0 * * 7', 'Sun *-*-* 00:00:00'],
  ['0 0 L * *', undefined],
  ['0 0 1-10/2 * *', undefined],
];

function analyzeCalendar(expr: string): Promise<{ code: number; stderr: string }> {
  return new Promise((resolve) => {
    execFile('systemd-analyze', ['calendar', expr], (err, _out, stderr) =>
      resolve({ code: err ? (typeof err.code === 'number' ? err.code : 1) : 0, stderr }),
    );
  });
}

describe('cron to OnCalendar=', () => {
  for (const [cron, calendar] of CASES) {
    it(`${cron} → ${calendar ?? 'no equivalent (a note)'}`, async (t) => {
      const r = cronToCalendar(cron);
      assert.equal(r.calendar, calendar);
      if (calendar === undefined) {
        assert.match(r.note ?? '', /no OnCalendar= equivalent/);
        return;
      }
      if (!which('systemd-analyze', process.env.PATH))
        return t.skip('systemd-analyze is not installed (Debian package "systemd"; .ci/run installs it)');
      const v = await analyzeCalendar(calendar);
      assert.equal(v.code, 0, v.stderr);
    });
  }

  it('says when cron and OnCalendar= read days differently', () => {
    assert.match(cronToCalendar('0 0 1 * 1').note ?? '', /either/);
  });
});
