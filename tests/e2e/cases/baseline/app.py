"""A thread-heavy program: `workers` starts and joins many threads that
contend for locks and allocate, while an interval timer (set up here, in
the unconfined main program) interrupts it with signals, and a return probe
on pthread_create makes each thread start return through the kernel's
trampoline (where it can be set: root, x86_64, Linux 6.11+), as under a
profiler. Its trace must replay under the policy it wrote, every time.

    python3 app.py [STEPS [ROUNDS]]

STEPS is how often each worker takes the lock (200), ROUNDS how many times
16 workers and 2 consumers start and end (8)."""
import ctypes
import platform
import signal
import struct
import sys


def uretprobe_on_pthread_create():
    """Put a return probe on this process's pthread_create, as a profiler or
    tracer would (perf_event_open on the uprobe PMU; not inherited, which
    would cost a probe registration per thread, and need not be: the probe
    is in the address space, and the main thread starts the threads): on
    x86_64 since Linux 6.11 each return then goes through the kernel's
    trampoline, which calls the uretprobe syscall. Needs root; returns what
    keeps the probe alive, or None where it cannot be done."""
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        addr = ctypes.cast(libc.pthread_create, ctypes.c_void_p).value
        with open("/proc/self/maps") as maps:
            for line in maps:
                f = line.split()
                lo, hi = (int(x, 16) for x in f[0].split("-"))
                if lo <= addr < hi and len(f) >= 6:
                    path = ctypes.create_string_buffer(f[5].encode())
                    offset = addr - lo + int(f[2], 16)
                    break
            else:
                return None
        with open("/sys/bus/event_source/devices/uprobe/type") as t:
            pmu = int(t.read())
        attr = bytearray(120)  # struct perf_event_attr, PERF_ATTR_SIZE_VER6
        struct.pack_into("IIQ", attr, 0, pmu, len(attr), 1)  # config bit 0: retprobe
        struct.pack_into("QQ", attr, 56, ctypes.addressof(path), offset)
        buf = (ctypes.c_char * len(attr)).from_buffer(attr)
        nr = {"x86_64": 298, "aarch64": 241}[platform.machine()]  # perf_event_open
        fd = libc.syscall(nr, buf, 0, -1, -1, 8)  # this process, any CPU, FD_CLOEXEC
        return (fd, path) if fd >= 0 else None
    except (OSError, ValueError, AttributeError, KeyError):
        return None


ticks = [0]


def tick(signum, frame):
    ticks[0] += 1


signal.signal(signal.SIGALRM, tick)
signal.setitimer(signal.ITIMER_REAL, 0.003, 0.003)
probe = uretprobe_on_pthread_create()

import workers  # noqa: E402

steps = int(sys.argv[1]) if len(sys.argv) > 1 else 200
rounds = int(sys.argv[2]) if len(sys.argv) > 2 else 8
total = workers.run(steps, rounds)
signal.setitimer(signal.ITIMER_REAL, 0, 0)
print("workers done %d" % total)
sys.exit(0 if total == rounds * workers.WORKERS * steps else 1)
