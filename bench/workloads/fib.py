"""Call-heavy workload: recursive fib in the module `fibmod`; prints seconds."""
import sys
import time

import fibmod

n = int(sys.argv[1]) if len(sys.argv) > 1 else 24
t0 = time.perf_counter()
fibmod.fib(n)
print("%.6f" % (time.perf_counter() - t0))
