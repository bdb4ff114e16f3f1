# Benign code in a module allowed ctypes (allow_ctypes: true): libffi used
# for its own memory or other libraries. Not a violation there.
import os


def _ran(marker_dir, what):
    open(os.path.join(marker_dir, what + "_ran"), "w").close()


def b_from_buffer(marker_dir):
    """A Structure over the program's own bytearray (from_buffer raises
    ctypes.cdata/buffer, then ctypes.cdata with the buffer's address)."""
    import ctypes

    class Hdr(ctypes.LittleEndianStructure):
        _fields_ = [("magic", ctypes.c_uint32), ("n", ctypes.c_uint16)]

    buf = bytearray(b"\x7fELF\x02\x00\x00\x00")
    h = Hdr.from_buffer(buf)
    h.n += 1
    assert buf[4] == 3
    _ran(marker_dir, "from_buffer")


def b_mp_value(marker_dir):
    """multiprocessing.Value: sharedctypes uses from_buffer and ctypes.memset
    on its own shared memory."""
    import multiprocessing

    v = multiprocessing.Value("i", 7)
    v.value += 1
    assert v.value == 8
    _ran(marker_dir, "mp_value")


def b_gi_glib(marker_dir):
    """PyGObject calls every introspected C function through libffi's ffi_call."""
    import gi

    gi.require_version("GLib", "2.0")
    from gi.repository import GLib

    GLib.get_user_name()
    _ran(marker_dir, "gi_glib")
