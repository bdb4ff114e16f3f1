# A module without the network that is allowed ctypes (allow_ctypes: true):
# it reaches the raw syscall, which must still be judged.
import os


def _got_out(marker_dir, what):
    open(os.path.join(marker_dir, "escaped_" + what), "w").close()


def sock_highbits(marker_dir, sock):
    """write(2) through libc's syscall(): the kernel takes the fd as an
    unsigned int, the hook the whole register (no memory is touched)."""
    import ctypes

    libc = ctypes.CDLL(None, use_errno=True)
    libc.syscall.restype = ctypes.c_long
    data = b"secret"
    libc.syscall(ctypes.c_long(1), ctypes.c_long((1 << 32) | sock.fileno()),
                 ctypes.c_char_p(data), ctypes.c_long(len(data)))
    _got_out(marker_dir, "sock_highbits")
