"""Per-call workloads from callmod. Prints seconds: the whole fib(N), or per
method call / per generator item.

    calls.py fib N | methods N | pipeline N
"""
import sys
import time

import callmod

kind, n = sys.argv[1], int(sys.argv[2])
t0 = time.perf_counter()
if kind == "fib":
    callmod.fib(n)
    n = 1
elif kind == "methods":
    callmod.methods(n)
elif kind == "pipeline":
    callmod.pipeline(n)
else:
    sys.exit("calls.py: unknown workload " + kind)
print("%.12f" % ((time.perf_counter() - t0) / n))
