import socket

import lm


def unconfined():
    socket.socket(socket.AF_INET, socket.SOCK_STREAM).close()


def deep(n):
    return lm.recurse(5) if n == 0 else deep(n - 1)


unconfined()  # no event
lm.recurse(50)  # 1 event
try:
    lm.raiser()  # 1 event, then the exception unwinds the confined frames
except ValueError:
    pass
unconfined()  # no event
for _ in lm.gen(3):  # 3 events, one per resumption
    unconfined()  # no event between resumptions
deep(100)  # 1 event
unconfined()  # no event
print("logmode done")
