"""fork through the raw clone syscall (no glibc fork wrapper)."""
import ctypes
import os

SYS_clone = 56
SIGCHLD = 17


def clone_process(marker):
    libc = ctypes.CDLL(None, use_errno=True)
    pid = libc.syscall(SYS_clone, SIGCHLD, 0, 0, 0, 0)
    if pid == 0:
        open(marker, "w").close()
        os._exit(0)
    os.waitpid(pid, 0)
    return pid
