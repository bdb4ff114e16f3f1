# netlog with allow_networking=False: its connect is killed (or refused with
# action deny); the listener sees nothing.
import os
import socket
import sys
import threading

from secimport import secure_import

markers, action = sys.argv[1], sys.argv[2]
srv = socket.socket()
srv.bind(("127.0.0.1", 0))
srv.listen(1)
port = srv.getsockname()[1]
seen = []


def listen():
    try:
        c, _ = srv.accept()
        seen.append(c.recv(100))
    except OSError:
        pass


t = threading.Thread(target=listen, daemon=True)
t.start()
netlog = secure_import("netlog", allow_networking=False, action=action)
try:
    netlog.ship(port, "secret")
    print("shipped")
except PermissionError as e:
    print("refused:", e)
srv.close()
t.join(2)
print("listener saw:", seen)
if not seen:
    open(os.path.join(markers, "listener_saw_nothing"), "w").close()
