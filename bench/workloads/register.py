# One registration: the time of one secure_import() of a fresh module (B),
# against a plain import of one (A), in a process a loaded system covers.
# Prints the median seconds per call.
#   register.py import|secure N
import importlib
import os
import statistics
import sys
import tempfile
import time

mode, n = sys.argv[1], int(sys.argv[2])
d = tempfile.mkdtemp(prefix="secimport-bench-")
for i in range(n):
    with open(os.path.join(d, "regmod_%d.py" % i), "w") as f:
        f.write("x = %d\n" % i)
sys.path.insert(0, d)
if mode == "secure":
    from secimport import secure_import
times = []
for i in range(n):
    name = "regmod_%d" % i
    t0 = time.perf_counter_ns()
    if mode == "secure":
        secure_import(name, allow_shell=False, allow_networking=False)
    else:
        importlib.import_module(name)
    times.append(time.perf_counter_ns() - t0)
for i in range(n):
    os.unlink(os.path.join(d, "regmod_%d.py" % i))
os.rmdir(d)
print(statistics.median(times) / 1e9)
