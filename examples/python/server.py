"""A Python HTTP app that shares a listening socket with its other instances (Steward `listen`).

Steward binds the address once and passes it as fd 3 with LISTEN_FDS/LISTEN_PID, like systemd's
socket activation. On SIGTERM the app stops accepting and finishes the requests it has, so a
`steward reload` loses nothing:

    steward start examples/python/server.py -i 2 --listen 127.0.0.1:8000 --kill-signal SIGTERM

With gunicorn: `gunicorn --bind fd://3 app:app`; with uvicorn: `uvicorn --fd 3 app:app`.
"""
import os
import signal
import socket
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class Handler(BaseHTTPRequestHandler):
    def do_GET(self):
        body = f"hello from python pid {os.getpid()}\n".encode()
        self.send_response(200)
        self.send_header("Content-Type", "text/plain")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, fmt, *args):
        pass


class Server(ThreadingHTTPServer):
    daemon_threads = False  # in-flight requests finish before exit
    block_on_close = True


def listening_socket():
    """fd 3 from Steward (or systemd); a socket of our own when run by hand."""
    if os.environ.get("LISTEN_PID") == str(os.getpid()) and int(os.environ.get("LISTEN_FDS", "0")) >= 1:
        return socket.socket(fileno=3)
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind(("127.0.0.1", int(os.environ.get("PORT", "8000"))))
    s.listen(128)
    return s


def main():
    server = Server(("127.0.0.1", 0), Handler, bind_and_activate=False)
    server.socket.close()
    server.socket = listening_socket()
    server.server_address = server.socket.getsockname()

    def stop(signum, _frame):
        # shutdown() waits for serve_forever to return: call it from another thread.
        threading.Thread(target=server.shutdown).start()

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    print(f"python server {os.getpid()} serving on {server.server_address}", flush=True)
    server.serve_forever(poll_interval=0.1)
    server.server_close()
    print(f"python server {os.getpid()} drained, bye", flush=True)
    sys.exit(0)


if __name__ == "__main__":
    main()
