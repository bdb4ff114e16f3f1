"""What the interpreter does by itself, on every thread of a confined module:
threads starting and ending under contention (locks, conditions, queues,
barriers, semaphores, timed waits), allocation (small objects, arenas, big
buffers, growing containers, allocation in many threads at once), garbage
collection of cycles, and signal handlers that interrupt all of it. The
workload makes no syscall on purpose: no files, no sleeps, no sockets, no
processes. Everything it uses was imported by app.py before it.
"""
import gc
import queue
import threading
import time


def _contend(lock, counter, n):
    for i in range(n):
        with lock:
            counter[0] += 1
        if i % 50 == 0:
            # small objects in every thread: per-thread malloc arenas
            junk = [bytearray(200 + j) for j in range(300)]
            del junk


def _big(sizes):
    # above the mmap threshold: mmap/munmap, and glibc's sliding threshold
    for s in sizes:
        b = bytearray(s)
        b[-1] = 1
        del b


def _grow():
    # realloc of a big block: mremap
    lst = []
    for i in range(400000):
        lst.append(i)
    s = b""
    for i in range(2000):
        s += b"x" * 512
    d = {i: str(i) for i in range(100000)}
    # past glibc's largest mmap threshold (32 MiB): realloc moves the mapping
    buf = bytearray()
    chunk = b"y" * (1 << 20)
    for i in range(48):
        buf += chunk
    del lst, s, d, buf


def _cycles(n):
    # garbage cycles: the collector runs on its own, then on demand
    for i in range(n):
        a, b = [], []
        a.append(b)
        b.append(a)
        a.append(bytearray(100))
    gc.collect()


def _producer_consumer(rounds):
    q = queue.Queue(maxsize=8)
    done = threading.Event()

    def consumer():
        while True:
            try:
                item = q.get(timeout=0.01)
            except queue.Empty:
                if done.is_set():
                    return
                continue
            item.append(len(item))

    cs = [threading.Thread(target=consumer) for _ in range(4)]
    for c in cs:
        c.start()
    for i in range(rounds):
        q.put([i] * 50)
    done.set()
    for c in cs:
        c.join()


def _timed_waits():
    cond = threading.Condition()
    ev = threading.Event()
    sem = threading.Semaphore(0)
    cond.acquire()
    cond.wait(0.001)
    cond.release()
    ev.wait(0.001)
    sem.acquire(timeout=0.001)
    lock = threading.Lock()
    lock.acquire()
    lock.acquire(timeout=0.001)
    lock.release()
    barrier = threading.Barrier(3)
    ts = [threading.Thread(target=barrier.wait) for _ in range(2)]
    for t in ts:
        t.start()
    barrier.wait()
    for t in ts:
        t.join()


def run(seconds):
    deadline = time.monotonic() + seconds
    rounds = threads = 0
    while True:
        lock = threading.Lock()
        counter = [0]
        ts = [threading.Thread(target=_contend, args=(lock, counter, 400)) for _ in range(12)]
        ts += [threading.Thread(target=_big, args=([1 << 20, 8 << 20, 300000, 40 << 20],))
               for _ in range(3)]
        ts.append(threading.Thread(target=_grow))
        ts.append(threading.Thread(target=_cycles, args=(20000,)))
        for t in ts:
            t.start()
        _big([2 << 20, 64 << 20, 500000])
        _cycles(5000)
        _producer_consumer(500)
        _timed_waits()
        for t in ts:
            t.join()
        threads += len(ts) + 6
        rounds += 1
        if time.monotonic() >= deadline:
            break
    # daemon-like threads that are still running when the module returns
    # end later, outside its frames but still confined (they were started
    # under it)
    ev = threading.Event()
    late = [threading.Thread(target=ev.wait, args=(0.05,)) for _ in range(4)]
    for t in late:
        t.start()
    return "%d rounds, %d threads" % (rounds, threads + 4)
