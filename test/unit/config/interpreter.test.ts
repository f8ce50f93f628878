import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { inferInterpreter, isNodeInterpreter, typescriptNodeArgs } from '../../../src/config/interpreter.js';

const TEXT = Buffer.from('console.log("hi");\n');

describe('inferInterpreter', () => {
  it('goes by the extension first', () => {
    const cases: [string, string][] = [
      ['app.js', 'node'],
      ['app.mjs', 'node'],
      ['app.cjs', 'node'],
      ['app.ts', 'node'],
      ['app.tsx', 'node'],
      ['app.py', 'python3'],
      ['APP.PY', 'python3'],
      ['run.sh', 'bash'],
      ['app.rb', 'ruby'],
      ['index.php', 'php'],
      ['tool.pl', 'perl'],
      ['app.coffee', 'coffee'],
      ['app.ls', 'lsc'],
      ['app.lua', 'lua'],
    ];
    for (const [file, interp] of cases) assert.equal(inferInterpreter(`/srv/${file}`, TEXT), interp, file);
  });

  it('keeps the extension even when the file has a shebang', () => {
    assert.equal(inferInterpreter('/srv/app.py', Buffer.from('#!/bin/sh\necho hi\n')), 'python3');
  });

  it('runs a file with a shebang and no known extension by itself', () => {
    assert.equal(
      inferInterpreter('/srv/bin/tool', Buffer.from('#!/usr/bin/env python3\nprint(1)\n')),
      'none',
    );
  });

  it('runs an ELF binary by itself', () => {
    assert.equal(inferInterpreter('/srv/bin/server', Buffer.from('\x7fELF\x02\x01\x01', 'latin1')), 'none');
    assert.equal(inferInterpreter('/srv/bin/server', Buffer.from('\x7fELF', 'latin1')), 'none');
  });

  it('runs a file with binary content (NUL bytes) by itself', () => {
    assert.equal(inferInterpreter('/srv/bin/blob', Buffer.from([0x41, 0x00, 0x42])), 'none');
  });

  it('falls back to node for plain text without a known extension, as PM2 does', () => {
    assert.equal(inferInterpreter('/srv/app', TEXT), 'node');
    assert.equal(inferInterpreter('/srv/app.txt', TEXT), 'node');
    assert.equal(inferInterpreter('/srv/empty', Buffer.alloc(0)), 'node');
  });

  it('runs an unreadable file (no head) by itself', () => {
    assert.equal(inferInterpreter('/srv/missing', undefined), 'none');
  });
});

describe('isNodeInterpreter', () => {
  it('recognises node by name or path', () => {
    for (const i of ['node', '/usr/bin/node', '/opt/node/bin/nodejs', 'nodejs'])
      assert.equal(isNodeInterpreter(i), true, i);
    for (const i of ['none', 'python3', 'bun', '/usr/bin/nodemon', 'deno'])
      assert.equal(isNodeInterpreter(i), false, i);
  });
});

describe('typescriptNodeArgs', () => {
  const URL = 'file:///opt/steward/node_modules/tsx/dist/esm/index.mjs';

  it('adds the tsx loader on Node 20', () => {
    assert.deepEqual(typescriptNodeArgs('v20.20.2', URL), ['--import', URL]);
    assert.deepEqual(typescriptNodeArgs('v22.17.1', URL), ['--import', URL]);
    assert.deepEqual(typescriptNodeArgs('v23.5.0', URL), ['--import', URL]);
  });

  it('adds nothing where Node strips types by default', () => {
    assert.deepEqual(typescriptNodeArgs('v22.18.0', URL), []);
    assert.deepEqual(typescriptNodeArgs('v23.6.0', URL), []);
    assert.deepEqual(typescriptNodeArgs('v24.1.0', URL), []);
    assert.deepEqual(typescriptNodeArgs('25.0.0', URL), []);
  });
});
