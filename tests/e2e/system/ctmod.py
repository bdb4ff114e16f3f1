import ctypes
import os

DATA = b"secimport ctypes target"


def poke(marker_dir):
    """Writes back what is there (harmless); the marker says it ran."""
    ctypes.memmove(id(DATA) + 32, DATA, len(DATA))
    open(os.path.join(marker_dir, "poked"), "w").close()
