"""Syscall-heavy workload: N getppid() calls from the module `fibmod`'s caller."""
import os
import sys
import time

n = int(sys.argv[1]) if len(sys.argv) > 1 else 200000
t0 = time.perf_counter()
for _ in range(n):
    os.getppid()
print("%.6f" % (time.perf_counter() - t0))
