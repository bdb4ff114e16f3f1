# The confined module is the attacker: ctypes gives it raw memory, to rewrite
# what the sandbox reads. Every operation writes back what is there (harmless
# if it ran); the marker says it ran.
import ctypes
import os
import sys
import threading

DATA = b"secimport ctypes door target"


def _addr():
    return id(DATA) + 32  # PyBytesObject's ob_sval


def _got_out(marker_dir, what):
    open(os.path.join(marker_dir, "escaped_" + what), "w").close()


def ct_memmove(marker_dir):
    ctypes.memmove(_addr(), DATA, len(DATA))
    _got_out(marker_dir, "memmove")


def ct_from_address(marker_dir):
    ctypes.c_char.from_address(_addr()).value = DATA[:1]
    _got_out(marker_dir, "from_address")


def ct_string_at(marker_dir):
    ctypes.string_at(_addr(), 4)
    _got_out(marker_dir, "string_at")


def ct_cdll(marker_dir):
    ctypes.CDLL(None).getpid()
    _got_out(marker_dir, "cdll")


def ct_app_imported(marker_dir):
    ct = sys.modules["ctypes"]
    ct.memmove(_addr(), DATA, len(DATA))
    _got_out(marker_dir, "app_imported")


def ct_thread(marker_dir):
    t = threading.Thread(target=ctypes.memmove, args=(_addr(), DATA, len(DATA)))
    t.start()
    t.join()
    _got_out(marker_dir, "thread")


def ct_import_only(marker_dir):
    """Types, buffers and addresses without raw access: not a violation."""
    n = ctypes.c_int(3)
    buf = ctypes.create_string_buffer(b"abc")
    ctypes.sizeof(n)
    ctypes.addressof(buf)
    buf.value = b"xyz"
    open(os.path.join(marker_dir, "import_only_ran"), "w").close()


def ct_pointer_oob(marker_dir):
    """A pointer indexed past its object: raw memory with no call and no event."""
    p = ctypes.pointer(ctypes.c_char(b"x"))
    off = _addr() - ctypes.addressof(p.contents)
    p[off] = p[off]
    _got_out(marker_dir, "pointer_oob")


def ct_buffer_pointer(marker_dir):
    """A pointer field written through the buffer protocol, then dereferenced."""

    class S(ctypes.Structure):
        _fields_ = [("p", ctypes.POINTER(ctypes.c_char))]

    s = S()
    memoryview(s).cast("B")[:8] = _addr().to_bytes(8, sys.byteorder)
    s.p[0] = s.p[0]
    _got_out(marker_dir, "buffer_pointer")
