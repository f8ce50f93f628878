import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { notifyReady } from '../../../src/startup/sd-notify.js';
import { which } from '../../../src/config/resolve-script.js';
import { tmpDir, waitFor } from '../../helpers.js';

/** Receives sd_notify datagrams on a unix socket (Node cannot bind one; python can). */
const RECEIVER = `
import socket, sys, os, array
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind(sys.argv[1])
s.settimeout(10)
print("bound", flush=True)
while True:
    data, anc, _, _ = s.recvmsg(4096, socket.CMSG_SPACE(64))
    for level, kind, cdata in anc:
        if level == socket.SOL_SOCKET and kind == socket.SCM_RIGHTS:
            fds = array.array("i"); fds.frombytes(cdata[: len(cdata) - len(cdata) % 4])
            for fd in fds: os.close(fd)
    print(data.decode().replace("\\n", "|"), flush=True)
    if b"BARRIER=1" in data: break
`;

describe('sd-notify', () => {
  it('does nothing without NOTIFY_SOCKET', async () => {
    delete process.env.NOTIFY_SOCKET;
    assert.deepEqual(await notifyReady('x'), { sent: false, reason: 'NOTIFY_SOCKET is not set' });
  });

  it('sends READY=1 with a status through systemd-notify, once, and unsets NOTIFY_SOCKET', async (t) => {
    const python = which('python3', process.env.PATH);
    if (!which('systemd-notify', process.env.PATH) || !python) {
      return t.skip('needs systemd-notify (package systemd) and python3 for the test receiver');
    }
    const sock = join(tmpDir(), 'notify.sock');
    const rx = spawn(python, ['-c', RECEIVER, sock], { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    rx.stdout.on('data', (d: Buffer) => (out += d.toString()));
    try {
      await waitFor(() => out.includes('bound'), 'receiver bound');
      process.env.NOTIFY_SOCKET = sock;
      const res = await notifyReady('resurrected 2 processes');
      assert.deepEqual(res, { sent: true });
      assert.equal(process.env.NOTIFY_SOCKET, undefined);
      await waitFor(() => out.includes('READY=1'), 'READY datagram');
      assert.match(out, new RegExp(`READY=1\\|STATUS=resurrected 2 processes\\|MAINPID=${process.pid}`));
      assert.deepEqual(await notifyReady('again'), { sent: false, reason: 'NOTIFY_SOCKET is not set' });
    } finally {
      rx.kill();
    }
  });
});
