"""Threads starting and ending under contention: rounds (8 by default) of
16 workers that fight over one lock (`steps` times each), condition waits with
timeouts, a bounded queue between producers and consumers, a barrier,
allocation in every thread (small objects, buffers above glibc's mmap
threshold, a growing list) and garbage cycles."""
import gc
import queue
import threading

WORKERS = 16


def _worker(lock, cond, counter, barrier, q, big, steps):
    barrier.wait()
    for i in range(steps):
        with lock:
            counter[0] += 1
        if i % 20 == 0:
            junk = [bytearray(300) for _ in range(100)]
            cycle = [junk]
            cycle.append(cycle)
        if i % 50 == 0:
            with cond:
                cond.wait(0.0005)
            q.put(i)
    if big:
        buf = bytearray(4 << 20)
        grown = []
        for k in range(steps * 300):
            grown.append(k)
        del buf, grown


def _consumer(q, done):
    while not (done.is_set() and q.empty()):
        try:
            q.get(timeout=0.002)
        except queue.Empty:
            pass


def run(steps=200, rounds=8):
    """Returns how often the lock was taken: rounds * WORKERS * steps."""
    counter = [0]
    lock = threading.Lock()
    cond = threading.Condition()
    for r in range(rounds):
        q = queue.Queue(maxsize=4)
        done = threading.Event()
        barrier = threading.Barrier(WORKERS)
        consumers = [threading.Thread(target=_consumer, args=(q, done)) for _ in range(2)]
        workers = [threading.Thread(target=_worker,
                                    args=(lock, cond, counter, barrier, q, w % 4 == 0,
                                          steps))
                   for w in range(WORKERS)]
        for t in consumers + workers:
            t.start()
        for t in workers:
            t.join()
        done.set()
        for t in consumers:
            t.join()
        gc.collect()
    return counter[0]
