"""Code object creation, which the stack walker's code identity probe sees:
imports of not yet imported stdlib modules (their code objects are made by
marshal), and exec of a small string (compile). Prints seconds: the whole
import set, or per exec.

    codegen.py imports | exec N
"""
import sys
import time

kind = sys.argv[1]
if kind == "imports":
    t0 = time.perf_counter()
    import argparse, asyncio, csv, decimal, email.message, http.client, json  # noqa: E401,F401
    import logging, sqlite3, tarfile, unittest, urllib.request, xml.dom.minidom  # noqa: E401,F401
    print("%.12f" % (time.perf_counter() - t0))
elif kind == "exec":
    n = int(sys.argv[2])
    src = "def f(x):\n    return x + 1\n"
    t0 = time.perf_counter()
    for _ in range(n):
        exec(src, {})
    print("%.12f" % ((time.perf_counter() - t0) / n))
else:
    sys.exit("codegen.py: unknown workload " + kind)
