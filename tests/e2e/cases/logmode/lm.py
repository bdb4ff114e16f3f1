import socket


def _touch_network():
    socket.socket(socket.AF_INET, socket.SOCK_STREAM).close()


def recurse(n):
    if n == 0:
        _touch_network()
        return 0
    return recurse(n - 1) + 1


def raiser():
    _touch_network()
    raise ValueError("from the confined module")


def gen(n):
    for i in range(n):
        _touch_network()
        yield i
