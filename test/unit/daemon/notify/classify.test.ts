import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { classify } from '../../../../src/daemon/notify/sources/table-events.js';
import type { HistoryEntry } from '../../../../src/daemon/lifecycle/history.js';

const h = (
  event: HistoryEntry['event'],
  reason: string,
  extra: Partial<HistoryEntry> = {},
): HistoryEntry => ({
  at: 0,
  event,
  reason,
  ...extra,
});

describe('notify: which table events become messages', () => {
  it('maps history entries to event kinds', () => {
    const cases: Array<[string, string, HistoryEntry, string | null]> = [
      ['exit', 'waiting restart', h('exit', 'crashed (code 1)', { exit_code: 1 }), 'exit'],
      ['exit', 'stopped', h('exit', 'stopped (code 0)', { exit_code: 0 }), null],
      ['exit', 'stopped', h('exit', 'code 0; autorestart disabled', { exit_code: 0 }), null],
      ['exit', 'stopped', h('exit', 'signal SIGKILL; autorestart disabled', { signal: 'SIGKILL' }), 'exit'],
      ['errored', 'errored', h('errored', 'code 1; 16 unstable restarts (…)', { exit_code: 1 }), 'errored'],
      [
        'errored',
        'errored',
        h('errored', 'code 1; 50 restarts within 600s (restart_limit 50)'),
        'crash_loop',
      ],
      ['guard', 'online', h('guard', 'memory 300MB over max_memory_restart 200MB'), 'memory_restart'],
      [
        'guard',
        'online',
        h('guard', 'health check failed 3 times in a row (http …: status 500)'),
        'health_failed',
      ],
      ['online', 'online', h('online', 'not ready after listen_timeout 3000ms; online anyway'), 'not_ready'],
      ['online', 'online', h('online', 'ready'), null],
      [
        'reload failed',
        'online',
        h('reload failed', 'the new process exited (code 1)'),
        'reload_rolled_back',
      ],
      ['start', 'launching', h('start', 'recovered after the previous daemon died'), 'daemon_recovered'],
      ['start', 'launching', h('start', 'start'), null],
      ['delete', 'deleted', h('exit', 'stopped (code 0)'), null],
    ];
    for (const [event, status, entry, kind] of cases)
      assert.equal(classify(event, status, entry)?.kind ?? null, kind, `${event} / ${entry.reason ?? ''}`);
  });

  it('carries the exit code and signal', () => {
    assert.deepEqual(
      classify('exit', 'waiting restart', h('exit', 'crashed (signal SIGSEGV)', { signal: 'SIGSEGV' })),
      {
        kind: 'exit',
        reason: 'crashed (signal SIGSEGV)',
        signal: 'SIGSEGV',
      },
    );
  });
});
