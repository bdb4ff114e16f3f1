import sys

from secimport import secure_import

# Everything allowed but the network (ctypes too, to reach the syscall):
# bpf() is still refused to confined code.
bpfcall = secure_import("bpfcall", allow_shell=True, allow_networking=False, allow_ctypes=True)
bpfcall.try_bpf(sys.argv[1])
