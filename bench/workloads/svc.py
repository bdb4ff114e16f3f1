"""The request handler of the service workload: the confined module on the
hot path. Per request it parses JSON, writes and queries sqlite3, writes a
file and reads it back, and answers JSON over the socket it was given."""
import http.server
import json
import os
import sqlite3


class Store:
    def __init__(self, directory):
        self.dir = directory
        self.db = None
        self.n = 0

    def add(self, order):
        if self.db is None:  # in the server's thread: sqlite3 objects stay in theirs
            self.db = sqlite3.connect(os.path.join(self.dir, "orders.db"))
            self.db.execute(
                "CREATE TABLE orders (id INTEGER PRIMARY KEY, customer TEXT, total REAL, doc TEXT)"
            )
        total = sum(item["qty"] * item["price"] for item in order["items"])
        doc = json.dumps(order, sort_keys=True)
        with self.db:
            self.db.execute(
                "INSERT INTO orders (customer, total, doc) VALUES (?, ?, ?)",
                (order["customer"], total, doc),
            )
        count, spent = self.db.execute(
            "SELECT COUNT(*), SUM(total) FROM orders WHERE customer = ?", (order["customer"],)
        ).fetchone()
        self.n += 1
        path = os.path.join(self.dir, "receipt-%d.json" % (self.n % 16))
        with open(path, "w") as f:
            f.write(doc)
        with open(path) as f:
            size = len(f.read())
        return {"customer": order["customer"], "total": total, "orders": count,
                "spent": spent, "receipt_bytes": size}


def handler(store):
    class Handler(http.server.BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.0"

        def do_POST(self):
            body = self.rfile.read(int(self.headers["Content-Length"]))
            reply = json.dumps(store.add(json.loads(body))).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(reply)))
            self.end_headers()
            self.wfile.write(reply)

        def log_message(self, *args):
            pass

    return Handler
