"""Syscall loops in Python; the benchmarks confine this module (or another one)."""
import os
import socket


def loop(kind, n):
    if kind == "getpid":
        for _ in range(n):
            os.getpid()
    elif kind == "openclose":
        for _ in range(n):
            os.close(os.open("/dev/null", os.O_RDONLY))
    elif kind == "socket":
        for _ in range(n):
            socket.socket(socket.AF_INET, socket.SOCK_STREAM).close()
    elif kind == "socket-refused":
        # Under a deny policy: every socket() must fail with EPERM.
        refused = 0
        for _ in range(n):
            try:
                socket.socket(socket.AF_INET, socket.SOCK_STREAM).close()
            except PermissionError:
                refused += 1
        if refused != n:
            raise RuntimeError("%d of %d socket() calls were refused" % (refused, n))
    else:
        raise ValueError("unknown loop " + kind)
