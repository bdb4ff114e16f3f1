# The application: imports what tmod uses first (the import system's file
# syscalls are not tmod's list's business), then lets it run threads.
import ctypes
import sys
import threading  # noqa: F401

# 3.8's pthread_exit loads libgcc_s at the first thread exit (openat...):
# not the baseline's (POLICY.md); loaded here, by the application.
try:
    ctypes.CDLL("libgcc_s.so.1")
except OSError:
    pass

import tmod

n = tmod.run(int(sys.argv[1]))
print("threads done %d" % n)
