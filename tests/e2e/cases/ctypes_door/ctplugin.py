import ctypes
import os


def use(marker_dir):
    """allow_ctypes: true: foreign calls and raw addresses are its right."""
    buf = ctypes.create_string_buffer(8)
    ctypes.memmove(buf, b"abc", 3)
    ctypes.c_char.from_address(ctypes.addressof(buf))
    ctypes.CDLL(None).getpid()
    open(os.path.join(marker_dir, "ctypes_used"), "w").close()
