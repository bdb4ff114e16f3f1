import os
import socket


def run_until(stop):
    n = 0
    while True:
        for _ in range(100):
            os.getpid()
            try:
                socket.socket().close()
            except OSError:
                pass
            n += 1
        if os.path.exists(stop):
            return n
