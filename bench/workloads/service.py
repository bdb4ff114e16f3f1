"""A small service under load: an HTTP server on loopback (http.server, in a
thread) whose handler is the module svc, a client (urllib) posting JSON
orders to it, and a subprocess every SPAWN_EVERY requests. Prints the
seconds per request.

    service.py N
"""
import http.server
import json
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request

import svc

SPAWN_EVERY = 10

n = int(sys.argv[1])
with tempfile.TemporaryDirectory(prefix="secimport-bench-") as tmp:
    server = http.server.HTTPServer(("127.0.0.1", 0), svc.handler(svc.Store(tmp)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    url = "http://127.0.0.1:%d/orders" % server.server_address[1]

    def order(i):
        items = [{"sku": "sku-%d" % k, "qty": k % 3 + 1, "price": 1.5 * k} for k in range(20)]
        body = json.dumps({"customer": "c%d" % (i % 7), "items": items}).encode()
        req = urllib.request.Request(url, body, {"Content-Type": "application/json"})
        with urllib.request.urlopen(req) as resp:
            reply = json.load(resp)
        if reply["customer"] != "c%d" % (i % 7):
            sys.exit("service.py: wrong reply")

    order(0)  # warm up
    t0 = time.perf_counter()
    for i in range(n):
        order(i)
        if i % SPAWN_EVERY == 0:
            subprocess.run(["/bin/true"], check=True)
    elapsed = time.perf_counter() - t0
    server.shutdown()
    server.server_close()
print("%.12f" % (elapsed / n))
