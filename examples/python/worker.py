"""A Python worker: `steward start examples/python/worker.py` (runs with python3, unbuffered)."""
import os
import signal
import sys
import time

running = True


def stop(signum, _frame):
    global running
    print(f"worker: got signal {signum}, finishing", flush=True)
    running = False


signal.signal(signal.SIGINT, stop)
signal.signal(signal.SIGTERM, stop)
print(f"worker {os.environ.get('pm_id')} started with {sys.argv[1:]}")
while running:
    time.sleep(1)
print("worker: bye")
