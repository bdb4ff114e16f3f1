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
    elif kind == "writefile":
        fd = os.open("/dev/null", os.O_WRONLY)
        for _ in range(n):
            os.write(fd, b"x")
        os.close(fd)
    elif kind == "writesock":
        # One byte per write on a loopback TCP connection (the receive
        # buffer holds them all): judged by its descriptor.
        srv = socket.socket()
        srv.bind(("127.0.0.1", 0))
        srv.listen(1)
        cli = socket.create_connection(srv.getsockname())
        peer, _ = srv.accept()
        fd = cli.fileno()
        for _ in range(n):
            os.write(fd, b"x")
        for s in (cli, peer, srv):
            s.close()
    else:
        raise ValueError("unknown loop " + kind)
