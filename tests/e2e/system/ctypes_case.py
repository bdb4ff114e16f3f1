import sys

from secimport import secure_import

# argv[2] "allowed": secure_import(..., allow_ctypes=True); else the default.
ctmod = secure_import("ctmod", allow_shell=False, allow_ctypes=sys.argv[2] == "allowed")
ctmod.poke(sys.argv[1])
print("poked")
