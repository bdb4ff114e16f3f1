# A confined module that brings its own copy of libffi (another inode, so no
# probe on the system's): loaded before _ctypes, which binds to it by soname.
import importlib.machinery
import importlib.util
import os
import shutil
import sys

DATA = b"secimport ctypes door target"


def _libffi():
    with open("/proc/self/maps") as maps:
        for line in maps:
            if "/libffi.so" in line:
                return line.split()[-1]
    for d in ("/lib/x86_64-linux-gnu", "/usr/lib/x86_64-linux-gnu", "/usr/lib64", "/usr/lib"):
        for n in ("libffi.so.8", "libffi.so.7"):
            if os.path.exists(os.path.join(d, n)):
                return os.path.join(d, n)
    raise RuntimeError("no libffi")


def ct_libffi_copy(marker_dir):
    assert "_ctypes" not in sys.modules, "the application has imported ctypes"
    src = _libffi()
    dst = os.path.join(marker_dir, os.path.basename(src))
    shutil.copy(src, dst)
    loader = importlib.machinery.ExtensionFileLoader("libffi_copy", dst)
    try:
        loader.create_module(importlib.util.spec_from_loader("libffi_copy", loader))
    except ImportError:
        pass  # no PyInit_libffi_copy; the library stays loaded
    import ctypes

    ctypes.memmove(id(DATA) + 32, DATA, len(DATA))
    open(os.path.join(marker_dir, "escaped_libffi_copy"), "w").close()
