import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { encode, FrameDecoder, LineDecoder, MAX_MESSAGE_BYTES } from '../../../src/protocol/framing.js';

describe('LineDecoder', () => {
  it('returns each complete line of a chunk', () => {
    const d = new LineDecoder();
    assert.deepEqual(d.push('{"a":1}\n{"b":2}\n'), ['{"a":1}', '{"b":2}']);
  });

  it('keeps a partial line until its newline arrives', () => {
    const d = new LineDecoder();
    assert.deepEqual(d.push('{"a":'), []);
    assert.deepEqual(d.push('1}\n{"b"'), ['{"a":1}']);
    assert.deepEqual(d.push(':2'), []);
    assert.deepEqual(d.push('}\n'), ['{"b":2}']);
    assert.deepEqual(d.push(''), []);
  });

  it('reassembles a message split into one-character chunks', () => {
    const d = new LineDecoder();
    const text = encode({ id: 1, method: 'ls', params: { s: 'line\nbreak' } }) + encode({ id: 2 });
    const out: string[] = [];
    for (const ch of text) out.push(...d.push(ch));
    assert.deepEqual(
      out.map((l) => JSON.parse(l) as unknown),
      [{ id: 1, method: 'ls', params: { s: 'line\nbreak' } }, { id: 2 }],
    );
  });

  it('skips blank lines', () => {
    const d = new LineDecoder();
    assert.deepEqual(d.push('\n\n  \n{"a":1}\n\r\n'), ['{"a":1}']);
  });

  it('throws RangeError when a line grows past the limit, then starts afresh', () => {
    const d = new LineDecoder(10);
    assert.deepEqual(d.push('0123456789'), []);
    assert.throws(
      () => d.push('A'),
      (e: unknown) => e instanceof RangeError && /larger than 10 bytes/.test(e.message),
    );
    assert.deepEqual(d.push('ok\n'), ['ok']);
  });

  it('throws for an unfinished line that follows complete ones once it grows past the limit', () => {
    const d = new LineDecoder(10);
    assert.deepEqual(d.push('a\n0123456'), ['a']);
    assert.throws(() => d.push('789XY'), RangeError);
  });

  it('allows 64 MiB by default', () => {
    assert.equal(MAX_MESSAGE_BYTES, 64 * 1024 * 1024);
  });
});

describe('encode', () => {
  it('writes one JSON line, escaping newlines inside strings', () => {
    assert.equal(encode({ a: 'x\ny' }), '{"a":"x\\ny"}\n');
  });
});

describe('FrameDecoder', () => {
  const note = (bytes: number) =>
    Buffer.from(encode({ jsonrpc: '2.0', method: 'log', params: { pm_id: 0, bytes } }));

  it('gives JSON lines, and a framed payload of exactly `bytes` raw bytes', () => {
    const payload = Buffer.from('a "b" \\ ✓\nnext\n');
    const stream = Buffer.concat([
      Buffer.from(encode({ jsonrpc: '2.0', id: 1, result: { ok: true } })),
      note(payload.length),
      payload,
      note(0),
      Buffer.from('not json\n'),
      Buffer.from(encode({ jsonrpc: '2.0', method: 'event', params: { x: 1 } })),
    ]);
    // Every way of cutting the stream into two chunks gives the same messages.
    for (let cut = 0; cut <= stream.length; cut += 1) {
      const d = new FrameDecoder();
      const frames = [...d.push(stream.subarray(0, cut)), ...d.push(stream.subarray(cut))];
      assert.equal(frames.length, 4, `cut at ${cut}`);
      assert.deepEqual(frames[0]?.msg, { jsonrpc: '2.0', id: 1, result: { ok: true } });
      assert.deepEqual(frames[1]?.payload, payload);
      assert.deepEqual(frames[2]?.payload, Buffer.alloc(0));
      assert.deepEqual(frames[3], { msg: { jsonrpc: '2.0', method: 'event', params: { x: 1 } } });
    }
  });

  it('a reply with a `bytes` field in its result is not framed', () => {
    const d = new FrameDecoder();
    const frames = d.push(Buffer.from(encode({ jsonrpc: '2.0', id: 2, result: { bytes: 5 } })));
    assert.deepEqual(frames, [{ msg: { jsonrpc: '2.0', id: 2, result: { bytes: 5 } } }]);
  });

  it('refuses a line or a payload past the limit', () => {
    const d = new FrameDecoder(64);
    assert.throws(() => d.push(Buffer.alloc(100, 0x61)), RangeError);
    assert.throws(() => new FrameDecoder(64).push(note(1000)), RangeError);
  });
});
