# A second registration may tighten a module's confinement, never loosen it.
import ctypes
import os
import sys

from secimport import SecureImportError, secure_import

markers = sys.argv[1]
secure_import("shellmod", allow_shell=False)
try:
    secure_import("shellmod", allow_shell=True)
    print("loosened")
except SecureImportError as e:
    print("refused:", e)
secure_import("shellmod", allow_shell=False, allow_networking=False)
print("tightened")

# Nor can another module claim shellmod's file with a looser policy (the
# kernel would judge the file by the newer, more specific registration).
lib = ctypes.CDLL(os.environ["SECIMPORT_LIBRARY"])
err = ctypes.create_string_buffer(1024)
locs = (ctypes.c_char_p * 1)(os.path.abspath("shellmod.py").encode())
file_loc = (ctypes.c_int * 1)(0)
ret = lib.secimport_register(b"alias", locs, file_loc, 1, 1, 1, None, 0, b"log", err, 1024)
print("alias:", ret, err.value.decode())
import shellmod  # noqa: E402

shellmod.spawn(markers)
