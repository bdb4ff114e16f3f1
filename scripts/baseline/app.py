"""The program scripts/measure-baseline.sh runs: everything the workload
needs is imported here, before the workload module, so that no import
happens while the workload is on the stack; then signals start arriving
from outside the workload (an interval timer and a sender thread, both set
up here, unconfined), a helper process stops and continues it now and then,
a return probe sits on pthread_create as a profiler's would, and the
workload runs.

    python3 app.py [SECONDS]

Between the markers (stat of /secimport-baseline-begin and -end, which do
not exist) only the workload runs in this process: strace -f counts what
is in between, secimport-bpf trace attributes it to the module bl_workload.
"""
import ctypes
import gc
import os
import platform
import queue
import select
import signal
import struct
import sys
import threading
import time

seconds = float(sys.argv[1]) if len(sys.argv) > 1 else 2.0
handled = [0]
stop = threading.Event()


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


def on_signal(signum, frame):
    # Runs on the main thread, on top of whatever the workload is doing.
    handled[0] += 1


def sender():
    # Unconfined: started before the workload is imported.
    while not stop.wait(0.003):
        os.kill(os.getpid(), signal.SIGUSR1)


def stopper(parent, quit_fd):
    # A separate process stops and continues this one, as job control or a
    # debugger would: interrupted waits resume through restart_syscall. It
    # ends when the pipe closes, never between a stop and its continue.
    try:
        os.stat("/secimport-baseline-helper")
    except OSError:
        pass
    while not select.select([quit_fd], [], [], 0.05)[0]:
        os.kill(parent, signal.SIGSTOP)
        time.sleep(0.002)
        os.kill(parent, signal.SIGCONT)
    os._exit(0)


parent = os.getpid()
quit_r, quit_w = os.pipe()
helper = os.fork()
if helper == 0:
    os.close(quit_w)
    stopper(parent, quit_r)
os.close(quit_r)
signal.signal(signal.SIGALRM, on_signal)
signal.signal(signal.SIGUSR1, on_signal)
t = threading.Thread(target=sender, daemon=True)
t.start()
signal.setitimer(signal.ITIMER_REAL, 0.002, 0.002)
probe = uretprobe_on_pthread_create()
if not probe:
    print("no return probe on pthread_create (needs root, a uprobe PMU)", file=sys.stderr)

import bl_workload  # noqa: E402

try:
    os.stat("/secimport-baseline-begin")
except OSError:
    pass
stats = bl_workload.run(seconds)
try:
    os.stat("/secimport-baseline-end")
except OSError:
    pass
signal.setitimer(signal.ITIMER_REAL, 0, 0)
stop.set()
t.join()
os.close(quit_w)
os.waitpid(helper, 0)
print("workload done: %s; %d signals handled" % (stats, handled[0]), file=sys.stderr)
