"""Syscall loops run by sysmod. Prints the seconds per iteration.

    syscalls.py getpid|openclose|socket|socket-refused|writefile|writesock N [DEPTH]

With DEPTH, the loop runs under DEPTH more frames of this (unconfined) file:
what a stack walk at each syscall has to go through.
"""
import sys
import time

import sysmod


def nested(depth, kind, n):
    if depth > 0:
        return nested(depth - 1, kind, n)
    sysmod.loop(kind, 100)  # warm up
    t0 = time.perf_counter()
    sysmod.loop(kind, n)
    return time.perf_counter() - t0


kind, n = sys.argv[1], int(sys.argv[2])
depth = int(sys.argv[3]) if len(sys.argv) > 3 else 0
print("%.12f" % (nested(depth, kind, n) / n))
