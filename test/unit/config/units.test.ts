import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseDuration, parseSize } from '../../../src/config/units.js';

describe('parseDuration', () => {
  const ok: [string | number, number][] = [
    [1600, 1600],
    [0, 0],
    [1.4, 1],
    ['1600', 1600],
    ['100ms', 100],
    ['5s', 5000],
    ['5sec', 5000],
    ['5S', 5000],
    [' 5 s ', 5000],
    ['1.5s', 1500],
    ['2m', 120_000],
    ['2min', 120_000],
    ['1h', 3_600_000],
    ['1d', 86_400_000],
  ];
  for (const [input, ms] of ok) {
    it(`${JSON.stringify(input)} → ${ms} ms`, () => {
      assert.equal(parseDuration(input), ms);
    });
  }

  for (const input of [
    '',
    'soon',
    '-5',
    '5x',
    '5 s s',
    's',
    '1e3',
    -1,
    Number.NaN,
    Number.POSITIVE_INFINITY,
  ]) {
    it(`rejects ${JSON.stringify(input)}`, () => {
      assert.equal(parseDuration(input), undefined);
    });
  }
});

describe('parseSize', () => {
  const ok: [string | number, number][] = [
    [1_048_576, 1_048_576],
    ['10', 10],
    ['512K', 512 * 1024],
    ['512k', 512 * 1024],
    ['300M', 300 * 1024 ** 2],
    ['300MB', 300 * 1024 ** 2],
    ['300MiB', 300 * 1024 ** 2],
    ['1G', 1024 ** 3],
    ['1.5G', 1.5 * 1024 ** 3],
    ['2T', 2 * 1024 ** 4],
    [' 64 M ', 64 * 1024 ** 2],
  ];
  for (const [input, bytes] of ok) {
    it(`${JSON.stringify(input)} → ${bytes} bytes`, () => {
      assert.equal(parseSize(input), bytes);
    });
  }

  for (const input of ['', 'lots', '-1', '5X', 'M', '1.2.3G', -1, Number.NaN]) {
    it(`rejects ${JSON.stringify(input)}`, () => {
      assert.equal(parseSize(input), undefined);
    });
  }
});
