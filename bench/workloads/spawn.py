"""Starts N Python children one after the other (subprocess.run of the same
interpreter with -c pass). Prints the seconds per child. Under `run`, every
child interpreter is stopped at exec until the engine is attached to it, and
its probes are released when it exits.

    spawn.py N
"""
import subprocess
import sys
import time

n = int(sys.argv[1])
subprocess.run([sys.executable, "-S", "-c", "pass"], check=True)  # warm up
t0 = time.perf_counter()
for _ in range(n):
    subprocess.run([sys.executable, "-S", "-c", "pass"], check=True)
print("%.12f" % ((time.perf_counter() - t0) / n))
