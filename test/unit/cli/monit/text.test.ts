import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  ASCII,
  clean,
  fit,
  shortBytes,
  shortCpu,
  shortDuration,
  sparkline,
  textWidth,
  UNICODE,
} from '../../../../src/cli/monit/text.js';

describe('monit text helpers', () => {
  it('measures wide and combining characters in terminal cells', () => {
    assert.equal(textWidth('abc'), 3);
    assert.equal(textWidth('日本'), 4);
    assert.equal(textWidth('e\u0301'), 1);
    assert.equal(textWidth('🚀'), 2);
  });

  it('cleans app output: no escapes, no controls, tabs expanded, last \\r segment kept', () => {
    assert.equal(clean('\u001b[31mred\u001b[0m text'), 'red text');
    assert.equal(clean('\u001b]0;title\u0007after'), 'after');
    assert.equal(clean('a\tb'), 'a    b');
    assert.equal(clean('10%\r20%\r30%'), '30%');
    assert.equal(clean('crlf line\r'), 'crlf line');
    assert.equal(clean('bell\u0007 and \u001b[2J clear'), 'bell and  clear');
  });

  it('fits text to an exact width, cutting with an ellipsis', () => {
    assert.equal(fit('abc', 5), 'abc  ');
    assert.equal(fit('abc', 5, 'right'), '  abc');
    assert.equal(fit('abcdef', 4), 'abc…');
    assert.equal(fit('abcdef', 4, 'left', '~'), 'abc~');
    assert.equal(fit('日本語', 4), '日… ');
    assert.equal(textWidth(fit('日本語', 4)), 4);
    assert.equal(fit('x', 0), '');
  });

  it('draws sparklines right-aligned, scaled between lo and hi', () => {
    assert.equal(sparkline([0, 50, 100], 3, 0, 100, UNICODE), '▁▅█');
    assert.equal(sparkline([1, 2], 4, 0, 2, UNICODE), '  ▅█');
    assert.equal(sparkline([1, 2, 3, 4, 5], 2, 0, 5, UNICODE), '▇█');
    assert.equal(sparkline([3, 3, 3], 3, 3, 3, UNICODE), '▁▁▁');
    assert.equal(sparkline([0, 100], 2, 0, 100, ASCII), '_#');
  });

  it('formats sizes, cpu and durations compactly', () => {
    assert.equal(shortBytes(0), '0b');
    assert.equal(shortBytes(512), '512b');
    assert.equal(shortBytes(45.3 * 1024 * 1024), '45.3mb');
    assert.equal(shortBytes(300 * 1024 * 1024), '300mb');
    assert.equal(shortCpu(0), '0%');
    assert.equal(shortCpu(3.25), '3.3%');
    assert.equal(shortCpu(145.2), '145%');
    assert.equal(shortDuration(42_000), '42s');
    assert.equal(shortDuration(7 * 60_000), '7m');
    assert.equal(shortDuration(3 * 3_600_000), '3h');
    assert.equal(shortDuration(2 * 86_400_000), '2d');
  });
});
