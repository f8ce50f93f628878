import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { mergeTails, tailLines, type TailLine } from '../../../src/cli/logs/tail.js';
import { tmpDir } from '../../helpers.js';

/** A log file and its index: `chunks` are [text, time] written in order, as the daemon does. */
function logFile(chunks: [string, number][]): string {
  const path = join(tmpDir(), 'app-out.log');
  const idx = Buffer.alloc(chunks.length * 16);
  let offset = 0;
  chunks.forEach(([text, at], i) => {
    idx.writeDoubleLE(offset, i * 16);
    idx.writeDoubleLE(at, i * 16 + 8);
    offset += Buffer.byteLength(text);
  });
  writeFileSync(path, chunks.map(([t]) => t).join(''));
  writeFileSync(`${path}.idx`, idx);
  return path;
}

const texts = (lines: TailLine[]) => lines.map((l) => l.text);

describe('log tails', () => {
  it('gives the last lines of a file, with or without a final newline, and the first line', () => {
    assert.deepEqual(texts(tailLines(logFile([['a\nb\nc\n', 1]]), 2)), ['b', 'c']);
    assert.deepEqual(texts(tailLines(logFile([['a\nb\nc', 1]]), 2)), ['b', 'c']);
    assert.deepEqual(texts(tailLines(logFile([['a\nb\nc\n', 1]]), 10)), ['a', 'b', 'c']);
    assert.deepEqual(texts(tailLines(logFile([['\n\nx\n', 1]]), 10)), ['', '', 'x']);
    assert.deepEqual(texts(tailLines(logFile([['', 1]]), 10)), []);
    assert.deepEqual(texts(tailLines(join(tmpDir(), 'missing.log'), 10)), []);
    assert.deepEqual(texts(tailLines(logFile([['a\n', 1]]), 0)), []);
  });

  it('finds lines across read blocks, long lines and multi-byte characters included', () => {
    // 64 KiB blocks: 3000 lines of ~60 bytes span three blocks; one line is 200 KiB long.
    const lines = Array.from({ length: 3000 }, (_, i) => `line ${i} ${'é'.repeat(i % 50)} ✓`);
    lines[2990] = 'x'.repeat(200 * 1024);
    const path = logFile([[lines.join('\n') + '\n', 5]]);
    const got = tailLines(path, 2500);
    assert.deepEqual(texts(got), lines.slice(500));
    // Byte offsets are exact, so that the index lookup is right.
    const whole = Buffer.from(lines.join('\n') + '\n');
    for (const l of [got[0], got[1], got.at(-1)]) {
      assert.ok(l);
      assert.equal(whole.subarray(l.offset, l.offset + Buffer.byteLength(l.text)).toString(), l.text);
    }
  });

  it('stamps each line with the time of the chunk that holds its start', () => {
    const path = logFile([
      ['one\ntwo\nthr', 100],
      ['ee\nfour\n', 200],
      ['five\n', 300],
    ]);
    const got = tailLines(path, 10);
    assert.deepEqual(
      got.map((l) => [l.text, l.at]),
      [
        ['one', 100],
        ['two', 100],
        ['three', 100],
        ['four', 200],
        ['five', 300],
      ],
    );
  });

  it('merges files in time order, ties to the earlier file, and keeps the last n', () => {
    const out = tailLines(
      logFile([
        ['o1\n', 10],
        ['o2\n', 30],
        ['o3\n', 30],
      ]),
      10,
    );
    const err = tailLines(
      logFile([
        ['e1\n', 20],
        ['e2\n', 30],
        ['e3\n', 40],
      ]),
      10,
    );
    const merged = mergeTails([out, [], err], 5);
    assert.deepEqual(
      merged.map((l) => [l.text, l.source]),
      [
        ['e1', 2],
        ['o2', 0],
        ['o3', 0],
        ['e2', 2],
        ['e3', 2],
      ],
    );
    assert.deepEqual(texts(mergeTails([[], out], 2)), ['o2', 'o3']);
    assert.deepEqual(mergeTails([[], []], 2), []);
  });
});
