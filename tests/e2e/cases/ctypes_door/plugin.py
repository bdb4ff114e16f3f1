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


# --- red team ---

_FAKE = None


def _fake_bytearray():
    """A bytearray header (refcnt, type, size, alloc, bytes, start, exports)
    whose buffer starts at 0 and spans all of memory, in a bytes object."""
    global _FAKE
    _FAKE = b"".join(
        n.to_bytes(8, sys.byteorder) for n in (1 << 40, id(bytearray), 1 << 62, 1 << 62, 0, 0, 0)
    )
    return id(_FAKE) + 32


def _flip(mem, marker_dir, what):
    """Write one byte of DATA through @mem (all of memory), check, restore."""
    a = _addr()
    old = mem[a]
    mem[a] = ord("S")
    flipped = DATA[:1]
    mem[a] = old
    assert flipped == b"S", flipped
    _got_out(marker_dir, what)


def ct_pyobj_fromptr(marker_dir):
    """_ctypes.PyObj_FromPtr makes an object of any address (audit event
    ctypes.PyObj_FromPtr, not ctypes.cdata): a forged bytearray over memory."""
    import _ctypes

    _flip(_ctypes.PyObj_FromPtr(_fake_bytearray()), marker_dir, "pyobj_fromptr")


def ct_union_pyobject(marker_dir):
    """A Union's py_object field read after its c_void_p field was set: the
    same forged bytearray, with no call and no event."""

    class U(ctypes.Union):
        _fields_ = [("a", ctypes.c_void_p), ("o", ctypes.py_object)]

    u = U()
    u.a = _fake_bytearray()
    _flip(u.o, marker_dir, "union_pyobject")


def ct_charp_read(marker_dir):
    """c_char_p built from an int reads the string at that address."""
    assert ctypes.c_char_p(_addr()).value == DATA
    _got_out(marker_dir, "charp_read")


def ct_cffi_cast(marker_dir):
    """cffi's backend (no foreign call, no audit event): a char * of any address."""
    import _cffi_backend as B

    p = B.cast(B.new_pointer_type(B.new_primitive_type("unsigned char")), _addr())
    old = p[0]
    p[0] = ord("S")
    flipped = DATA[:1]
    p[0] = old
    assert flipped == b"S", flipped
    _got_out(marker_dir, "cffi_cast")
