# Threads start and end in a loop while others make syscalls all the time:
# the walker searches the thread list while it changes under it.
import os
import sys
import threading
import time

seconds = float(sys.argv[1])
stop = threading.Event()
calls = [0]


def busy():
    n = 0
    while not stop.is_set():
        os.getppid()
        n += 1
    calls[0] += n


def short():
    for _ in range(5):
        os.getppid()


workers = [threading.Thread(target=busy) for _ in range(2)]
for w in workers:
    w.start()
started = 0
end = time.monotonic() + seconds
while time.monotonic() < end:
    batch = [threading.Thread(target=short) for _ in range(20)]
    for t in batch:
        t.start()
    for t in batch:
        t.join()
    started += len(batch)
stop.set()
for w in workers:
    w.join()
print("threads %d, calls %d" % (started, calls[0]))
